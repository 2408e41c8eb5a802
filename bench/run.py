"""`make bench`: the portal at national scale (issue 7). Every figure is printed beside a floor
measured in the same run, and checked against its budget.

For each scenario it builds synthetic returns for N organisations in its own database, then measures:

1. ingest: returns read, checked and saved per second through the upload service (a sample of
   BENCH_SAMPLE, default 1,000; the rest are bulk-loaded), beside a plain `COPY` of the same counts;
2. compute: a full national recompute (every return's results, then the benchmarks) on real Celery
   workers, beside one SQL query summing the same counts by service and group;
3. pages: p50/p95 latency and requests per second of the council results page, the analyst
   dashboard and the results API with 16 concurrent clients (wrk) against gunicorn, beside a
   trivial view on the same server (`bench/pages.py`);
4. SQL queries per request of each of those pages;
5. hostile uploads: the CPU of the worst of a set of hostile files of at most 5 MB against a valid
   return (`bench/uploads.py`, issue 13).

Needs PostgreSQL (DATABASE_URL: it creates and drops its own database, BENCH_DATABASE, default
wres_bench) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed at the start).
BENCH_SCENARIOS (default "150,150x5,2000,20000": N, or N x rounds), BENCH_WORKERS (Celery worker
processes, default 2), BENCH_PAGE_SECONDS (wrk duration per page, default 5), BENCH_PORT (gunicorn's
port; default a free one), BENCH_SKIP (while developing: any of "releases,uploads,hr_extract").
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_SCENARIOS = "150,150x5,2000,20000"
#: Pages held to 3 times the trivial view at every N.
COUNCIL_PAGES = ("results_page", "dashboard", "results_api")
#: Analyst lists and downloads: 3 times the trivial view at 20,000, and flat in N.
ANALYST_PAGES = ("monitor", "status_csv", "authority_list", "indicator", "tables_xlsx", "action_plans")
PAGES = ("signed_in", *COUNCIL_PAGES, *ANALYST_PAGES)
PAGE_LABELS = {
    "signed_in": "signed-in no-op view",
    "results_page": "council results page",
    "dashboard": "analyst dashboard",
    "results_api": "results API",
    "monitor": "completeness monitor",
    "status_csv": "status.csv",
    "authority_list": "authority list",
    "indicator": "national indicator page",
    "tables_xlsx": "tables.xlsx (published release)",
    "action_plans": "national action-plan page",
}


@dataclass
class Scenario:
    n: int
    rounds: int
    sample: int = 0
    ingest: float = 0.0
    copy_floor: float = 0.0
    compute: float = 0.0
    sql_floor: float = 0.0
    settle: float = 0.0
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.n:,}" + (f" x {self.rounds} rounds" if self.rounds > 1 else "")


def _scenarios() -> list[Scenario]:
    scenarios = []
    for item in os.environ.get("BENCH_SCENARIOS", DEFAULT_SCENARIOS).split(","):
        n, _, rounds = item.strip().partition("x")
        scenarios.append(Scenario(int(n), int(rounds or 1)))
    return scenarios


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
    return bench_url


def _setup_broker() -> str:
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(url).flushdb()
    os.environ["REDIS_URL"] = url  # real workers: tasks are not run in-process
    return url


def run_scenario(scenario: Scenario, bench_url: str, sample_cap: int, page_seconds: float) -> None:
    from django.db import connection

    from bench import pages, steps

    started = time.perf_counter()
    steps.reset()
    world = steps.build_world(scenario.n, scenario.rounds)
    scenario.sample = min(scenario.n, sample_cap)
    scenario.ingest = steps.ingest_through_upload(world, scenario.sample)
    scenario.copy_floor = steps.copy_floor(bench_url, world, scenario.sample)
    steps.bulk_load(world, skip=scenario.sample)
    scenario.compute = steps.compute_everything(world)
    scenario.sql_floor = steps.sql_sum_floor(world)
    scenario.settle = steps.settle()
    steps.publish_release(world)
    steps.load_plans(world)
    connection.close()
    scenario.pages = pages.measure_pages(world, database_url=bench_url, duration=page_seconds)
    scenario.seconds = time.perf_counter() - started
    print(
        f"  {scenario.label}: ingest {scenario.ingest:.1f}/s, compute {scenario.compute:.2f} s, "
        f"pages measured; {scenario.seconds:.0f} s in all",
        flush=True,
    )
    print("\n".join("    " + line for line in table([scenario])), flush=True)


def _ms(value: float) -> str:
    return f"{value:.1f}"


def table(scenarios: list[Scenario]) -> list[str]:
    """One row per scenario and measure: the figure, its floor, and the budget it answers to."""
    from bench import steps

    rows = [("N", "measure", "figure", "floor (same run)")]
    for s in scenarios:
        rows.append(
            (s.label, "ingest, returns/s", f"{s.ingest:.1f} (upload service, n={s.sample - steps.WARM_UP:,})",
             f"{s.copy_floor:,.0f} (COPY)")
        )  # fmt: skip
        rows.append((s.label, "national recompute, s", f"{s.compute:.2f}", f"{s.sql_floor:.3f} (SQL sum)"))
        rows.append(
            (s.label, "then documents built ahead, s", f"{s.settle:.2f} (dashboards, indicator pages)", "")
        )
        trivial = s.pages["trivial"]
        floor = f"{_ms(trivial['p50_ms'])} / {_ms(trivial['p95_ms'])} ms, {trivial['rps']:,.0f}/s (trivial)"
        signed = s.pages.get("signed_in")
        if signed and "cpu_ms" in signed:
            rows.append(
                (s.label, "CPU per request in-process, ms", f"{signed['cpu_ms']:.2f} (signed-in no-op view)",
                 f"{trivial['cpu_ms']:.2f} (/healthz)")
            )  # fmt: skip
        for page in PAGES:
            p = s.pages.get(page)
            if p is None:
                continue
            times = trivial["p95_ms"] and p["p95_ms"] / trivial["p95_ms"]
            figure = f"{_ms(p['p50_ms'])} / {_ms(p['p95_ms'])} ms, {p['rps']:,.1f}/s ({times:.1f}x)"
            if not p.get("n", 1):
                figure = "no request finished within the run (wrk)"
            rows.append((s.label, f"{PAGE_LABELS[page]}: p50 / p95, req/s", figure, floor))
        counts = ", ".join(f"{p} {s.pages[p]['queries']}" for p in PAGES if p in s.pages)
        rows.append((s.label, "queries per request", counts, f"trivial {trivial['queries']}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


def budgets(scenarios: list[Scenario]) -> list[str]:
    """Each budget of issues 7 and 18: met, or how far off."""
    lines = []
    by_n = {s.n: s for s in scenarios if s.rounds == 1}
    worst = min(scenarios, key=lambda s: s.ingest)
    lines.append(
        _verdict(worst.ingest >= 50, f"ingest >= 50 returns/s: lowest {worst.ingest:.1f} ({worst.label})")
    )
    large, medium, small = by_n.get(20_000), by_n.get(2_000), by_n.get(150)
    if large:
        lines.append(_verdict(large.compute < 30, f"recompute at 20,000 < 30 s: {large.compute:.1f} s"))
        if medium:
            ratio = large.compute / medium.compute
            lines.append(_verdict(ratio <= 11, f"recompute 20,000 / 2,000 <= 11: {ratio:.1f}"))
    else:
        lines.append(
            "  (no 20,000 scenario in this run: the recompute and analyst page budgets are not judged)"
        )
    for page in COUNCIL_PAGES:
        ratios = [(_p95(s.pages, page) / s.pages["trivial"]["p95_ms"], s.label) for s in scenarios]
        ratio, label = max(ratios)
        lines.append(
            _verdict(
                ratio <= 3, f"{PAGE_LABELS[page]} p95 <= 3x trivial at every N: worst {ratio:.1f}x ({label})"
            )
        )
    if large:
        for page in ANALYST_PAGES:
            if page not in large.pages:
                lines.append(f"  [not measured] {PAGE_LABELS[page]}")
                continue
            ratio = _p95(large.pages, page) / large.pages["trivial"]["p95_ms"]
            lines.append(
                _verdict(ratio <= 3, f"{PAGE_LABELS[page]} p95 <= 3x trivial at 20,000: {ratio:.1f}x")
            )
            if small and page in small.pages:
                growth = _p95(large.pages, page) / _p95(small.pages, page)
                lines.append(
                    _verdict(
                        growth <= 1.5, f"{PAGE_LABELS[page]} p95 at 20,000 <= 1.5x at 150: {growth:.1f}x"
                    )
                )
    signed = [(_p95(s.pages, "signed_in") / s.pages["trivial"]["p95_ms"], s.label) for s in scenarios]
    ratio, label = max(signed)
    lines.append(f"  [reported] signed-in no-op view p95 / trivial: worst {ratio:.1f}x ({label})")
    for page in PAGES:
        seen = {s.pages[page]["queries"] for s in scenarios if page in s.pages}
        if seen:
            lines.append(
                _verdict(
                    len(seen) == 1,
                    f"queries per request, {PAGE_LABELS[page]}, same at every N: {sorted(seen)}",
                )
            )
    return lines


def _p95(pages: dict[str, dict[str, Any]], page: str) -> float:
    """A page's p95, infinite where no request finished within the run."""
    p = pages[page]
    return p["p95_ms"] if p.get("n", 1) else float("inf")


def _verdict(ok: bool, text: str) -> str:
    return f"  [{'met' if ok else 'NOT MET'}] {text}"


def main() -> None:
    overall = time.perf_counter()
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    bench_url = _setup_database()
    _setup_broker()
    os.environ["DJANGO_SETTINGS_MODULE"] = "wres_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.workers import celery_workers

    call_command("migrate", verbosity=0)
    scenarios = _scenarios()
    sample_cap = int(os.environ.get("BENCH_SAMPLE", "1000"))
    page_seconds = float(os.environ.get("BENCH_PAGE_SECONDS", "5"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    print(f"WRES Portal benchmark: {len(scenarios)} scenarios, {workers} Celery worker processes", flush=True)
    with celery_workers(workers):
        for scenario in scenarios:
            run_scenario(scenario, bench_url, sample_cap, page_seconds)
    skip = {part.strip() for part in os.environ.get("BENCH_SKIP", "").split(",") if part.strip()}
    from bench import uploads

    hostile_uploads = None if "uploads" in skip else uploads.measure()
    print()
    print(
        f"WRES Portal at national scale (PostgreSQL, Redis, {workers} Celery worker processes, "
        f"gunicorn as gunicorn.conf.py sets it, wrk with 16 connections; {os.cpu_count()} CPU cores; "
        f"load average at the start {load_at_start})"
    )
    print("\n".join(table(scenarios)))
    print()
    print("Budgets (issues 7 and 18):")
    print("\n".join(budgets(scenarios)))
    print()
    if "releases" not in skip:
        from bench import releases

        print("\n".join(releases.run()))
        print()
    if hostile_uploads is not None:
        print("\n".join(uploads.report(hostile_uploads)))
        print()
    if "hr_extract" not in skip:
        from bench import hr_extract

        extract_results = hr_extract.measure()
        print("Building the return from HR data (headless Chromium, one Web Worker)")
        print("\n".join(hr_extract.table(extract_results)))
        print("Budget (issue 17):")
        print("\n".join(hr_extract.budgets(extract_results)))
        print()
    print(f"make bench took {time.perf_counter() - overall:.0f} s")


if __name__ == "__main__":
    main()
