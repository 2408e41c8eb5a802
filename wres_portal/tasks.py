"""Plumbing tasks of the project package (the apps' own live in their tasks.py)."""

from __future__ import annotations

from celery import shared_task

from . import idempotency


@shared_task
def delete_expired_idempotency_keys() -> int:
    """Delete API Idempotency-Key records past their expiry. Safe to run twice: the second run finds
    nothing left to delete."""
    return idempotency.delete_expired()
