"""Who made a change: the context stored with every audit event.

Web requests get it from `middleware.HistoryMiddleware` ({"user": id, "url": path}). Background
work says what it is: Celery tasks get {"source": "task:<name>"} (wres_portal/celery.py) and
management commands {"source": "command:<name>"} (manage.py); code acting for a known person passes
`user=`. On databases other than PostgreSQL (the SQLite demo and test run) there are no triggers to
read the context, and pghistory's SQL would not run there, so these helpers do nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pghistory
from django.db import connection


def tracking() -> bool:
    """True when the database records audit events (PostgreSQL with pghistory's triggers)."""
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def history_context(**metadata: Any) -> Iterator[None]:
    """Attach `metadata` (user=<id>, source=..., ...) to every change made inside the block."""
    if not tracking():
        yield
        return
    with pghistory.context(**metadata):
        yield


def command_context(argv: list[str]) -> contextlib.AbstractContextManager[None]:
    """The context for a manage.py command: changes are attributed to `command:<name>`. The
    development server is left alone (its requests have their own context)."""
    name = argv[1] if len(argv) > 1 else ""
    if not name or name.startswith("-") or name in {"runserver", "test", "help"}:
        return contextlib.nullcontext()
    return history_context(source=f"command:{name}")
