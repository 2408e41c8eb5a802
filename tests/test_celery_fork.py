"""Issue 18: the Celery worker's prefork pool forks its child processes from a parent that has loaded
Django and the tasks. As gunicorn's master does (tests/test_gunicorn.py), the parent freezes what it
has loaded before each fork, so no child's garbage collector scans it or copies its memory. Run in a
process of its own: freezing is for the life of a process."""

from __future__ import annotations

from tests.processes import run_python


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
    before, frozen = run_python(script, tmp_path)
    assert before == 0
    assert frozen > 50_000  # Django, the portal and its tasks
