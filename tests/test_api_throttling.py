"""API rate limits for the whole API (wres_portal/throttling.py): per token and per client address,
429 with Retry-After past a limit, RateLimit and RateLimit-Policy headers on every API response, and
limits that still hold, without errors or waits, while Redis is unreachable (issues 13 and 16)."""

from __future__ import annotations

import re
import socket

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.concurrency import together
from tests.factories import api_key
from tests.workers import require_services
from wres_portal.throttling import LOCAL_WINDOWS, ApiRateThrottle, Limit, hit


@pytest.fixture
def rates(monkeypatch):
    def set_rates(token: str, address: str) -> None:
        rates = {"token": token, "address": address}
        monkeypatch.setattr(ApiRateThrottle, "THROTTLE_RATES", rates)

    return set_rates


def _api(key: str, address: str = "198.51.100.7") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_every_api_response_says_the_limits_and_what_is_left(alice) -> None:
    client = _api(api_key(alice, "read"))
    first = client.get("/api/v1/me/")
    assert first.status_code == 200
    assert first["RateLimit-Policy"] == '"token";q=300;w=60, "address";q=600;w=60'
    assert first["RateLimit"] == '"token";r=299;t=60'
    assert client.get("/api/v1/me/")["RateLimit"].startswith('"token";r=298;')


def test_past_the_token_limit_the_api_answers_429_with_retry_after(alice, rates) -> None:
    rates("3/minute", "100/minute")
    client = _api(api_key(alice, "read"))
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert re.fullmatch(r'"token";r=0;t=\d+', refused["RateLimit"])
    assert "throttled" in refused.json()["detail"].lower()
    # Another token of the same person has its own allowance.
    assert _api(api_key(alice, "read")).get("/api/v1/me/").status_code == 200


def test_the_address_limit_covers_every_token_from_it(alice, bob, rates) -> None:
    rates("100/minute", "4/minute")
    clients = [_api(api_key(alice, "read")), _api(api_key(bob, "read"))]
    statuses = [clients[n % 2].get("/api/v1/me/").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert _api(api_key(alice, "read"), address="203.0.113.5").get("/api/v1/me/").status_code == 200


def test_behind_the_proxy_the_address_is_the_clients(alice, rates, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    rates("100/minute", "2/minute")
    key = api_key(alice, "read")
    for n in range(3):
        client = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/me/").status_code == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_limits_hold_in_memory_while_redis_is_unreachable(alice, rates, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "wres_portal.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    assert caches["default"].get("anything") is None  # unreachable: a miss, not an error
    LOCAL_WINDOWS.clear()
    rates("2/minute", "100/minute")
    client = _api(api_key(alice, "read"))
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_moment_never_pass_the_limit_together(alice, rates) -> None:
    """Twelve requests released together with five places left: exactly five are let through. DRF's
    throttles read a window and wrote it back in two round trips, so requests at the same moment
    all read the same window and all went through (issue 18, with the throttle made one round trip)."""
    require_services()
    caches["default"].clear()
    rates("5/minute", "100/minute")
    key = api_key(alice, "read")
    statuses = together(*[lambda: _api(key).get("/api/v1/me/").status_code for _ in range(12)])
    assert sorted(statuses) == [200] * 5 + [429] * 7, statuses


def test_a_refused_request_does_not_use_up_the_other_limit(alice, rates) -> None:
    """A request the address limit refuses is not counted against the token either (and the
    other way round): a refused request uses no one's allowance."""
    rates("3/minute", "2/minute")
    key = api_key(alice, "read")
    assert [_api(key).get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    # From another address the token has its one remaining place, not none.
    other = _api(key, address="203.0.113.9")
    assert other.get("/api/v1/me/").status_code == 200
    assert other.get("/api/v1/me/").status_code == 429


def test_the_windows_slide(monkeypatch) -> None:
    """A window holds the requests of the last `seconds`: the oldest leaves it exactly then."""
    limit = Limit("token", "t-slide", 2, 60)
    assert hit([limit], now=1000.0)[0] and hit([limit], now=1030.0)[0]
    allowed, windows = hit([limit], now=1059.0)
    assert not allowed and windows[0].count == 2 and windows[0].oldest == 1000.0
    assert hit([limit], now=1060.0)[0]  # the request at 1000 has left the window
    assert not hit([limit], now=1061.0)[0]


def test_the_script_is_registered_once_not_per_client(alice) -> None:
    """Django's Redis cache makes a new client object for every call: a registry of the script per
    client grew by one entry (holding that client) with every API request."""
    require_services()
    from wres_portal import throttling

    client = _api(api_key(alice, "read"))
    for _ in range(5):
        assert client.get("/api/v1/me/").status_code == 200
    assert len(getattr(throttling, "_scripts", {})) <= 1
    assert throttling._script is not None
