"""Issue 18: the Celery worker's prefork pool forks its child processes from a parent that has loaded
Django and the tasks. As gunicorn's master does (tests/test_gunicorn.py), the parent freezes what it
has loaded before each fork, so no child's garbage collector scans it or copies its memory. Run in a
process of its own: freezing is for the life of a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_pool_parent_freezes_what_it_has_loaded_before_forking(tmp_path) -> None:
    script = (
        "import gc, django\n"
        "django.setup()\n"
        "from celery.signals import worker_before_create_process\n"
        "from wres_portal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "before = gc.get_freeze_count()\n"
        "worker_before_create_process.send(sender=None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wres_portal.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "x" * 50,
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, frozen = (int(n) for n in done.stdout.split())
    assert before == 0
    assert frozen > 50_000  # Django, the portal and its tasks
