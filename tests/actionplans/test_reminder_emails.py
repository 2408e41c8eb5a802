"""A quarterly reminder is marked sent only once it was really sent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from actionplans import services
from actionplans.models import QuarterReminderSent
from tests.emailbackends import FlakyBackend
from wres_portal import emails

DAY = datetime.datetime(2026, 6, 25, 8, 0, tzinfo=datetime.UTC)  # Q1 ends 30 June


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.emailbackends.FlakyBackend"
    FlakyBackend.failures = 1
    yield
    FlakyBackend.failures = 0


def test_a_reminder_whose_send_fails_is_not_marked_sent_and_goes_out_later(
    signed_plan, alice, voice_a, flaky_mail, django_capture_on_commit_callbacks
):
    with time_machine.travel(DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    reminder = QuarterReminderSent.objects.get()
    assert reminder.sent_at is None and mail.outbox == []

    # Run again while the task could still be retrying it: not queued twice.
    with time_machine.travel(DAY + datetime.timedelta(minutes=30), tick=False):
        assert services.reminders_send() == 0

    # The next day's run queues it again; this time it goes, and is marked sent.
    later = DAY + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    reminder.refresh_from_db()
    assert reminder.sent_at == later
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@lambeth.example", "voice@lambeth.example"]

    # Sent: never again.
    with time_machine.travel(later + datetime.timedelta(days=1), tick=False):
        assert services.reminders_send() == 0


def test_a_reminder_already_sent_is_not_sent_twice_by_a_second_task(signed_plan, alice, settings) -> None:
    with time_machine.travel(DAY, tick=False):
        services.reminders_send()  # queued (callbacks not run)
    reminder = QuarterReminderSent.objects.get()
    kwargs = {
        "subject": "Reminder",
        "body": "Body",
        "to": ["alice@lambeth.example"],
        "receipt": ["actionplans", "QuarterReminderSent", reminder.pk],
    }
    assert emails.send_email.apply(kwargs=kwargs).get() is True
    assert emails.send_email.apply(kwargs=kwargs).get() is False
    assert len(mail.outbox) == 1
