"""What is waiting for each person on their home page (GOV.UK "task" style list): what they can do
next, gathered from the return and the action plans. Reads only, through each app's selectors."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Role, User
from actionplans import selectors as plans
from metrics import selectors as results
from submissions import documents as return_documents
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
#: Bump when what the analyst's waiting document holds, or how it is made, changes.
ANALYST_DOCUMENT_FORMAT = 1


def for_analyst(collection_round: CollectionRound | None) -> list[Waiting]:
    """An analyst's next steps in the current round: returns to accept, late councils, releases."""
    if collection_round is None:
        return []
    label = collection_round.label
    facts = _analyst_facts(collection_round)
    waiting, late, since = facts["waiting"], facts["late"], facts["since"]
    items = [
        Waiting(
            f"Accept {name}'s {label} return",
            reverse("submissions:accept", args=[ons_code, label]),
            "Signed off by the council's senior sponsor.",
        )
        for name, ons_code in facts["named"]
    ]
    if waiting > NAMED_RETURNS:
        more = waiting - NAMED_RETURNS
        items.append(
            Waiting(
                f"{more:,} more signed-off return{'s' if more != 1 else ''} to accept",
                reverse("submissions:worklist"),
            )
        )
    if late:
        items.append(
            Waiting(
                f"{late:,} council{'s have' if late != 1 else ' has'} not submitted the {label} return "
                "and the closing date has passed",
                reverse("submissions:monitor", args=[label]),
                "Remind them, or extend their closing date.",
            )
        )
    if since:
        items.append(
            Waiting(
                f"Make a release of the {label} national tables",
                reverse("metrics:releases", args=[label]),
                f"{since:,} return{'s were' if since != 1 else ' was'} accepted since the last release.",
            )
        )
    return items


def _analyst_facts(collection_round: CollectionRound) -> dict[str, Any]:
    """What the analyst's list says (`_count_facts`), kept as a monitor document (issue 18): counting
    the returns accepted since the last release read every accepted one of the round (10 to 20 ms in
    PostgreSQL at 20,000 councils, and growing). Everything it counts or names changes only with the
    monitor version (returns' status, submission time and lateness, extensions, councils' names),
    the day (lateness) and the latest release, which its key names: one query reads the version, the
    release's date and the stored document, and a miss counts afresh and stores the result."""
    today = timezone.localdate()
    found = returns.monitor_document_marked(collection_round, "waiting", results.latest_release_made)
    if found is None:  # no monitor version kept (not PostgreSQL): count every time
        made = results.latest_release_made(collection_round).first()
        return _count_facts(collection_round, made["created_at"] if made else None, today)
    version, key, content, made_at = found
    parts = (
        ANALYST_DOCUMENT_FORMAT,
        returns.monitor_key("waiting", collection_round, version, today),
        made_at.isoformat() if made_at else "",
    )
    wanted = hashlib.sha256(repr(parts).encode()).hexdigest()
    if key == wanted and content is not None:
        return dict(json.loads(content))
    facts = _count_facts(collection_round, made_at, today)
    return_documents.keep(collection_round, "waiting", wanted, json.dumps(facts).encode())
    return facts


def _count_facts(
    collection_round: CollectionRound, made: datetime.datetime | None, today: datetime.date
) -> dict[str, Any]:
    """The signed-off returns waiting for an analyst (counted, the first few named), the late councils
    and the returns accepted since the release made at `made`: three counts in one statement, and the
    returns to name read only when there are some."""
    counts = count_each(
        waiting=returns.awaiting_acceptance(collection_round),
        late=returns.late_authorities(collection_round, today),
        since=results.accepted_since(collection_round, made),
    )
    named = returns.returns_to_accept(collection_round, limit=NAMED_RETURNS) if counts["waiting"] else []
    return {**counts, "named": [[record.authority.name, record.authority.ons_code] for record in named]}
