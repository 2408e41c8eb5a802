"""Background jobs: each safe to run twice."""

from __future__ import annotations

import datetime

import time_machine

from actionplans import services, tasks
from actionplans.models import QuarterReminderSent, Target
from tests.builders import submitted_return


def test_reminder_task_is_idempotent(signed_plan, django_capture_on_commit_callbacks, mailoutbox):
    day = datetime.datetime(2026, 9, 25, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_quarter_reminders() == 1
        assert tasks.send_quarter_reminders() == 0
    assert len(mailoutbox) == 1
    assert QuarterReminderSent.objects.get().quarter == 2


def test_evaluate_targets_task(early_plan, alice, authority_a, collection_round):
    target = services.target_create(
        objective=early_plan.objectives.first(),
        user=alice,
        indicator="m2",
        service="all",
        comparison="gte",
        value=0.1,
        round_label=collection_round.label,
    )
    record = submitted_return(authority_a, collection_round, lead=alice, compute_results=True)
    assert tasks.evaluate_targets(record.current_version_id) == 1
    assert tasks.evaluate_targets(record.current_version_id) == 0
    target.refresh_from_db()
    assert target.outcome == Target.Outcome.MET
    assert tasks.evaluate_targets() == 0
