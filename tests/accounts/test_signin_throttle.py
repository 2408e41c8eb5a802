"""Sign-in throttling that cannot be turned against a user (issue 13, L6): growing delays per email
address and client address instead of a 15-minute lock anyone could trigger, the client address
taken from the proxy's header, and a limit per address across accounts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import signin_throttle
from accounts.models import SecurityEvent, SignInThrottle
from tests.factories import TEST_PASSWORD, UserFactory

PROXY = "10.0.0.2"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGN_IN_FAILURES_BEFORE_DELAY = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 50


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _sign_in(client, email: str, password: str, client_address: str):
    """A sign-in through the TLS proxy: every request comes from the proxy's address."""
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"10.9.9.9, {client_address}",  # the first entry is the client's own claim
    )


def test_wrong_passwords_from_elsewhere_never_keep_the_owner_out(client, alice, clock) -> None:
    for _ in range(12):
        _sign_in(client, alice.email, "wrong", ATTACKER)
    assert _sign_in(client, alice.email, "wrong", ATTACKER).status_code == 429
    owner = Client()
    assert _sign_in(owner, alice.email, TEST_PASSWORD, OWNER).status_code == 302


def test_delays_grow_and_the_owner_waits_seconds_not_a_quarter_of_an_hour(client, alice, clock) -> None:
    for _ in range(4):
        assert _sign_in(client, alice.email, "wrong", OWNER).status_code == 200
    fifth = _sign_in(client, alice.email, "wrong", OWNER)
    assert fifth.status_code == 429 and fifth["Retry-After"] == "15"
    body = fifth.content.decode()
    assert "Sign in is paused" in body and "Wait 15 seconds" in body and "<title>Error:" in body
    # While paused even the right password waits, and the try is not counted.
    assert _sign_in(client, alice.email, TEST_PASSWORD, OWNER).status_code == 429
    clock.shift(timedelta(seconds=16))
    assert _sign_in(client, alice.email, "wrong", OWNER)["Retry-After"] == "30"
    clock.shift(timedelta(seconds=31))
    assert _sign_in(client, alice.email, "wrong", OWNER)["Retry-After"] == "60"
    clock.shift(timedelta(seconds=61))
    assert _sign_in(client, alice.email, TEST_PASSWORD, OWNER).status_code == 302
    # A right password clears the count.
    assert not SignInThrottle.objects.filter(scope="account").exists()


def test_delays_stop_growing_at_15_minutes(settings) -> None:
    assert signin_throttle.delay_after(4) == timedelta(0)
    assert signin_throttle.delay_after(5) == timedelta(seconds=15)
    assert signin_throttle.delay_after(8) == timedelta(minutes=2)
    assert signin_throttle.delay_after(50) == timedelta(minutes=15)


def test_one_password_tried_across_many_accounts_is_limited_per_address(
    client, alice, settings, clock
) -> None:
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 10
    for n in range(10):
        UserFactory.create(email=f"person{n}@council.example")
        _sign_in(client, f"person{n}@council.example", "Summer2026!", ATTACKER)
    # The address is paused for every account, even with a right password...
    assert _sign_in(client, alice.email, TEST_PASSWORD, ATTACKER).status_code == 429
    # ...but not other addresses,
    assert _sign_in(Client(), alice.email, TEST_PASSWORD, OWNER).status_code == 302
    # and only until the 15 minutes are over.
    clock.shift(timedelta(minutes=15))
    assert _sign_in(client, alice.email, TEST_PASSWORD, ATTACKER).status_code == 302


def test_the_proxys_header_is_ignored_without_a_configured_proxy(client, alice, settings, clock) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        # A client inventing a new X-Forwarded-For each time still counts as one address.
        _sign_in(client, alice.email, "wrong", f"192.0.2.{n}")
    assert _sign_in(client, alice.email, TEST_PASSWORD, "192.0.2.200").status_code == 429


def test_the_admin_sign_in_is_throttled_too(client, alice, clock) -> None:
    for _ in range(5):
        _sign_in(client, alice.email, "wrong", OWNER)
    response = client.post(
        "/admin/login/",
        {"username": alice.email, "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=OWNER,
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_sign_ins_and_failures_are_security_events_with_the_client_address(client, alice) -> None:
    _sign_in(client, alice.email, "wrong", OWNER)
    _sign_in(client, "nobody@council.example", "wrong", ATTACKER)
    _sign_in(client, alice.email, TEST_PASSWORD, OWNER)
    events = list(SecurityEvent.objects.order_by("id").values_list("kind", "email", "ip_address", "user_id"))
    assert events == [
        ("sign_in_failed", alice.email, OWNER, alice.pk),
        ("sign_in_failed", "nobody@council.example", ATTACKER, None),
        ("sign_in", alice.email, OWNER, alice.pk),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_are_all_counted(settings) -> None:
    """Eight wrong passwords sent at the same moment: none is lost (the counter row is locked)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    settings.SIGN_IN_FAILURES_BEFORE_DELAY = 100
    user = UserFactory.create(email="target@council.example")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def attempt() -> None:
        from django.db import connections

        client = Client()
        barrier.wait()
        statuses.append(_sign_in(client, user.email, "wrong", ATTACKER).status_code)
        connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert SignInThrottle.objects.get(scope="account").failures == 8
    assert SignInThrottle.objects.get(scope="address").failures == 8
    assert SecurityEvent.objects.filter(kind="sign_in_failed").count() == 8
