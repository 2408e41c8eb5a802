"""Real Celery workers for the tests that need them (CI runs them against PostgreSQL and Redis).

Locally, without PostgreSQL and Redis, those tests skip; in CI `WRES_REQUIRE_SERVICES=1` turns a
missing service into a failure, so they cannot silently stop running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def require_services() -> None:
    """Skip (locally) or fail (in CI) unless the database is PostgreSQL and Redis is configured."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if missing:
        message = f"needs {' and '.join(missing)}"
        if os.environ.get("WRES_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def require_postgresql() -> None:
    """Skip (locally) or fail (in CI) unless the database is PostgreSQL (audit triggers, backups)."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (DATABASE_URL)"
        if os.environ.get("WRES_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Workers:
    def __init__(self, queue: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
        self.queue = queue
        self.processes = processes
        self.logs = logs

    def kill(self, index: int) -> None:
        """SIGKILL one worker, as a crash or an out-of-memory kill would."""
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def log(self, index: int) -> str:
        return self.logs[index].read_text(errors="replace")


def start_worker(
    queue: str, name: str, log: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start one worker on `queue` and wait until it is ready. `extra_env` sets variables for that
    worker only (e.g. WRES_TEST_TASK_DELAY, CELERY_VISIBILITY_TIMEOUT)."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "wres_portal.settings",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "wres_portal", "worker", "--pool=solo", "--loglevel=INFO",
        "-Q", queue, "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker {name} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return process


@contextmanager
def running_workers(count: int, tmp_path: Path) -> Iterator[Workers]:
    queue = f"wres-test-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / f"worker{i}.log" for i in range(count)]
    processes = [start_worker(queue, f"w{i}-{queue}", logs[i]) for i in range(count)]
    try:
        yield Workers(queue, processes, logs)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(predicate, *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
