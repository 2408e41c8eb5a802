"""Issue 12, item 8: Redis is optional at every step.

A programme lead uploads a file, confirms it, explains its warnings and submits, with the cache
and the Celery broker pointed first at a port where nothing listens (Redis stopped), then at a
socket that accepts connections and never answers (Redis hung). Every step completes; no request
waits more than a second for the cache, and publishing a task gives up quickly (the sweeps do the
work later). Before this, the upload preview lived only in the cache ("That upload has expired")
and each call to a hung Redis waited for the operating system's timeout.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions import services
from submissions.models import Return, UploadPreview
from tests.submissions.files import csv_bytes, valid_rows
from wres_portal import cache as cache_module


@contextmanager
def hung_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers; yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)  # never read, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing listens there


@pytest.fixture
def redis_at(settings, real_broker):
    """Point the cache and the broker at redis://127.0.0.1:<port>, and record the time each request
    spends waiting for the cache."""
    waits: list[float] = []
    guard = cache_module.ResilientRedisCache._guard

    def timed(self, operation, call, fallback):
        started = time.monotonic()
        try:
            return guard(self, operation, call, fallback)
        finally:
            waits.append(time.monotonic() - started)

    saved_broker, saved_options = real_broker.conf.broker_url, real_broker.conf.broker_transport_options

    def point(port: int) -> None:
        url = f"redis://127.0.0.1:{port}/0"
        settings.CACHES = {
            "default": {
                "BACKEND": "wres_portal.cache.ResilientRedisCache",
                "LOCATION": url,
                "OPTIONS": settings.REDIS_CLIENT_OPTIONS,
            }
        }
        # (pytest-django's settings fixture sends setting_changed: Django drops its cache handles.)
        real_broker.conf.broker_url = url
        real_broker.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        real_broker._pool = None
        real_broker.amqp._producer_pool = None
        cache_module.ResilientRedisCache._down_until = 0.0

    original = cache_module.ResilientRedisCache._guard
    cache_module.ResilientRedisCache._guard = timed  # type: ignore[method-assign]
    try:
        yield point, waits
    finally:
        cache_module.ResilientRedisCache._guard = original  # type: ignore[method-assign]
        real_broker.conf.broker_url = saved_broker
        real_broker.conf.broker_transport_options = saved_options
        real_broker._pool = None
        real_broker.amqp._producer_pool = None
        cache_module.ResilientRedisCache._down_until = 0.0


def _shown_version(page) -> str:
    """The version number a form was rendered from (its hidden field), as a browser posts it."""
    found = re.search(r'name="version" value="(\d*)"', page.content.decode())
    assert found, "the form names no version"
    return found.group(1)


def _journey(client, authority, collection_round, alice, waits) -> list[tuple[str, float, float]]:
    """Upload, confirm, explain, submit; returns (step, seconds, seconds waiting for the cache)."""
    base = reverse("submissions:detail", args=[authority.ons_code, collection_round.label])
    timings: list[tuple[str, float, float]] = []

    def step(name: str, do):
        waits.clear()
        started = time.monotonic()
        response = do()
        timings.append((name, time.monotonic() - started, sum(waits)))
        assert response.status_code in (200, 302), (name, response.status_code)
        return response

    upload = step(
        "upload",
        lambda: client.post(base + "upload/", {"file": SimpleUploadedFile("r.csv", csv_bytes(valid_rows()))}),
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    confirm_url = upload["Location"]
    page = step("preview", lambda: client.get(confirm_url))
    assert b"That upload has expired" not in page.content
    step("confirm", lambda: client.post(confirm_url, {"version": _shown_version(page)}))
    record = Return.objects.get(authority=authority, round=collection_round)
    assert record.current_version is not None, "the upload was not saved"
    for warning in services.version_warnings(record.current_version):
        services.warning_explain(record=record, key=warning.key, text="Checked.", user=alice)
    submit_page = step("check before submitting", lambda: client.get(base + "submit/"))
    step("submit", lambda: client.post(base + "submit/", {"version": _shown_version(submit_page)}))
    record.refresh_from_db()
    assert record.status == Return.Status.SUBMITTED
    return timings


@pytest.mark.parametrize("redis", ["stopped", "hung"])
def test_upload_confirm_submit_completes_without_redis(
    redis, client, redis_at, authority_a, alice, collection_round
) -> None:
    point, waits = redis_at
    client.force_login(alice)
    if redis == "stopped":
        point(_dead_port())
        timings = _journey(client, authority_a, collection_round, alice, waits)
    else:
        with hung_server() as port:
            point(port)
            timings = _journey(client, authority_a, collection_round, alice, waits)
    for name, _seconds, cache_wait in timings:
        assert cache_wait <= 1.0, f"{name} waited {cache_wait:.2f} s for the cache"
    assert not UploadPreview.objects.exists()  # the confirmed preview is gone


def test_a_hung_redis_costs_one_timeout_then_the_process_leaves_it_alone(redis_at) -> None:
    from django.core.cache import cache

    point, _waits = redis_at
    with hung_server() as port:
        point(port)
        started = time.monotonic()
        assert cache.get("a") is None  # one timeout
        for key in "bcdefgh":
            assert cache.get(key) is None  # no network: backing off
        cache.set("i", 1)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"eight cache calls took {elapsed:.2f} s with Redis hung"


def test_expired_upload_previews_are_deleted_and_cannot_be_confirmed(
    client, alice, authority_a, collection_round
) -> None:
    from django.utils import timezone

    from submissions.tasks import delete_expired_upload_previews

    client.force_login(alice)
    base = reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])
    upload = client.post(base + "upload/", {"file": SimpleUploadedFile("r.csv", csv_bytes(valid_rows()))})
    assert upload.status_code == 302
    UploadPreview.objects.update(expires_at=timezone.now())  # an hour has passed
    response = client.get(upload["Location"], follow=True)
    assert "That upload has expired" in response.content.decode()
    assert delete_expired_upload_previews() == 1
    assert delete_expired_upload_previews() == 0  # safe to run twice
    assert not UploadPreview.objects.exists()


def test_an_upload_preview_is_its_uploaders_only(client, alice, authority_a, collection_round) -> None:
    from accounts.models import Role
    from tests.factories import member

    other_lead = member(authority_a, Role.PROGRAMME_LEAD, "other@lambeth.example")
    client.force_login(alice)
    base = reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])
    upload = client.post(base + "upload/", {"file": SimpleUploadedFile("r.csv", csv_bytes(valid_rows()))})
    client.force_login(other_lead)
    response = client.post(upload["Location"], {}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert not Return.objects.filter(authority=authority_a, current_version__isnull=False).exists()
