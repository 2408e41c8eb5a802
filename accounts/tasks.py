"""Scheduled work of the accounts app (wres_portal/celery.py names the schedule)."""

from __future__ import annotations

from celery import shared_task

from . import sessions


@shared_task
def delete_expired_sessions() -> None:
    """Daily: sessions past their expiry are deleted (Django's own `clear_expired`, as the
    `clearsessions` command runs it, on `accounts.Session`). Safe to run twice: the second run finds
    nothing left to delete."""
    sessions.SessionStore.clear_expired()
