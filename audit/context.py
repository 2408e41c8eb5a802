"""Who made a change: the context stored with every audit event.

Web requests get it from `middleware.HistoryMiddleware` ({"user": id, "url": path}). Background
work says what it is: Celery tasks get {"source": "task:<name>"} (`task_started`, connected in
audit/apps.py) and management commands {"source": "command:<name>"} (manage.py); code acting for a
known person passes `user=`. On databases other than PostgreSQL (the SQLite demo and test run) there
are no triggers to read the context, and pghistory's SQL would not run there, so these helpers do
nothing.
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


# Changes made by a Celery task are recorded as `task:<name>`; connected to Celery's task_prerun and
# task_postrun in AuditConfig.ready().
_task_contexts: dict[str, contextlib.AbstractContextManager[None]] = {}


def task_started(task_id: str, task: Any, **kwargs: Any) -> None:
    if task.app.conf.task_always_eager:
        return  # an eager task runs inside its caller's context (a request or a command)
    context = history_context(source=f"task:{getattr(task, 'name', task)}")
    context.__enter__()
    _task_contexts[task_id] = context


def task_finished(task_id: str, **kwargs: Any) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
