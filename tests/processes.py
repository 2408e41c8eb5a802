"""Python run in a process of its own, for what lasts for the life of a process (gc.freeze)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(script: str, tmp_path: Path) -> list[int]:
    """Run `script` in a new interpreter in the project folder with production's DEBUG off and a
    SQLite database of its own; return the integers it printed. Fails with its stderr if it fails."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wres_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "x" * 50,
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [int(n) for n in done.stdout.split()]
