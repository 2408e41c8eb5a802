"""The Celery application.

With no REDIS_URL (the demo and the SQLite test run) settings switch tasks to eager mode, so the
same code paths run in-process; production and CI use Redis and real workers.
"""

from __future__ import annotations

import gc
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import celeryd_init, setup_logging, worker_before_create_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")

# Plumbing tasks (email) live outside the apps, so they are named here; the apps' are discovered.
app = Celery("wres_portal", include=["wres_portal.emails", "wres_portal.tasks"])
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
    "benchmarks-sweep": {
        "task": "metrics.tasks.sweep_stale_benchmarks",
        # Every 10 minutes, after the results sweep.
        "schedule": crontab(minute="5-59/10"),
    },
    "sessions-clean-up": {
        "task": "accounts.tasks.delete_expired_sessions",
        # Every night at 04:10 UK time.
        "schedule": crontab(hour=4, minute=10),
    },
    "idempotency-keys-clean-up": {
        "task": "wres_portal.tasks.delete_expired_idempotency_keys",
        # Every hour, at 23 minutes past.
        "schedule": crontab(minute=23),
    },
    "results-sweep": {
        "task": "metrics.tasks.sweep_missing_results",
        # Every 10 minutes, day and night.
        "schedule": crontab(minute="*/10"),
    },
}


@worker_before_create_process.connect
def _freeze_before_forking(**kwargs: object) -> None:
    """Before the prefork pool forks a child process: freeze what the parent has loaded (Django, the
    tasks) so that no child's garbage collector scans it or copies its memory, as gunicorn's master
    does (gunicorn.conf.py)."""
    gc.collect()
    gc.freeze()


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
