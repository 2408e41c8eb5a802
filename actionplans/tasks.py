"""Background jobs for action plans. Each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_quarter_reminders() -> int:
    """Daily: a week before a quarter ends, remind councils whose action updates are missing (once each)."""
    return services.reminders_send()


@shared_task(acks_late=True)
def evaluate_targets(version_id: int | None = None) -> int:
    """Work out targets' outcomes: one council's for a round after its results are stored, or all."""
    if version_id is None:
        return services.targets_evaluate()
    return services.targets_evaluate_for_version(version_id)
