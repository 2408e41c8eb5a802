"""Shared fixtures. The tenancy trio (STYLE.md section 10): alice edits authority A, bob only views
A, charlie edits authority B; plus a Skills for Care analyst."""

from __future__ import annotations

import os
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.models import Authority, Role, User
from submissions.models import Return
from tests.builders import draft_return
from tests.factories import AuthorityFactory, UserFactory, member, open_round

# `make mutation` runs the property tests once per mutant, two at a time on a busy machine: the same
# examples every time (so a score can be compared), no example database shared between mutants, and
# no timing checks (a health check failing under load would count as a killed mutant).
hypothesis_settings.register_profile(
    "mutation", derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(scope="session", autouse=True)
def _redis_database_per_test_process(worker_id: str):
    """`pytest -n 2` with Redis: each test process its own Redis database. Every test empties the
    cache (FLUSHDB, `_fast_and_plain`), which in a shared database emptied the other process's
    throttle counters in the middle of its tests. The cache, the Celery broker and the servers and
    workers the tests start (REDIS_URL) all move to it. A run of one process (CI) is unchanged."""
    from django.conf import settings
    from django.test import override_settings

    from wres_portal.celery import app

    if worker_id == "master" or not settings.REDIS_URL:
        yield
        return
    parts = urlsplit(settings.REDIS_URL)
    database = (int(parts.path.strip("/") or 0) + 1 + int(worker_id.removeprefix("gw"))) % 16
    url = urlunsplit(parts._replace(path=f"/{database}"))
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}}
    with (
        mock.patch.dict(app.conf, {"broker_url": url}),
        mock.patch.dict(os.environ, {"REDIS_URL": url}),
        override_settings(REDIS_URL=url, CELERY_BROKER_URL=url, CACHES=caches),
    ):
        yield


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process in tests, even when REDIS_URL is set (CI); the tests that need a real
    worker start one and switch this off."""
    from wres_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


#: submissions/migrations/0011: the triggers that bump MonitorVersion at commit.
MONITOR_TRIGGERS = (
    "wres_monitor_return_rows, wres_monitor_return_change, wres_monitor_extension, "
    "wres_monitor_authority_rows, wres_monitor_authority_change"
)
#: actionplans/migrations/0006: the triggers that bump PlansVersion at commit.
PLANS_TRIGGERS = ", ".join(
    f"wres_plans_{table}_{kind}"
    for table in ("plan", "objective", "action", "report", "update", "authority")
    for kind in ("rows", "change")
)


@pytest.fixture(autouse=True)
def _versions_bumped_at_each_statement(request) -> None:
    """A test wrapped in a transaction never commits, so the monitor's and the national action-plan
    counts' deferred triggers would never fire in it: here they fire at the end of each statement
    instead, as a commit would fire them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        return
    if "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {MONITOR_TRIGGERS}, {PLANS_TRIGGERS} IMMEDIATE")
            # Their one rows, as migrated (a transactional test's flush empties the tables; the
            # triggers add them back at the next change, and until then nothing is stored).
            cursor.execute(
                "INSERT INTO submissions_monitorversion (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING"
            )
            cursor.execute(
                "INSERT INTO actionplans_plansversion (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING"
            )


@pytest.fixture(autouse=True)
def _fast_and_plain(settings) -> None:
    from django.core.cache import cache

    from wres_portal.cache import ResilientRedisCache

    ResilientRedisCache._down_until = 0.0  # a test that stopped Redis leaves no back-off behind
    cache.clear()  # cached page fragments and throttle counters (Redis in CI)
    # Throttle counters kept in this process where there is no Redis (the SQLite quick start, or
    # Redis down): one test's API requests must not count against the next test's limits.
    from wres_portal.throttling import LOCAL_WINDOWS

    LOCAL_WINDOWS.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not need collected, hashed static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def authority_a(db) -> Authority:
    return AuthorityFactory.create(ons_code="E09000022", name="Lambeth")


@pytest.fixture
def authority_b(db) -> Authority:
    return AuthorityFactory.create(ons_code="E08000035", name="Leeds", region="Yorkshire and The Humber")


@pytest.fixture
def alice(authority_a: Authority) -> User:
    return member(authority_a, Role.PROGRAMME_LEAD, "alice@lambeth.example")


@pytest.fixture
def bob(authority_a: Authority) -> User:
    return member(authority_a, Role.VIEWER, "bob@lambeth.example")


@pytest.fixture
def sponsor_a(authority_a: Authority) -> User:
    return member(authority_a, Role.SENIOR_SPONSOR, "sponsor@lambeth.example")


@pytest.fixture
def charlie(authority_b: Authority) -> User:
    return member(authority_b, Role.PROGRAMME_LEAD, "charlie@leeds.example")


@pytest.fixture
def analyst(db) -> User:
    return UserFactory.create(email="analyst@skillsforcare.example", national_role=User.NationalRole.ANALYST)


@pytest.fixture
def collection_round(analyst):
    return open_round(created_by=analyst)


@pytest.fixture
def draft(authority_a, alice, collection_round) -> Return:
    """Authority A's return with a complete, valid draft saved by alice."""
    return draft_return(authority_a, collection_round, lead=alice)


@pytest.fixture
def real_broker():
    """Send tasks to Redis instead of running them in the test process."""
    from wres_portal.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _force_login_counts_as_verified(monkeypatch):
    """`client.force_login(user)` stands for a completed sign-in, second step included: for users
    whose role requires multi-factor sign-in it also gives them an authenticator app and marks the
    session verified with it, as `django_otp.login` does. Tests of the second step itself sign in
    through the real pages (tests/accounts/test_mfa.py), or pass `verified=False`."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import mfa

    original = Client.force_login

    def force_login(self, user, backend=None, verified=True):
        original(self, user, backend)
        if not verified or not (mfa.is_required(user) or mfa.has_authenticator(user)):
            return
        device = mfa.authenticator(user) or mfa.TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
