"""`manage.py compute_return FILE`: the engine without the web application.

The command is called in-process (`call_command`): it needs no database, so these tests have none.
One test runs it as its own process, in an empty environment, as someone would from a shell."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from submissions.schema import RowKey
from tests.factories import valid_data
from tests.submissions.test_views import _csv

ROOT = Path(__file__).resolve().parents[2]


def _run(path: Path, *extra: str) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of the command, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("compute_return", str(path), *extra, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _adults_m2_and_m9(document: dict) -> tuple[dict, dict]:
    by_key = {(r["service"], r["indicator"]): r for r in document["results"]}
    return by_key[("adults", "m2")], by_key[("adults", "m9")]


def test_valid_file_prints_the_document(tmp_path: Path) -> None:
    path = tmp_path / "return.csv"
    path.write_bytes(_csv(valid_data(("adults",))))
    code, out, err = _run(path, "--population-share", "20")
    assert code == 0, err
    document = json.loads(out)
    assert document["schema"] == "wres-results/1"
    m2, m9 = _adults_m2_and_m9(document)
    assert round(m2["relative_likelihood"], 5) == 0.61039
    assert [round(x, 5) for x in m2["ci95"]] == [0.42674, 0.87309]
    assert m9["share"]["population"] == pytest.approx(0.2)


def test_invalid_file_prints_located_errors_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "return.csv"
    path.write_bytes(_csv(valid_data(("adults",)), breaks={("adults", "appointed", "", "white"): 999}))
    code, out, _ = _run(path)
    assert code == 1
    row = 2 + sorted(valid_data(("adults",))).index(RowKey("adults", "appointed"))
    assert f"row {row}" in out.lower() and "appointed" in out


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"not a workbook")
    code, _, err = _run(path)
    assert code == 2
    assert err and "Traceback" not in err
    assert _run(tmp_path / "missing.csv")[0] == 2


def test_runs_as_its_own_process_with_no_database_or_settings_in_the_environment(tmp_path: Path) -> None:
    """The one run as a real process: an empty environment and a database file that does not exist."""
    path = tmp_path / "return.csv"
    path.write_bytes(_csv(valid_data(("adults",))))
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "manage.py", "compute_return", str(path), "--population-share", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "SQLITE_PATH": str(tmp_path / "db.sqlite3")},
    )
    assert done.returncode == 0, done.stderr
    m2, m9 = _adults_m2_and_m9(json.loads(done.stdout))
    assert round(m2["relative_likelihood"], 5) == 0.61039
    assert m9["share"]["population"] == pytest.approx(0.2)
    assert not (tmp_path / "db.sqlite3").exists()
