"""The Celery application.

With no REDIS_URL (the demo and the SQLite test run) settings switch tasks to eager mode, so the
same code paths run in-process; production and CI use Redis and real workers.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")

app = Celery("wres_portal")
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
    "results-sweep": {
        "task": "metrics.tasks.sweep_missing_results",
        # Every 10 minutes, day and night.
        "schedule": crontab(minute="*/10"),
    },
}


@setup_logging.connect
def _use_django_logging(**kwargs: object) -> None:
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
