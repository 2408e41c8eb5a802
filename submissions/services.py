"""Writes to rounds and returns, and every lifecycle transition. The rules live here, so the web
pages, the API and the tasks behave alike:

draft --submit (programme lead)--> submitted --sign off (senior sponsor)--> signed_off
  --accept (analyst)--> accepted; a sponsor (submitted) or an analyst (any state after draft) can
  return it for revision, which starts a new draft version.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.access import has_role
from accounts.models import Authority, Membership, Role, User
from wres_portal.errors import ApplicationError

from .models import (
    ClosingDateExtension,
    CollectionRound,
    Return,
    ReturnEvent,
    ReturnVersion,
    WarningExplanation,
)
from .resources import version_rows_import
from .schema import SERVICES, ReturnData, row_keys

LEAD = [Role.PROGRAMME_LEAD]
SPONSOR = [Role.SENIOR_SPONSOR]


# Rounds -------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(*, opened_by: User, **fields: object) -> CollectionRound:
    """Open a collection round (analysts only). Dates must be in order; the label must be new."""
    if not opened_by.is_national:
        raise ApplicationError("Only Skills for Care analysts can open a collection round.")
    if CollectionRound.objects.filter(label=fields.get("label")).exists():
        raise ApplicationError("A round with this year label already exists.", field="label")
    collection_round = CollectionRound(created_by=opened_by, **fields)
    _check_round_dates(collection_round)
    collection_round.full_clean()
    collection_round.save()
    return collection_round


def _check_round_dates(r: CollectionRound) -> None:
    if r.period_end <= r.period_start:
        raise ApplicationError("The reporting period must end after it starts.", field="period_end")
    if r.closes_on < r.opens_on:
        raise ApplicationError("The closing date must be on or after the opening date.", field="closes_on")


@transaction.atomic
def round_extend(
    *,
    collection_round: CollectionRound,
    authority: Authority,
    closes_on: datetime.date,
    reason: str,
    granted_by: User,
) -> ClosingDateExtension:
    """Extend the closing date for one authority (analysts only); a later extension replaces it."""
    if not granted_by.is_national:
        raise ApplicationError("Only Skills for Care analysts can extend a closing date.")
    if closes_on <= collection_round.closes_on:
        raise ApplicationError(
            "The new closing date must be after the round's closing date, "
            f"{collection_round.closes_on:%-d %B %Y}.",
            field="closes_on",
        )
    extension, _ = ClosingDateExtension.objects.update_or_create(
        round=collection_round,
        authority=authority,
        defaults={"closes_on": closes_on, "reason": reason.strip(), "granted_by": granted_by},
    )
    return extension


# Drafts -------------------------------------------------------------------------------------------


@transaction.atomic
def return_get_or_create(*, authority: Authority, collection_round: CollectionRound) -> Return:
    record, _ = Return.objects.get_or_create(authority=authority, round=collection_round)
    return record


def _require(user: User, authority: Authority, roles: Iterable[str], doing: str) -> None:
    if not has_role(user, authority, roles):
        labels = " or ".join(Role(r).label.lower() for r in roles)
        raise ApplicationError(f"Only the council's {labels} can {doing}.")


def _lock(record: Return) -> Return:
    return Return.objects.select_for_update().select_related("authority", "round").get(pk=record.pk)


def _write_version(
    record: Return, data: ReturnData, *, source: str, user: User, filename: str = "", note: str = ""
) -> ReturnVersion:
    last = record.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ReturnVersion.objects.create(
        authority=record.authority,
        return_record=record,
        number=last + 1,
        source=source,
        filename=filename[:255],
        created_by=user,
        note=note,
    )
    version_rows_import(version, data)
    record.current_version = version
    record.save(update_fields=["current_version", "updated_at"])
    return version


def current_data(record: Return) -> ReturnData:
    return record.current_version.data() if record.current_version else {}


@transaction.atomic
def draft_save(
    *, record: Return, data: ReturnData, user: User, source: str, filename: str = "", note: str = ""
) -> ReturnVersion:
    """Save figures as a new draft version, after checking them with the same rules as an upload.

    Only the council's programme leads may; only a draft can change (a submitted return must be
    returned for revision first). Nothing is written when a rule fails.
    """
    from .validation import check_data

    record = _lock(record)
    _require(user, record.authority, LEAD, "change the return")
    if not record.is_editable():
        raise ApplicationError(
            f"This return is {record.get_status_display().lower()}, so it cannot be changed. "
            "It must be returned for revision first."
        )
    problems = check_data(data)
    if problems:
        raise ReturnDataInvalid(problems)
    version = _write_version(record, data, source=source, user=user, filename=filename, note=note)
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=version,
        action=ReturnEvent.Action.SAVED,
        actor=user,
    )
    return version


class ReturnDataInvalid(ApplicationError):
    """The figures break the return's rules; `problems` lists every one with its place."""

    def __init__(self, problems: list) -> None:  # type: ignore[type-arg]
        super().__init__(f"The return has {len(problems)} problem{'s' if len(problems) != 1 else ''}.")
        self.problems = problems


def draft_save_service(
    *, record: Return, service: str, counts: ReturnData | None, user: User
) -> ReturnVersion:
    """Web entry: replace one service's rows (None removes the service) and save a new draft."""
    if service not in SERVICES:
        raise ApplicationError("Unknown service.")
    data = {k: v for k, v in current_data(record).items() if k.service != service}
    if counts is not None:
        missing = [key for key in row_keys(service) if key not in counts]
        if missing:
            raise ApplicationError(f"Enter every figure for {service}: {missing[0]} is missing.")
        data.update(counts)
    return draft_save(
        record=record, data=data, user=user, source=ReturnVersion.Source.WEB, note=f"{service} page"
    )


@dataclass
class UploadCheck:
    """What an upload would do: either problems (nothing stored) or the figures and the changes."""

    problems: list = field(default_factory=list)  # type: ignore[type-arg]
    data: ReturnData = field(default_factory=dict)
    changes: list = field(default_factory=list)  # type: ignore[type-arg]
    unreadable: str | None = None

    @property
    def ok(self) -> bool:
        return self.unreadable is None and not self.problems


def upload_check(*, record: Return, filename: str, content: bytes) -> UploadCheck:
    """Read and check an uploaded file completely, writing nothing."""
    from .returnfile import UnreadableFile, read_return_file
    from .validation import check_table, diff

    try:
        table = read_return_file(filename, content)
    except UnreadableFile as error:
        return UploadCheck(unreadable=error.message)
    checked = check_table(table, authority_code=record.authority.ons_code, round_label=record.round.label)
    if checked.errors:
        return UploadCheck(problems=checked.errors)
    return UploadCheck(data=checked.data, changes=diff(current_data(record), checked.data))


# Warnings -----------------------------------------------------------------------------------------


def version_warnings(version: ReturnVersion) -> list:  # type: ignore[type-arg]
    """The warnings of spec section 2 for a version, with the context they need."""
    from .validation import compute_warnings

    record = version.return_record
    previous = (
        Return.objects.filter(authority=record.authority, round__opens_on__lt=record.round.opens_on)
        .exclude(current_version=None)
        .exclude(status=Return.Status.DRAFT)
        .select_related("current_version")
        .order_by("-round__opens_on")
        .first()
    )
    previous_headcount = None
    if previous is not None:
        previous_headcount = {}
        for key, counts in previous.current_version.data().items():
            if key.measure == "headcount":
                previous_headcount[key.service] = sum(counts.values())
    from metrics.services import metric_values, population_share, reference_ranges

    data = version.data()
    return compute_warnings(
        data,
        previous_headcount=previous_headcount,
        metric_values=metric_values(data, share=population_share(record.authority)),
        reference_ranges=reference_ranges(
            CollectionRound.objects.filter(opens_on__lt=record.round.opens_on).order_by("-opens_on").first()
        ),
    )


def unexplained_warnings(version: ReturnVersion, warnings: list | None = None) -> list:  # type: ignore[type-arg]
    """The version's warnings (computed unless the caller already has them) still without an
    explanation."""
    explained = set(version.explanations.values_list("warning_key", flat=True))
    return [
        w for w in (version_warnings(version) if warnings is None else warnings) if w.key not in explained
    ]


@transaction.atomic
def warning_explain(*, record: Return, key: str, text: str, user: User) -> WarningExplanation:
    """Record the council's explanation of a warning on the current version."""
    record = _lock(record)
    _require(user, record.authority, LEAD, "explain warnings")
    if not record.is_editable():
        raise ApplicationError("Warnings can only be explained while the return is a draft.")
    version = record.current_version
    if version is None or key not in {w.key for w in version_warnings(version)}:
        raise ApplicationError("This warning no longer applies to the return.")
    if not text.strip():
        raise ApplicationError("Enter an explanation of the warning.", field="text")
    explanation, _ = WarningExplanation.objects.update_or_create(
        version=version,
        warning_key=key,
        defaults={"authority": record.authority, "text": text.strip(), "written_by": user},
    )
    return explanation


# Lifecycle ----------------------------------------------------------------------------------------


def is_late(record: Return, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return today > record.round.closes_on_for(record.authority)


def submission_blockers(record: Return, warnings: list | None = None) -> list[str]:  # type: ignore[type-arg]
    """Everything that stops the programme lead submitting, in plain English. Pages that have
    already computed the version's warnings pass them in, so they are not worked out twice."""
    from .validation import check_data

    version = record.current_version
    if version is None:
        return ["Upload the return or type it in before submitting."]
    data = version.data()
    blockers = [p.message for p in check_data(data)]
    for warning in unexplained_warnings(version, warnings):
        blockers.append(f"Explain this warning: {warning.message}")
    return blockers


@transaction.atomic
def return_submit(*, record: Return, user: User, late_reason: str = "") -> Return:
    """Submit the current draft version (programme lead). A late return needs a reason."""
    record = _lock(record)
    _require(user, record.authority, LEAD, "submit the return")
    if record.status != Return.Status.DRAFT:
        raise ApplicationError(f"This return is already {record.get_status_display().lower()}.")
    blockers = submission_blockers(record)
    if blockers:
        raise ApplicationError(blockers[0])
    late = is_late(record)
    if late and not late_reason.strip():
        raise ApplicationError(
            "The closing date has passed. Explain why the return is late.", field="late_reason"
        )
    now = timezone.now()
    record.status = Return.Status.SUBMITTED
    record.submitted_at = now
    record.is_late = late
    record.late_reason = late_reason.strip() if late else ""
    record.save(update_fields=["status", "submitted_at", "is_late", "late_reason", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current_version,
        action=ReturnEvent.Action.SUBMITTED,
        actor=user,
        at=now,
        message=record.late_reason,
        late=late,
    )
    _notify_council(record, SPONSOR, "submitted", user)
    _after_submit(record)
    return record


def _after_submit(record: Return) -> None:
    """After commit, the metrics engine computes the submitted version's results. If the broker is
    down the submission still stands (robust): the periodic sweep computes them later."""
    from metrics.tasks import compute_version_results

    version_id = record.current_version_id
    transaction.on_commit(lambda: compute_version_results.delay(version_id), robust=True)


@transaction.atomic
def return_sign_off(
    *, record: Return, user: User, name: str, role: str, signed_on: datetime.date, declaration: bool
) -> Return:
    """The senior sponsor signs off a submitted return, declaring the figures accurate."""
    record = _lock(record)
    _require(user, record.authority, SPONSOR, "sign off the return")
    if record.status != Return.Status.SUBMITTED:
        raise ApplicationError("Only a submitted return can be signed off.")
    if not declaration:
        raise ApplicationError("Confirm that the figures are accurate to sign off.", field="declaration")
    if not name.strip() or not role.strip():
        raise ApplicationError(
            "Enter your name and role as they should appear on the sign-off.", field="name"
        )
    if signed_on > timezone.localdate():
        raise ApplicationError("The sign-off date cannot be in the future.", field="signed_on")
    record.status = Return.Status.SIGNED_OFF
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current_version,
        action=ReturnEvent.Action.SIGNED_OFF,
        actor=user,
        signatory_name=name.strip(),
        signatory_role=role.strip(),
        signed_on=signed_on,
    )
    _notify_analysts(record, "signed_off", user)
    return record


@transaction.atomic
def return_accept(*, record: Return, user: User) -> Return:
    """An analyst accepts a signed-off return into the national figures."""
    record = _lock(record)
    if not user.is_national:
        raise ApplicationError("Only Skills for Care analysts can accept a return.")
    if record.status != Return.Status.SIGNED_OFF:
        raise ApplicationError("Only a signed-off return can be accepted.")
    record.status = Return.Status.ACCEPTED
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current_version,
        action=ReturnEvent.Action.ACCEPTED,
        actor=user,
    )
    _notify_council(record, [Role.PROGRAMME_LEAD, Role.SENIOR_SPONSOR], "accepted", user)
    _after_accept(record)
    return record


def _after_accept(record: Return) -> None:
    """After commit, the round's national benchmarks are recomputed with this return in them."""
    from metrics.tasks import recompute_benchmarks

    round_id = record.round_id
    transaction.on_commit(lambda: recompute_benchmarks.delay(round_id), robust=True)


@transaction.atomic
def return_send_back(*, record: Return, user: User, message: str) -> Return:
    """Return for revision with a message: the sponsor while submitted, an analyst at any later
    stage. The figures are copied into a new draft version; earlier versions stay as they were."""
    record = _lock(record)
    sponsor_may = record.status == Return.Status.SUBMITTED and has_role(user, record.authority, SPONSOR)
    analyst_may = record.status != Return.Status.DRAFT and user.is_national
    if record.status == Return.Status.DRAFT:
        raise ApplicationError("This return is already a draft.")
    if not (sponsor_may or analyst_may):
        raise ApplicationError("You cannot return this return for revision at this stage.")
    if not message.strip():
        raise ApplicationError("Say what needs to change.", field="message")
    previous = record.current_version
    version = _write_version(
        record, previous.data(), source=ReturnVersion.Source.REVISION, user=user, note=message.strip()
    )
    for explanation in previous.explanations.all():
        WarningExplanation.objects.create(
            authority=record.authority,
            version=version,
            warning_key=explanation.warning_key,
            text=explanation.text,
            written_by=explanation.written_by,
        )
    record.status = Return.Status.DRAFT
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=version,
        action=ReturnEvent.Action.RETURNED,
        actor=user,
        message=message.strip(),
    )
    _notify_council(record, LEAD, "returned", user, message=message.strip())
    return record


# Email --------------------------------------------------------------------------------------------

SUBJECTS = {
    "submitted": "{authority}'s WRES return is ready for your sign-off",
    "signed_off": "{authority}'s WRES return was signed off and is ready to accept",
    "accepted": "{authority}'s WRES return was accepted",
    "returned": "{authority}'s WRES return was returned for revision",
}


def _send(record: Return, recipients: list[str], event: str, actor: User, **extra: object) -> None:
    if not recipients:
        return
    context = {
        "record": record,
        "event": event,
        "actor": actor,
        "link": settings.SITE_URL
        + reverse("submissions:detail", args=[record.authority.ons_code, record.round.label]),
        **extra,
    }
    subject = SUBJECTS[event].format(authority=record.authority.name)
    body = render_to_string("emails/return_event.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _notify_council(record: Return, roles: Iterable[str], event: str, actor: User, **extra: object) -> None:
    emails = list(
        Membership.objects.filter(authority=record.authority, role__in=list(roles), user__is_active=True)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    _send(record, emails, event, actor, **extra)


def _notify_analysts(record: Return, event: str, actor: User) -> None:
    emails = list(
        User.objects.filter(national_role=User.NationalRole.ANALYST, is_active=True)
        .values_list("email", flat=True)
        .order_by("email")
    )
    _send(record, emails, event, actor)


# Reminders ----------------------------------------------------------------------------------------

REMINDER_DAYS = (14, 3)


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email programme leads of councils that have not submitted, 14 and 3 days before their
    closing date (extensions included). Each reminder goes once: a missed day is caught up the
    next day, and running the job twice sends nothing more. Returns the number of emails sent."""
    from .models import ReminderSent

    today = today or timezone.localdate()
    sent = 0
    for collection_round in CollectionRound.objects.filter(opens_on__lte=today):
        extensions = {e.authority_id: e.closes_on for e in collection_round.extensions.all()}
        submitted = set(
            Return.objects.filter(round=collection_round)
            .exclude(status=Return.Status.DRAFT)
            .values_list("authority_id", flat=True)
        )
        leads: dict[int, list[str]] = {}
        for authority_id, email in Membership.objects.filter(
            role=Role.PROGRAMME_LEAD, user__is_active=True
        ).values_list("authority_id", "user__email"):
            leads.setdefault(authority_id, []).append(email)
        for authority in Authority.objects.filter(pk__in=leads).exclude(pk__in=submitted):
            closes_on = extensions.get(authority.pk, collection_round.closes_on)
            days_left = (closes_on - today).days
            due = [d for d in REMINDER_DAYS if 0 <= days_left <= d]
            if not due:
                continue
            kind = f"{min(due)}_days"
            with transaction.atomic():
                _, created = ReminderSent.objects.get_or_create(
                    round=collection_round, authority=authority, kind=kind
                )
                if not created:
                    continue
                _send_reminder(authority, collection_round, closes_on, days_left, sorted(leads[authority.pk]))
                sent += 1
    return sent


def _send_reminder(
    authority: Authority,
    collection_round: CollectionRound,
    closes_on: datetime.date,
    days_left: int,
    to: list[str],
) -> None:
    link = settings.SITE_URL + reverse(
        "submissions:detail", args=[authority.ons_code, collection_round.label]
    )
    body = render_to_string(
        "emails/return_reminder.txt",
        {
            "authority": authority,
            "round": collection_round,
            "closes_on": closes_on,
            "days_left": days_left,
            "link": link,
        },
    )
    subject = (
        f"Reminder: {authority.name}'s {collection_round.label} WRES return is due on {closes_on:%-d %B %Y}"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, to))
