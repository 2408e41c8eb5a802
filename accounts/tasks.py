"""Scheduled work of the accounts app (wres_portal/celery.py names the schedule)."""

from __future__ import annotations

from celery import shared_task

from . import sessions


@shared_task
def delete_expired_sessions() -> int:
    """Daily: sessions past their expiry are deleted. Safe to run twice: the second run finds nothing
    left to delete."""
    return sessions.sessions_delete_expired()
