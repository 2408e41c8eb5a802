"""Real Celery workers for `make bench`: the national recompute runs on them, as in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def celery_workers(concurrency: int) -> Iterator[Path]:
    """One prefork worker with `concurrency` processes on the broker in REDIS_URL (the bench's own
    Redis database), against the bench's DATABASE_URL; stopped on exit. Yields its log file."""
    log = Path(tempfile.mkstemp(prefix="wres-bench-worker-", suffix=".log")[1])
    command = [
        sys.executable, "-m", "celery", "-A", "wres_portal", "worker", "--pool=prefork",
        f"--concurrency={concurrency}", "--loglevel=WARNING", "-n", "bench@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=dict(os.environ), stdout=handle, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(process, log)
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    from celery import Celery

    app = Celery(broker=os.environ["REDIS_URL"])
    deadline = time.monotonic() + 180  # a busy machine is slow to fork and import
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker stopped:\n{log.read_text(errors='replace')}")
        replies = app.control.ping(timeout=0.5)
        if replies:
            return
    raise RuntimeError(f"the Celery worker did not start:\n{log.read_text(errors='replace')}")
