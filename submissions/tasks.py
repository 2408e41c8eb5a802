"""Background jobs for returns."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_return_reminders() -> int:
    """Daily: remind councils that have not submitted, 14 and 3 days before closing (sent once each)."""
    return services.reminders_send()


@shared_task(acks_late=True)
def delete_expired_upload_previews() -> int:
    """Hourly: uploads nobody confirmed in time are deleted (safe to run twice)."""
    return services.upload_previews_delete_expired()
