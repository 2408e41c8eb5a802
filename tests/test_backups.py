"""Backups (issue 6): the README's `pg_dump --format=custom` / `pg_restore` commands, run on the test
database with results, benchmarks and audit history in it, restore into a fresh empty database that
shows the same results. PostgreSQL only: skipped locally on SQLite, required in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from audit.models import VersionResultsHistory
from metrics import tasks
from metrics.models import Benchmark, VersionResults
from submissions.demo import _add_return
from submissions.models import Return
from tests.factories import AuthorityFactory, open_round
from tests.workers import require_postgresql

BENCHMARK_COLUMNS = (
    "round_id, service, indicator, scope, scope_value, n_authorities, pooled, distribution, bands"
)


def _libpq_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": s["HOST"] or "127.0.0.1",
        "PGPORT": str(s["PORT"] or 5432),
        "PGUSER": s["USER"],
    }
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def _read(dbname: str) -> dict[str, list[tuple]]:
    """The results as stored, read with psycopg directly (not through Django)."""
    env = _libpq_env()
    with psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env.get("PGPASSWORD"),
        dbname=dbname,
    ) as db:
        return {
            "results": db.execute(
                "SELECT version_id, authority_id, document FROM metrics_versionresults ORDER BY version_id"
            ).fetchall(),
            "benchmarks": db.execute(
                f"SELECT {BENCHMARK_COLUMNS} FROM metrics_benchmark ORDER BY {BENCHMARK_COLUMNS}"
            ).fetchall(),
            "result_rows": db.execute(
                "SELECT version_id, service, indicator, value FROM metrics_result ORDER BY 1, 2, 3"
            ).fetchall(),
            "audit_events": db.execute("SELECT count(*) FROM audit_versionresultshistory").fetchall(),
            "triggers": db.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
            ).fetchall(),
        }


def test_a_dump_restored_into_an_empty_database_shows_the_same_results(
    transactional_db, analyst, tmp_path
) -> None:
    require_postgresql()
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing (Debian package postgresql-client)")
    collection_round = open_round("2025", created_by=analyst)
    for n in range(6):
        authority = AuthorityFactory.create(region=["London", "North West"][n % 2])
        _add_return(authority, collection_round, Return.Status.ACCEPTED, analyst, f"backup{n}")
    tasks.recompute_benchmarks(collection_round.pk)
    assert VersionResults.objects.count() == 6 and Benchmark.objects.count() > 50
    source = connection.settings_dict["NAME"]
    before = _read(source)
    assert before["audit_events"][0][0] > 0

    env = _libpq_env()
    dump = tmp_path / "wres.dump"
    # The README's commands: a custom-format dump, restored into an empty database.
    subprocess.run(  # noqa: S603
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), "--dbname", source],  # noqa: S607
        env=env,
        check=True,
    )
    restored = f"wres_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], password=env.get("PGPASSWORD"),
        dbname="postgres", autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(f'CREATE DATABASE "{restored}"')
        try:
            subprocess.run(  # noqa: S603
                ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],  # noqa: S607
                env=env,
                check=True,
            )
            after = _read(restored)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    assert after["results"] == before["results"]
    assert after["benchmarks"] == before["benchmarks"]
    assert after["result_rows"] == before["result_rows"]
    # The audit trail and its triggers come back too.
    assert after["audit_events"] == before["audit_events"] == [(VersionResultsHistory.objects.count(),)]
    assert after["triggers"] == before["triggers"] and len(after["triggers"]) >= 30
