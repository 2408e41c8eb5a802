"""In-process timing of the council results page and the analyst dashboard (issue 18): wall time and
queries per request through django.test.Client, with the Redis cache working and with it down (every
cache call raising, as `wres_portal.cache` sees an unreachable Redis), on a world built by
`bench.steps` in a database of its own (BENCH_PAGES_DATABASE, default wres_bench_pages):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python -m bench.inprocess 2000 [--reuse]

No gunicorn, no wrk: it isolates what a request costs in Django and PostgreSQL from the server.
Each request sends the headers `bench.pages` gives wrk, `Accept-Encoding: gzip, deflate, br`
included (a browser's); BENCH_INPROCESS_ACCEPT_ENCODING replaces that value, and set empty drops
the header (status.csv then measured as a client that takes only the plain file receives it).
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

REPEATS = int(os.environ.get("BENCH_INPROCESS_REPEATS", "60"))


def _time(get: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """Median and 95th percentile wall time (ms) of `repeats` calls after one warm-up, and the median
    CPU time (ms) of this process (what Django and the driver spend, not PostgreSQL)."""
    get()
    times, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(cpu)


def _fetch(client: Any, path: str) -> Any:
    """One request, its body read in full: a streamed response (status.csv) costs nothing until its
    content is consumed, so timing only `client.get` would leave out the rows."""
    response = client.get(path)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def _with_accept_encoding(headers: dict[str, str]) -> dict[str, str]:
    accept = os.environ.get("BENCH_INPROCESS_ACCEPT_ENCODING")
    if accept is None:
        return headers
    others = {k: v for k, v in headers.items() if k.lower() != "accept-encoding"}
    return {**others, "Accept-Encoding": accept} if accept else others


def measure(endpoints: dict[str, tuple[str, dict[str, str]]], names: tuple[str, ...]) -> list[str]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from wres_portal.cache import ResilientRedisCache

    # As tests/metrics/test_pages.py stops Redis: the cache pointed at a port where nothing listens.
    down = {
        "default": {"BACKEND": "wres_portal.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    lines = []
    for redis_down in (False, True):
        for name in names:
            path, headers = endpoints[name]
            client = Client(headers=_with_accept_encoding(headers))
            cache.clear()
            with override_settings(CACHES=down) if redis_down else override_settings():
                ResilientRedisCache._down_until = 0.0
                response = _fetch(client, path)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {path} answered {response.status_code}")
                with CaptureQueriesContext(connection) as queries:
                    _fetch(client, path)
                count = len(queries)  # read now: the next request's request_started empties the log
                p50, p95, cpu = _time(functools.partial(_fetch, client, path), REPEATS)
            state = "Redis down" if redis_down else "Redis up"
            lines.append(
                f"{name:<13} {state:<10} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  CPU {cpu:6.1f} ms  "
                f"queries {count}"
            )
            print(lines[-1], flush=True)
    return lines


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 2000
    reuse = "--reuse" in sys.argv
    from bench import pages

    url = pages._database(os.environ.get("BENCH_PAGES_DATABASE", "wres_bench_pages"), fresh=not reuse)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wres_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench import steps
    from metrics.services import benchmarks_recompute

    call_command("migrate", verbosity=0)
    world = pages._existing_world(n, 1) if reuse else None
    if world is None:
        started = time.perf_counter()
        steps.reset()
        world = steps.build_world(n, 1)
        steps.bulk_load(world, skip=0)
        benchmarks_recompute(collection_round=world.collection_round)
        pages._analyze()
        print(f"Built N={n} in {time.perf_counter() - started:.0f} s", flush=True)
    pages._ensure_static()
    names = os.environ.get("BENCH_INPROCESS_PAGES", "trivial,signed_in,results_page,results_api,dashboard")
    measure(pages._endpoints(world), tuple(names.split(",")))


if __name__ == "__main__":
    main()
