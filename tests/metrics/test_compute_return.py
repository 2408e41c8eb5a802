"""`manage.py compute_return FILE`: the engine without the web application."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from submissions.schema import RowKey
from tests.factories import valid_data
from tests.submissions.test_views import _csv

ROOT = Path(__file__).resolve().parents[2]


def _run(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "manage.py", "compute_return", str(path), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "SQLITE_PATH": str(path.parent / "db.sqlite3")},
    )


def test_valid_file_prints_the_document(tmp_path: Path) -> None:
    path = tmp_path / "return.csv"
    path.write_bytes(_csv(valid_data(("adults",))))
    done = _run(path, "--population-share", "20")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "wres-results/1"
    m2 = next(r for r in document["results"] if (r["service"], r["indicator"]) == ("adults", "m2"))
    assert round(m2["relative_likelihood"], 5) == 0.61039
    assert [round(x, 5) for x in m2["ci95"]] == [0.42674, 0.87309]
    m9 = next(r for r in document["results"] if (r["service"], r["indicator"]) == ("adults", "m9"))
    assert m9["share"]["population"] == pytest.approx(0.2)


def test_invalid_file_prints_located_errors_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "return.csv"
    path.write_bytes(_csv(valid_data(("adults",)), breaks={("adults", "appointed", "", "white"): 999}))
    done = _run(path)
    assert done.returncode == 1
    row = 2 + sorted(valid_data(("adults",))).index(RowKey("adults", "appointed"))
    assert f"row {row}" in done.stdout.lower() and "appointed" in done.stdout


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"not a workbook")
    done = _run(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert _run(tmp_path / "missing.csv").returncode == 2
