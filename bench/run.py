"""`make bench`: ingest and computation at national scale, each figure beside a floor measured in
the same run (issue 7, first part: pages and queries per page are not measured yet).

Needs PostgreSQL: it creates and drops its own database (BENCH_DATABASE, default wres_bench) on
the server named by DATABASE_URL. Sizes: BENCH_SIZES (default "150,2000"), sample for the upload
path: BENCH_SAMPLE (default 1000; smaller N uploads every return).
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg


def _setup_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("make bench needs DATABASE_URL pointing at PostgreSQL (it creates its own database).")
    name = os.environ.get("BENCH_DATABASE", "wres_bench")
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    os.environ.pop("REDIS_URL", None)  # tasks eager: the benchmark times the work itself
    return bench_url


def main() -> None:
    bench_url = _setup_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "wres_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import steps

    call_command("migrate", verbosity=0)
    sizes = [int(n) for n in os.environ.get("BENCH_SIZES", "150,2000").split(",")]
    sample_cap = int(os.environ.get("BENCH_SAMPLE", "1000"))
    rows = []
    for n in sizes:
        steps.reset()
        world = steps.build_world(n)
        sample = min(n, sample_cap)
        ingest = steps.ingest_through_upload(world, sample)
        copy_rate = steps.copy_floor(bench_url, world, sample)
        steps.bulk_load_rest(world, skip=sample)
        compute = steps.compute_everything(world)
        floor = steps.sql_sum_floor(world)
        rows.append((n, sample, ingest, copy_rate, compute, floor))
        connection.close()
    print()
    print("WRES Portal benchmark (one round; PostgreSQL; tasks run in-process)")
    header = (
        f"{'N':>7} | {'ingest returns/s':>17} | {'floor: COPY returns/s':>22} | "
        f"{'compute all (s)':>16} | {'floor: SQL sum (s)':>19}"
    )
    print(header)
    print("-" * len(header))
    for n, sample, ingest, copy_rate, compute, floor in rows:
        print(
            f"{n:>7} | {ingest:>12.1f} (n={sample}) | {copy_rate:>22.0f} | {compute:>16.2f} | {floor:>19.3f}"
        )
    print()
    print("Budgets: ingest >= 50 returns/s; national recompute at N=20,000 < 60 s and at most 12x N=2,000.")
    print("Not measured yet: page latency under load, queries per page at each N, five rounds at N=150.")


if __name__ == "__main__":
    main()
