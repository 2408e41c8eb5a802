"""Issue 12, item 9: a graceful reload of gunicorn (HUP) keeps answering.

gunicorn is started with the repository's gunicorn.conf.py on a free loopback port; a client
probes /healthz continuously, each probe with a 5-second limit, while the master is sent HUP
twice. Every probe must be answered: before the configuration preloaded the application, the old
workers stopped while the new ones were still importing Django, and probes went unanswered.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.processes import run_python

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _probe(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return "ok" if response.status == 200 else f"status {response.status}"
    except OSError as error:
        return f"{type(error).__name__}: {error}"


def test_a_hup_reload_keeps_answering(tmp_path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "x" * 50,
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "wres_portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while _probe(url) != "ok":
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        results: list[str] = []
        stop = threading.Event()

        def probe_until_stopped() -> None:
            while not stop.is_set():
                results.append(_probe(url))
                time.sleep(0.02)

        probers = [threading.Thread(target=probe_until_stopped) for _ in range(4)]
        for thread in probers:
            thread.start()
        time.sleep(1)
        for _ in range(2):
            server.send_signal(signal.SIGHUP)
            time.sleep(4)
        stop.set()
        for thread in probers:
            thread.join()
        failures = [result for result in results if result != "ok"]
        assert len(results) > 50
        assert not failures, f"{len(failures)} of {len(results)} probes unanswered: {failures[:5]}"
        assert "Hang up" in (tmp_path / "gunicorn.log").read_text()  # the reloads happened
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_master_freezes_the_loaded_application_before_forking(tmp_path) -> None:
    """Issue 18: the workers' garbage collector must not scan (nor copy) what the master loaded.
    The configuration's hooks are run in a process of their own that has loaded the application,
    as gunicorn's master has with preload_app; gc.get_freeze_count() is 0 until gc.freeze()."""
    script = (
        "import gc, runpy\n"
        "from wres_portal.wsgi import application\n"
        f"config = runpy.run_path({str(ROOT / 'gunicorn.conf.py')!r})\n"
        "assert config['preload_app'] is True\n"
        "before = gc.get_freeze_count()\n"
        "config['when_ready'](None)\n"
        "loaded = gc.get_freeze_count()\n"
        "made_since = [[i] for i in range(1000)]\n"
        "config['pre_fork'](None, None)\n"
        "print(before, loaded, gc.get_freeze_count() - loaded)\n"
    )
    before, loaded, since = run_python(script, tmp_path)
    assert before == 0
    assert loaded > 50_000  # Django and the portal, loaded
    assert since >= 1000  # the lists made after when_ready, frozen by pre_fork
