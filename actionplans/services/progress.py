"""Quarterly progress: action updates, report submission and sign-off, reminders."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import PROGRAMME_LEADS, PROGRESS_WRITERS, SENIOR_SPONSORS, require
from actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Quarter,
    QuarterlyReport,
    QuarterReminderSent,
    Rag,
)
from actionplans.presenters import (
    report_document,
)
from wres_portal.concurrency import StaleWrite, document_token, row_stale, when
from wres_portal.emails import may_queue_again
from wres_portal.errors import ApplicationError, StateConflict

from .common import _check_declaration, _clean, _notify

# Quarterly progress --------------------------------------------------------------------------------


def _lock_report(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_for_update().select_related("plan", "authority").get(pk=report.pk)


def _check_quarter(plan: ActionPlan, quarter: Quarter) -> None:
    if quarter not in plan.quarters():
        raise ApplicationError(f"{quarter.label} is not in the plan year {plan.year_label}.")


@transaction.atomic
def report_get_or_create(*, plan: ActionPlan, quarter: Quarter) -> QuarterlyReport:
    _check_quarter(plan, quarter)
    report, _ = QuarterlyReport.objects.get_or_create(
        plan=plan, year=quarter.year, quarter=quarter.number, defaults={"authority": plan.authority}
    )
    return report


@transaction.atomic
def update_save(
    *,
    plan: ActionPlan,
    quarter: Quarter,
    action: Action,
    user: User,
    rag: str,
    narrative: str,
    evidence_url: str = "",
    expected_state: str | None = None,
) -> ActionUpdate:
    """Record an action's progress this quarter (programme lead or staff voice lead). A second save
    replaces the first; only while the quarter's report is a draft.

    `expected_state` is the update's state token as read ("new" when there was none yet): if
    someone saved this update since, nothing is replaced (StaleWrite). Checked under the report's
    row lock, which every save of the quarter's updates takes."""
    require(user, plan.authority, PROGRESS_WRITERS, "enter progress updates")
    if action.plan_id != plan.pk:
        raise ApplicationError("That action is not in this plan.")
    report = _lock_report(report_get_or_create(plan=plan, quarter=quarter))
    if not report.is_editable():
        raise ApplicationError(
            f"The {quarter.label} report is {report.get_status_display().lower()}, so it cannot change."
        )
    if rag not in Rag.values:
        raise ApplicationError("Choose a RAG status.", field="rag")
    if not _clean(narrative):
        raise ApplicationError("Say what progress was made.", field="narrative")
    existing = ActionUpdate.objects.select_related("updated_by").filter(report=report, action=action).first()
    row_stale(existing, expected_state, f"The update for action {action.number}")
    update = existing or ActionUpdate(authority=plan.authority, report=report, action=action)
    update.rag, update.narrative, update.evidence_url = rag, _clean(narrative), _clean(evidence_url)
    update.updated_by = user
    update.full_clean()
    update.save()
    return update


def missing_updates(report: QuarterlyReport) -> list[Action]:
    updated = set(report.updates.values_list("action_id", flat=True))
    return [a for a in report.plan.actions.order_by("number") if a.pk not in updated]


def report_state(report: QuarterlyReport) -> str:
    """The report as the submit and sign-off pages show it, as a token (document_token)."""
    return document_token(report_document(report))


def report_api_state(report: QuarterlyReport) -> str:
    """What a step on the report through the API names in If-Match: its status and the report as it
    reads (`report_state`), e.g. "submitted-3f9c...". The status is part of it so that a second
    sponsor signing off with the tag the first one used is refused as stale, not told "only a
    submitted report can be signed off"."""
    return f"{report.status}-{report_state(report)}"


def parse_report_api_state(token: str) -> tuple[str, str] | None:
    status, _, state = token.rpartition("-")
    return (status, state) if status in QuarterlyReport.Status.values and state else None


def _report_stale(
    report: QuarterlyReport,
    expected_state: str | None,
    done: str,
    do: str,
    expected_status: str | None = None,
) -> None:
    if expected_status is not None and report.status != expected_status:
        actor = (
            report.signed_by if report.status == QuarterlyReport.Status.SIGNED_OFF else report.submitted_by
        )
        name = actor.display_name if actor and report.status != QuarterlyReport.Status.DRAFT else ""
        at = report.updated_at
        raise StaleWrite(
            f"The report is now {report.get_status_display().lower()}"
            f"{f' (by {name})' if name else ''} at {when(at)}, after you read it. You have not {done} "
            f"it. Read the report as it is now, then {do} it only if it still needs it.",
            current=report_api_state(report),
            changed_by=name,
            changed_at=at,
        )
    if expected_state is None:
        return
    current = report_state(report)
    if current != expected_state:
        latest = report.updates.select_related("updated_by").order_by("-updated_at").first()
        by = latest.updated_by.display_name if latest else ""
        at = latest.updated_at if latest else report.updated_at
        raise StaleWrite(
            f"The report changed after you opened this page (last update{f' by {by}' if by else ''} at "
            f"{when(at)}). You have not {done} it. Read the report as it is now and what changed, "
            f"then {do} it again.",
            current=report_api_state(report),
            changed_by=by,
            changed_at=at,
        )


@transaction.atomic
def report_submit(
    *,
    report: QuarterlyReport,
    user: User,
    summary: str = "",
    expected_state: str | None = None,
    expected_status: str | None = None,
) -> QuarterlyReport:
    """Submit the quarter's report for sign-off (programme lead): every action needs an update.
    With `expected_state` (`report_state` as read) and `expected_status`, a report changed since is
    refused."""
    report = _lock_report(report)
    require(user, report.authority, PROGRAMME_LEADS, "submit the quarterly report")
    _report_stale(report, expected_state, "submitted", "submit", expected_status)
    if report.status != QuarterlyReport.Status.DRAFT:
        raise StateConflict(f"This report is already {report.get_status_display().lower()}.")
    missing = missing_updates(report)
    if missing:
        numbers = ", ".join(str(a.number) for a in missing)
        raise ApplicationError(f"Enter an update for every action first. Missing: action {numbers}.")
    report.status = QuarterlyReport.Status.SUBMITTED
    report.summary = _clean(summary) or report.summary
    report.submitted_by, report.submitted_at = user, timezone.now()
    report.save(update_fields=["status", "summary", "submitted_by", "submitted_at", "updated_at"])
    _notify(report.plan, SENIOR_SPONSORS, "report_submitted", user, report=report)
    return report


@transaction.atomic
def report_sign_off(
    *,
    report: QuarterlyReport,
    user: User,
    name: str,
    role: str,
    signed_on: datetime.date,
    declaration: bool,
    expected_state: str | None = None,
    expected_status: str | None = None,
) -> QuarterlyReport:
    """The senior sponsor signs off a submitted report; it is stored as signed and never changes.
    With `expected_state` (`report_state` of the report the sponsor read), a report that changed
    since (returned to draft, corrected and submitted again) is refused: what is signed is what
    was shown. With `expected_status` too (the API), a report signed off or returned since is
    refused as stale."""
    report = _lock_report(report)
    require(user, report.authority, SENIOR_SPONSORS, "sign off the quarterly report")
    _report_stale(report, expected_state, "signed off", "sign off", expected_status)
    if report.status != QuarterlyReport.Status.SUBMITTED:
        raise StateConflict("Only a submitted report can be signed off.")
    _check_declaration(name, role, signed_on, declaration, "quarterly report")
    report.status = QuarterlyReport.Status.SIGNED_OFF
    report.signed_by, report.signed_at = user, timezone.now()
    report.signatory_name, report.signatory_role = _clean(name), _clean(role)
    report.signed_on, report.declaration = signed_on, True
    report.signed_document = report_document(report)
    report.save()
    _notify(report.plan, PROGRAMME_LEADS, "report_signed_off", user, report=report)
    return report


@transaction.atomic
def report_send_back(
    *,
    report: QuarterlyReport,
    user: User,
    expected_state: str | None = None,
    expected_status: str | None = None,
) -> QuarterlyReport:
    """The sponsor returns a submitted report to draft so its updates can be corrected. With
    `expected_state` and `expected_status` (as read), a report changed since is refused."""
    report = _lock_report(report)
    require(user, report.authority, SENIOR_SPONSORS, "return the quarterly report")
    _report_stale(report, expected_state, "returned", "return", expected_status)
    if report.status != QuarterlyReport.Status.SUBMITTED:
        raise StateConflict("Only a submitted report can be returned to draft.")
    report.status = QuarterlyReport.Status.DRAFT
    report.save(update_fields=["status", "updated_at"])
    return report


REMINDER_DAYS = 7


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> int:
    """A week before a quarter ends, email the programme and staff voice leads of every plan whose
    report for that quarter still misses action updates. Once per plan and quarter, however often
    the job runs (a reminder is marked sent once the email task has sent it, so a failed send is
    tried again). Returns the number of emails enqueued."""
    today = today or timezone.localdate()
    quarter = Quarter.containing(today)
    if not 0 <= (quarter.ends_on - today).days <= REMINDER_DAYS:
        return 0
    sent = 0
    plans = (
        ActionPlan.objects.filter(year=quarter.year, actions__isnull=False)
        .distinct()
        .select_related("authority")
    )
    for plan in plans:
        report = plan.reports.filter(year=quarter.year, quarter=quarter.number).first()
        if report is not None and (not report.is_editable() or not missing_updates(report)):
            continue
        missing = missing_updates(report) if report else list(plan.actions.order_by("number"))
        # Marked sent by the email task once the email has really gone; one the task gave up on is
        # queued again by a later run, and the task sends it at most once.
        reminder, created = QuarterReminderSent.objects.get_or_create(
            plan=plan, year=quarter.year, quarter=quarter.number, defaults={"authority": plan.authority}
        )
        if created or may_queue_again(reminder.queued_at, reminder.sent_at):
            if not created:
                reminder.queued_at = timezone.now()
                reminder.save(update_fields=["queued_at"])
            receipt = ("actionplans", "QuarterReminderSent", reminder.pk)
            sent += _notify(
                plan, PROGRESS_WRITERS, "reminder", None, receipt=receipt, quarter=quarter, missing=missing
            )
    return sent
