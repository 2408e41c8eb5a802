"""Analysts acting on many returns at once from the worklist: accept them, or remind the councils.

Each return goes through the same rules as one at a time. Bulk acceptance calls `return_accept` for
each, with the version and status the analyst was shown: a return that moved on since the list was
drawn is refused and named, and the rest are accepted. Each acceptance is its own savepoint, so a
refusal undoes nothing else; the rows are locked in id order, so two analysts accepting overlapping
selections at once cannot deadlock, and each return is accepted once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import Membership, User
from accounts.permissions import PROGRAMME_LEADS, SENIOR_SPONSORS
from submissions.models import ReminderSent, Return
from wres_portal.emails import may_queue_again, send_email_on_commit
from wres_portal.errors import ApplicationError

from .lifecycle import return_accept

#: Most returns one bulk action may name: one worklist page is 50.
BULK_MAX = 200

#: Who a reminder goes to, by the return's status, and what it asks them to do.
REMINDED = {
    Return.Status.DRAFT: (PROGRAMME_LEADS, "submit"),
    Return.Status.SUBMITTED: (SENIOR_SPONSORS, "sign off"),
}


@dataclass
class BulkOutcome:
    """What a bulk action did: the returns it acted on, and each one it did not with the reason."""

    done: list[Return] = field(default_factory=list)
    refused: list[tuple[Return, str]] = field(default_factory=list)


def _chosen_returns(chosen: Iterable[str]) -> list[Return]:
    uuids = sorted(set(chosen))
    if len(uuids) > BULK_MAX:
        raise ApplicationError(f"Select {BULK_MAX} returns or fewer at a time.")
    return list(Return.objects.filter(uuid__in=uuids).select_related("authority", "round").order_by("pk"))


def returns_accept_many(*, user: User, shown: Mapping[str, str], chosen: Iterable[str]) -> BulkOutcome:
    """Accept each chosen return (by uuid) at the state it was shown in (`shown`: uuid to state token,
    as `Return.state_token`). A return not shown, or changed since, is refused and named; the others
    are accepted. Analysts only."""
    if not permissions.can_accept_return(user):
        raise ApplicationError("Only Skills for Care analysts can accept a return.")
    outcome = BulkOutcome()
    for record in _chosen_returns(chosen):
        parsed = Return.parse_state_token(shown.get(str(record.uuid), ""))
        if parsed is None:
            outcome.refused.append((record, "It was not on the list you were shown. Open the list again."))
            continue
        try:
            with transaction.atomic():
                accepted = return_accept(
                    record=record,
                    user=user,
                    expected_version=parsed[0],
                    expected_status=parsed[1],
                    expected_explanations=parsed[2],
                )
        except ApplicationError as error:
            outcome.refused.append((record, error.message))
        else:
            outcome.done.append(accepted)
    return outcome


def _reminder_kind(today: datetime.date) -> str:
    return f"nudge-{today:%Y-%m-%d}"


def returns_remind(*, user: User, chosen: Iterable[str], today: datetime.date | None = None) -> BulkOutcome:
    """Email whoever acts next on each chosen return: the programme leads of a draft (to submit), the
    senior sponsors of a submitted return (to sign off). Once a day per return at most, however often
    it is asked for: a `ReminderSent` row per round, council and day claims it (unique), and the email
    task marks it sent. A return signed off or accepted is waiting for no one at the council. Analysts
    only."""
    if not permissions.is_national(user):
        raise ApplicationError("Only Skills for Care analysts can send reminders.")
    today = today or timezone.localdate()
    outcome = BulkOutcome()
    for record in _chosen_returns(chosen):
        if record.status not in REMINDED:
            outcome.refused.append(
                (
                    record,
                    f"It is {record.get_status_display().lower()}: nobody at the council has a step to take.",
                )
            )
            continue
        roles, step = REMINDED[Return.Status(record.status)]
        recipients = list(
            Membership.objects.filter(authority=record.authority, role__in=list(roles), user__is_active=True)
            .values_list("user__email", flat=True)
            .order_by("user__email")
        )
        if not recipients:
            who = "programme lead" if step == "submit" else "senior sponsor"
            outcome.refused.append((record, f"The council has no {who} to remind."))
            continue
        with transaction.atomic():
            reminder, created = ReminderSent.objects.select_for_update().get_or_create(
                round=record.round, authority=record.authority, kind=_reminder_kind(today)
            )
            if not (created or may_queue_again(reminder.queued_at, reminder.sent_at)):
                outcome.refused.append((record, "It was already reminded today."))
                continue
            if not created:
                reminder.queued_at = timezone.now()
                reminder.save(update_fields=["queued_at"])
            _send_nudge(record, reminder, step, recipients)
        outcome.done.append(record)
    return outcome


def _send_nudge(record: Return, reminder: ReminderSent, step: str, to: list[str]) -> None:
    authority, collection_round = record.authority, record.round
    link = settings.SITE_URL + reverse(
        "submissions:detail", args=[authority.ons_code, collection_round.label]
    )
    closes_on = collection_round.closes_on_for(authority)
    body = render_to_string(
        "emails/return_nudge.txt",
        {
            "authority": authority,
            "round": collection_round,
            "step": step,
            "closes_on": closes_on,
            "link": link,
        },
    )
    subject = (
        f"Reminder: {authority.name}'s {collection_round.label} WRES return is waiting for you to {step} it"
    )
    send_email_on_commit(
        subject=subject, body=body, to=to, receipt=("submissions", "ReminderSent", reminder.pk)
    )
