"""The Celery application.

With no REDIS_URL (the demo and the SQLite test run) settings switch tasks to eager mode, so the
same code paths run in-process; production and CI use Redis and real workers.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import celeryd_init, setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")

# Plumbing tasks (email) live outside the apps, so they are named here; the apps' are discovered.
app = Celery("wres_portal", include=["wres_portal.emails"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "return-reminders": {
        "task": "submissions.tasks.send_return_reminders",
        # Every day at 07:00 UK time.
        "schedule": crontab(hour=7, minute=0),
    },
    "benchmarks-nightly": {
        "task": "metrics.tasks.recompute_benchmarks",
        # Every night at 02:30 UK time.
        "schedule": crontab(hour=2, minute=30),
    },
    "actionplan-reminders": {
        "task": "actionplans.tasks.send_quarter_reminders",
        # Every day at 07:15 UK time.
        "schedule": crontab(hour=7, minute=15),
    },
    "actionplan-targets-nightly": {
        "task": "actionplans.tasks.evaluate_targets",
        # Every night at 03:00 UK time.
        "schedule": crontab(hour=3, minute=0),
    },
    "upload-previews-clean-up": {
        "task": "submissions.tasks.delete_expired_upload_previews",
        "schedule": crontab(minute=17),
    },
    "results-sweep": {
        "task": "metrics.tasks.sweep_missing_results",
        # Every 10 minutes, day and night.
        "schedule": crontab(minute="*/10"),
    },
}


@celeryd_init.connect
def _worker_waits_for_the_broker(**kwargs: object) -> None:
    """Workers block on the broker by design (BRPOP), so they keep the default socket timeouts; the
    short ones in settings are for publishers, which must never hang a web request."""
    options = dict(app.conf.broker_transport_options)
    options.pop("socket_timeout", None)
    options.pop("socket_connect_timeout", None)
    app.conf.broker_transport_options = options
    app.conf.broker_connection_timeout = 4.0


@setup_logging.connect
def _use_django_logging(**kwargs: object) -> None:
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# Audit trail: changes made by a task are recorded as `task:<name>` (PostgreSQL only).
_task_contexts: dict[str, object] = {}


@task_prerun.connect
def _audit_context_enter(task_id: str, task: object, **kwargs: object) -> None:
    from audit.context import history_context

    if app.conf.task_always_eager:
        return  # an eager task runs inside its caller's context (a request or a command)
    context = history_context(source=f"task:{getattr(task, 'name', task)}")
    context.__enter__()
    _task_contexts[task_id] = context


@task_postrun.connect
def _audit_context_exit(task_id: str, **kwargs: object) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)  # type: ignore[attr-defined]
