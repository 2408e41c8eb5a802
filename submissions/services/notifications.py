from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Membership, Role, User
from submissions.models import CollectionRound, ReminderSent, Return
from wres_portal.emails import may_queue_again, send_email_on_commit

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
    send_email_on_commit(subject=subject, body=body, to=recipients)


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


REMINDER_DAYS = (14, 3)


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email programme leads of councils that have not submitted, 14 and 3 days before their
    closing date (extensions included). Each reminder goes once: a missed day is caught up the
    next day, and running the job twice sends nothing more. A reminder is marked sent once the email
    task has sent it, so a failed send is tried again. Returns the number of emails enqueued."""
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
                # Marked sent by the email task once the email has really gone; one the task gave up
                # on is queued again by a later run, and the task sends it at most once.
                reminder, created = ReminderSent.objects.get_or_create(
                    round=collection_round, authority=authority, kind=kind
                )
                if not (created or may_queue_again(reminder.queued_at, reminder.sent_at)):
                    continue
                if not created:
                    reminder.queued_at = timezone.now()
                    reminder.save(update_fields=["queued_at"])
                _send_reminder(reminder, closes_on, days_left, sorted(leads[authority.pk]))
                sent += 1
    return sent


def _send_reminder(reminder: ReminderSent, closes_on: datetime.date, days_left: int, to: list[str]) -> None:
    authority, collection_round = reminder.authority, reminder.round
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
    send_email_on_commit(
        subject=subject, body=body, to=to, receipt=("submissions", "ReminderSent", reminder.pk)
    )
