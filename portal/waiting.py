"""What is waiting for each person on their home page (GOV.UK "task" style list): what they can do
next, gathered from the return and the action plans. Reads only, through each app's selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.models import Authority, Role, User
from actionplans import selectors as plans
from metrics import selectors as results
from submissions import selectors as returns
from submissions import services as return_services
from submissions.models import CollectionRound, Return
from wres_portal.counting import count_each


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for someone: what to do (the link's text), where, and why (optional)."""

    text: str
    href: str
    detail: str = ""


def for_council_member(
    user: User, authority: Authority, role: str | None, collection_round: CollectionRound | None
) -> list[Waiting]:
    """The programme lead's and the senior sponsor's next steps for their council."""
    record = returns.return_of(authority, collection_round)
    if role == Role.SENIOR_SPONSOR:
        return _for_sponsor(user, authority, record)
    if role == Role.PROGRAMME_LEAD:
        return _for_lead(user, authority, record)
    return []


def _return_url(name: str, record: Return) -> str:
    return reverse(f"submissions:{name}", args=[record.authority.ons_code, record.round.label])


def _for_sponsor(user: User, authority: Authority, record: Return | None) -> list[Waiting]:
    items = []
    if record is not None and record.status == Return.Status.SUBMITTED:
        items.append(
            Waiting(
                f"Sign off the {record.round.label} return",
                _return_url("sign_off", record),
                "Submitted by the programme lead. Check the warnings, explanations and results, then sign "
                "it off or return it for revision.",
            )
        )
    for plan in plans.plans_waiting_for_sign_off(user, authority):
        sender = plan.sent_for_sign_off_by.display_name if plan.sent_for_sign_off_by else "The programme lead"
        items.append(
            Waiting(
                f"Sign off the {plan.year_label} action plan",
                reverse("actionplans:sign_off", args=[authority.ons_code, plan.year]),
                f"{sender} sent it for sign-off on {plan.sent_for_sign_off_at:%-d %B %Y}.",
            )
        )
    for report in plans.reports_waiting_for_sign_off(user, authority):
        items.append(
            Waiting(
                f"Sign off the progress report for {report.period.label}",
                reverse(
                    "actionplans:report_sign_off",
                    args=[authority.ons_code, report.plan.year, report.period.slug],
                ),
                f"Progress on the {report.plan.year_label} action plan, submitted by the programme lead.",
            )
        )
    return items


def _for_lead(user: User, authority: Authority, record: Return | None) -> list[Waiting]:
    items = []
    reason = returns.sent_back(record)
    if record is not None and reason is not None:
        items.append(
            Waiting(
                f"Revise the {record.round.label} return: it was returned for revision",
                _return_url("detail", record),
                f"{reason.actor.display_name} said: “{reason.message}”",
            )
        )
    if record is not None and record.is_editable() and record.current_version is not None:
        unexplained = len(return_services.unexplained_warnings(record.current_version))
        if unexplained:
            items.append(
                Waiting(
                    f"Explain {unexplained} warning{'s' if unexplained != 1 else ''} on the "
                    f"{record.round.label} return",
                    _return_url("detail", record) + "#warnings",
                    "Each unusual figure needs a written explanation before the return can be submitted.",
                )
            )
    for plan, quarter in plans.reports_due(user, authority):
        items.append(
            Waiting(
                f"The {quarter.label} progress report is due",
                reverse("actionplans:report", args=[authority.ons_code, plan.year, quarter.slug]),
                f"Update every action of the {plan.year_label} plan and submit the report by "
                f"{quarter.ends_on:%-d %B %Y}.",
            )
        )
    return items


#: Returns to accept named one by one on the analyst's home page; more are counted, with a link.
NAMED_RETURNS = 5


def for_analyst(collection_round: CollectionRound | None) -> list[Waiting]:
    """An analyst's next steps in the current round: returns to accept, late councils, releases."""
    if collection_round is None:
        return []
    label = collection_round.label
    monitor = reverse("submissions:monitor", args=[label])
    items = []
    # Three counts in one round trip; the returns to name read only when there are some (issue 18).
    counts = count_each(
        waiting=returns.awaiting_acceptance(collection_round),
        late=returns.late_authorities(collection_round),
        since=results.accepted_since_release(collection_round),
    )
    waiting, late, since = counts["waiting"], counts["late"], counts["since"]
    to_accept = returns.returns_to_accept(collection_round, limit=NAMED_RETURNS) if waiting else []
    for record in to_accept:
        items.append(
            Waiting(
                f"Accept {record.authority.name}'s {label} return",
                _return_url("accept", record),
                "Signed off by the council's senior sponsor.",
            )
        )
    if waiting > NAMED_RETURNS:
        items.append(
            Waiting(
                f"{waiting - NAMED_RETURNS} more signed-off returns to accept",
                reverse("submissions:worklist"),
            )
        )
    if late:
        items.append(
            Waiting(
                f"{late} council{'s have' if late != 1 else ' has'} not submitted the {label} return "
                "and the closing date has passed",
                monitor,
                "Remind them, or extend their closing date.",
            )
        )
    if since:
        items.append(
            Waiting(
                f"Make a release of the {label} national tables",
                reverse("metrics:releases", args=[label]),
                f"{since} return{'s were' if since != 1 else ' was'} accepted since the last release.",
            )
        )
    return items
