"""A return reminder is marked sent only once it was really sent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from submissions import services
from submissions.models import ReminderSent
from tests.emailbackends import FlakyBackend


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.emailbackends.FlakyBackend"
    FlakyBackend.failures = 1
    yield
    FlakyBackend.failures = 0


def test_a_reminder_whose_send_fails_is_not_marked_sent_and_goes_out_later(
    authority_a, alice, collection_round, flaky_mail, django_capture_on_commit_callbacks
):
    day = collection_round.closes_on - datetime.timedelta(days=14)
    now = timezone.now()
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=day) == 1
    reminder = ReminderSent.objects.get()
    assert reminder.kind == "14_days" and reminder.sent_at is None
    assert mail.outbox == []

    # The job runs again while the task could still be retrying: not queued twice.
    with time_machine.travel(now + datetime.timedelta(minutes=30), tick=False):
        assert services.reminders_send(today=day) == 0

    # The next day's run queues the same reminder again; it goes, and is marked sent.
    later = now + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=day + datetime.timedelta(days=1)) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at == later
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "in 13 days" in mail.outbox[0].body

    with time_machine.travel(later + datetime.timedelta(days=1), tick=False):
        assert services.reminders_send(today=day + datetime.timedelta(days=2)) == 0
