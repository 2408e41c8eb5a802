"""Pages under load, and queries per page (issue 7): four endpoints served by gunicorn as in
production (DEBUG off, the Dockerfile's command), each driven by wrk with 16 connections.

- `trivial`: /healthz, a view that touches neither the database nor the session (the floor);
- `signed_in`: /account/session/, a signed-in no-op view (the programme lead's session): what any
  signed-in page costs before it does anything (the session, the user and their second factor);
- `results_page`: one authority's results page, signed in as its programme lead;
- `dashboard`: the national dashboard, signed in as the analyst (multi-factor sign-in done the real
  way: a confirmed authenticator app and a session verified with it, as `django_otp.login` leaves it);
- `results_api`: the results API of that authority's version, with the lead's API token;
- the analyst's lists and downloads, as the analyst: the completeness monitor, `status.csv`, the
  authority list, the national page of one indicator, the round's `tables.xlsx` (of a published
  release, see `bench.steps.publish_release`) and the national action-plan page (every
  organisation with a plan, `bench.steps.load_plans`).

Every request sends `Accept-Encoding: gzip, deflate, br`, as a browser does on every request
(`BROWSER_HEADERS`): a download stored gzipped (status.csv) is measured as browsers receive it.

Each endpoint's queries per request are counted in-process (django.test.Client against the same data
and sessions), after one warm-up request, so they are the figures of a page served from a warm cache.

`measure_pages(world, database_url=...)` needs Django set up against `database_url`, the world built
by `bench.steps` with every return accepted and the round's benchmarks computed. Standalone, it builds
its own data first in a database of its own (BENCH_PAGES_DATABASE, default wres_bench_pages):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.pages 2000

`150x5` builds five rounds; with `--reuse` it keeps a database already built for that N (handy while
working on a page). Its cache is Redis database 13 (BENCH_PAGES_REDIS_URL), emptied first.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.steps import World

BASE_DIR = Path(__file__).resolve().parent.parent
#: Sent with every request of every endpoint, as a browser sends it.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}
CONNECTIONS = 16
THREADS = 2

# wrk prints its own summary first; done() adds one line this module parses (latencies in µs).
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRES p50_us=%d p95_us=%d requests=%d duration_us=%d errors=%d bad_status=%d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""
RESULT = re.compile(
    r"WRES p50_us=(\d+) p95_us=(\d+) requests=(\d+) duration_us=(\d+) errors=(\d+) bad_status=(\d+)"
)


def _free_port() -> int:
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session(user, *, device=None) -> str:
    """A signed-in session for `user`, stored server-side as `Client.force_login` and `django_otp.login`
    leave it; returns the session key (the cookie's value)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import REFRESHED_KEY
    from accounts.sessions import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As every sign-in leaves it (accounts.middleware): the inactivity clock started now, the row's
    # long expiry. wrk sends no activity cookie, so each request is judged by this clock: under
    # SESSION_COOKIE_AGE, far longer than a scenario's pages take.
    session[REFRESHED_KEY] = time.time()
    session.set_expiry(settings.SESSION_STORE_SECONDS)
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return str(session.session_key)


def _endpoints(world: World) -> dict[str, tuple[str, dict[str, str]]]:
    """Each endpoint's path and the headers that authenticate it."""
    from django.conf import settings
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from submissions.models import Return

    authority = world.authorities[0]
    lead = world.leads[authority.pk]
    label = world.collection_round.label
    current = (
        Return.objects.select_related("current_version")
        .get(authority=authority, round=world.collection_round)
        .current_version
    )
    if current is None:
        raise ValueError(f"{authority.ons_code} has no return version to open")
    number = current.number
    device, _ = TOTPDevice.objects.get_or_create(
        user=world.analyst, name="Bench authenticator", defaults={"confirmed": True}
    )
    cookie = settings.SESSION_COOKIE_NAME
    lead_cookie = {"Cookie": f"{cookie}={_session(lead)}"}
    analyst_cookie = {"Cookie": f"{cookie}={_session(world.analyst, device=device)}"}
    from accounts.models import ApiToken
    from accounts.tokens import api_token_create

    # The bench's token from an earlier run on the same data, revoked: a user may hold 20 at once.
    ApiToken.objects.filter(user=lead, name="Bench", revoked_at__isnull=True).delete()
    _, token_key = api_token_create(user=lead, name="Bench", scope="read", expires_in_days=7, verified=False)
    from metrics.indicators import INDICATORS

    found = {
        "trivial": (reverse("healthz"), {}),
        "signed_in": (reverse("accounts:session_status"), lead_cookie),
        "results_page": (reverse("metrics:council_results", args=[authority.ons_code, label]), lead_cookie),
        "dashboard": (reverse("metrics:dashboard"), analyst_cookie),
        "results_api": (
            reverse("metrics-api:version_results", args=[authority.ons_code, label, number]),
            {"Authorization": f"Token {token_key}"},
        ),
        "monitor": (reverse("submissions:monitor", args=[label]), analyst_cookie),
        "status_csv": (reverse("submissions:monitor_csv", args=[label]), analyst_cookie),
        "authority_list": (reverse("portal:authority_list"), analyst_cookie),
        "indicator": (reverse("metrics:indicator", args=[label, INDICATORS[0].code]), analyst_cookie),
        "action_plans": (reverse("actionplans:national"), analyst_cookie),
    }
    if _published_release(world) is not None:
        found["tables_xlsx"] = (reverse("metrics:national_xlsx", args=[label]), analyst_cookie)
    return {name: (path, {**BROWSER_HEADERS, **headers}) for name, (path, headers) in found.items()}


def _published_release(world: World):
    from metrics.models import Release

    return Release.objects.filter(round=world.collection_round, published=True).first()


#: Endpoints whose CPU per request is also measured in-process (the per-request overhead).
CPU_ENDPOINTS = ("trivial", "signed_in")
CPU_REPEATS = 300


def count_queries(
    endpoints: dict[str, tuple[str, dict[str, str]]],
) -> tuple[dict[str, int], dict[str, float]]:
    """SQL queries per request of each endpoint, in-process, after one warm-up request; and the CPU
    per request (ms, mean of CPU_REPEATS, in this process: the whole Django request, no network)
    of CPU_ENDPOINTS."""
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.throttling import SimpleRateThrottle

    counts = {}
    cpu = {}
    # The server under wrk runs with the API's rate limits lifted (API_RATE_PER_* below); so do these
    # requests, which share its Redis and, from the second scenario on, its token's request history.
    unlimited = {"token": "1000000/minute", "address": "1000000/minute"}
    with mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, unlimited):
        for name, (path, headers) in endpoints.items():
            client = Client(headers=headers)
            first = client.get(path)
            if first.status_code != 200:
                raise RuntimeError(f"{name}: {path} answered {first.status_code} in-process, not 200")
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            counts[name] = len(queries)
            if name in CPU_ENDPOINTS:
                started = time.process_time()
                for _ in range(CPU_REPEATS):
                    client.get(path)
                cpu[name] = (time.process_time() - started) * 1000 / CPU_REPEATS
    return counts, cpu


def _ensure_static() -> None:
    """Production settings serve hashed static files: collect them once if they never were."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file():
        call_command("collectstatic", interactive=False, verbosity=0)


def _analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum keeps them in production: without
    them PostgreSQL plans the pages' small lookups as if the tables were empty (sequential scans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _server_env(database_url: str) -> dict[str, str]:
    """The production configuration (DEBUG off, this process's REDIS_URL as cache, if any), on
    loopback HTTP."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        # Loopback HTTP: no HTTPS redirect or secure-only cookies (production sets HTTPS=true
        # behind its TLS proxy); everything else is the production configuration.
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        # wrk sends thousands of requests a minute with one token from one address: the API's rate
        # limits (wres_portal/throttling.py, still checked on every request) are raised out of reach.
        API_RATE_PER_TOKEN="1000000/minute",  # noqa: S106  (a rate, not a password)
        API_RATE_PER_ADDRESS="1000000/minute",
    )
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    return env


def _get(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a loopback URL we built

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        # Generous: a slow analyst page may still be queued behind the previous wrk run's requests.
        with opener.open(request, timeout=300) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before answering /healthz")
        try:
            if _get(base + "/healthz", {}) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within a minute")


def _wrk(url: str, headers: dict[str, str], duration: float, script: str) -> dict[str, float]:
    command = [
        "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(duration))}s", "--timeout", "60s",
        "-s", script,
    ]  # fmt: skip
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    found = RESULT.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no result line:\n{out}")
    p50, p95, requests, duration_us, errors, bad = (int(g) for g in found.groups())
    if errors or bad:
        raise RuntimeError(f"{url}: {errors} socket errors and {bad} responses >= 400 under load:\n{out}")
    return {
        "p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "rps": requests / (duration_us / 1e6), "n": requests,
    }  # fmt: skip


def measure_pages(world: World, *, database_url: str, duration: float = 8.0) -> dict[str, dict]:
    """Start gunicorn (production settings, DEBUG off) on a free loopback port against database_url,
    drive each endpoint with 16 concurrent connections using wrk, return per endpoint:
    {"p50_ms": float, "p95_ms": float, "rps": float, "queries": int, "status": int}

    Django must already be set up against the same database (the sessions and the API token are
    made here, server-side). The server inherits this process's environment, REDIS_URL included (its
    cache; without it each gunicorn worker has an in-memory cache of its own).
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    _ensure_static()
    _analyze()
    endpoints = _endpoints(world)
    queries, cpu = count_queries(endpoints)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = str(Path(tmp) / "report.lua")
        Path(script).write_text(LUA)
        log_path = Path(tmp) / "gunicorn.log"
        log = log_path.open("wb")
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "wres_portal.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=_server_env(database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base, server)
            for name, (path, headers) in endpoints.items():
                status = _get(base + path, headers)
                if status != 200:
                    raise RuntimeError(f"{name}: GET {path} answered {status}, not 200: nothing to measure")
                _wrk(base + path, headers, 1, script)  # warm-up: every worker, every cache
                results[name] = {
                    **_wrk(base + path, headers, duration, script),
                    "queries": queries[name],
                    "status": status,
                }
                if name in cpu:
                    results[name]["cpu_ms"] = cpu[name]
        except Exception:
            print(f"gunicorn's log:\n{log_path.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    return results


def print_table(n: int, results: dict[str, dict]) -> None:
    header = (
        f"{'N':>7} | {'endpoint':<13} | {'p50 (ms)':>9} | {'p95 (ms)':>9} | {'req/s':>8} | {'queries':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(
            f"{n:>7} | {name:<13} | {r['p50_ms']:>9.1f} | {r['p95_ms']:>9.1f} | {r['rps']:>8.0f} | "
            f"{r['queries']:>7}"
        )


# Standalone: python -m bench.pages N [--reuse] -------------------------------------------------------


def _database(name: str, *, fresh: bool) -> str:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench.pages needs DATABASE_URL pointing at PostgreSQL (it creates its own database).")
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _existing_world(n: int, rounds: int) -> World | None:
    """The world already in the database, if it was built for `n` and `rounds` with benchmarks."""
    from accounts.models import Authority, Membership, Role, User
    from bench.steps import World
    from metrics.models import Benchmark
    from submissions.models import CollectionRound

    authorities = list(Authority.objects.order_by("ons_code"))
    collection_rounds = list(CollectionRound.objects.order_by("opens_on"))
    built = Benchmark.objects.values("round").distinct().count()
    if len(authorities) != n or len(collection_rounds) != rounds or built != rounds:
        return None
    leads = {
        m.authority_id: m.user
        for m in Membership.objects.filter(role=Role.PROGRAMME_LEAD).select_related("user")
    }
    analyst = User.objects.get(email="bench-analyst@bench.example")
    return World(authorities, collection_rounds, analyst, leads)


def main() -> None:
    """python -m bench.pages N[xROUNDS] [--reuse]: build the data (unless --reuse finds it), measure."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reuse = "--reuse" in sys.argv
    n_text, _, rounds_text = (args[0] if args else "2000").partition("x")
    n, rounds = int(n_text), int(rounds_text or 1)
    url = _database(os.environ.get("BENCH_PAGES_DATABASE", "wres_bench_pages"), fresh=not reuse)
    os.environ["DATABASE_URL"] = url
    # A Redis database of its own for the cache, as bench/run.py gives the server one; emptied first.
    redis_url = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wres_portal.settings"
    import django
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import steps
    from metrics.services import benchmarks_recompute

    call_command("migrate", verbosity=0)
    world = _existing_world(n, rounds) if reuse else None
    if world is None:
        started = time.perf_counter()
        steps.reset()
        world = steps.build_world(n, rounds)
        steps.bulk_load(world, skip=0)
        for collection_round in world.rounds:
            benchmarks_recompute(collection_round=collection_round)
        steps.load_plans(world)
        print(f"Built N={n} x {rounds} rounds in {time.perf_counter() - started:.0f} s", flush=True)
    connection.close()
    started = time.perf_counter()
    results = measure_pages(
        world, database_url=url, duration=float(os.environ.get("BENCH_PAGE_SECONDS", "8"))
    )
    print(f"Measured in {time.perf_counter() - started:.0f} s")
    print_table(n, results)
    trivial = results["trivial"]["p95_ms"]
    for name in ("results_page", "dashboard", "results_api"):
        print(f"{name}: p95 {results[name]['p95_ms'] / trivial:.1f}x the trivial view's")


if __name__ == "__main__":
    main()
