"""API rate limits, for the whole API (settings.REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES), with the
rate-limit headers on every API response.

Two limits, each a sliding window kept by DRF's SimpleRateThrottle:

- per token (`API_RATE_PER_TOKEN`, default 300 a minute): a request with an API token counts
  against that token; a browser session using the API counts against its user;
- per client address (`API_RATE_PER_ADDRESS`, default 600 a minute): every API request, signed in
  or not (so guessing tokens is limited too). Behind the proxy the address comes from
  `X-Forwarded-For` (wres_portal/net.py).

Past a limit the API answers 429 with `Retry-After`. Every API response carries `RateLimit-Policy`
and `RateLimit` (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "token";q=300;w=60,
"address";q=600;w=60` and `RateLimit: "token";r=<left>;t=<seconds to reset>` for the limit nearest
to being reached), so a client can slow down before it is refused.

The windows live in the cache (Redis, shared by every worker). While Redis is unreachable they live
in each process's memory instead: the limits still hold, per process, and no request fails or waits
because of it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .cache import UNREACHABLE, ResilientRedisCache
from .net import client_ip

logger = logging.getLogger(__name__)
#: Attribute of the Django request holding each limit's state for the headers.
STATE_ATTRIBUTE = "wres_rate_limits"


class _ThrottleCache:
    """The default cache, or this process's memory while Redis cannot be reached."""

    def __init__(self) -> None:
        self.local = LocMemCache("wres-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def _call(self, method: str, *args: Any) -> Any:
        cache = caches["default"]
        try:
            if isinstance(cache, ResilientRedisCache):
                # RedisCache's own method raises when Redis is unreachable (the resilient one
                # would answer "nothing stored", which would lift every limit).
                return getattr(RedisCache, method)(cache, *args)
            return getattr(cache, method)(*args)
        except UNREACHABLE as error:
            logger.warning("API throttling in process memory, Redis unreachable: %s", error)
            return getattr(self.local, method)(*args)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        self._call("set", key, value, timeout)


THROTTLE_CACHE = _ThrottleCache()


class _Throttle(SimpleRateThrottle):
    cache = THROTTLE_CACHE  # type: ignore[assignment]
    timer: Callable[[], float] = time.time
    # Set by SimpleRateThrottle.__init__ from the rate; djangorestframework-stubs leaves them out.
    num_requests: int | None
    duration: int | None

    def allow_request(self, request: Request, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        if self.key is not None and self.num_requests and self.duration:
            remaining = max(0, self.num_requests - len(self.history))
            oldest = self.history[-1] if self.history else self.now
            reset = math.ceil(self.duration - (self.now - oldest))
            states = getattr(request._request, STATE_ATTRIBUTE, [])
            states.append((self.scope, self.num_requests, self.duration, remaining, max(0, reset)))
            setattr(request._request, STATE_ATTRIBUTE, states)
        return allowed

    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)


class TokenRateThrottle(_Throttle):
    """Per API token (or, for a browser session, per user)."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if token is not None and getattr(token, "pk", None) is not None:
            ident = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None  # anonymous: the address limit applies
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(_Throttle):
    """Per client address, every API request."""

    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class RateLimitHeadersMiddleware:
    """Adds `RateLimit-Policy` and `RateLimit` to API responses whose limits were checked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        states = getattr(request, STATE_ATTRIBUTE, None)
        if states:
            response["RateLimit-Policy"] = ", ".join(
                f'"{scope}";q={limit};w={window}' for scope, limit, window, _, _ in states
            )
            scope, _, _, remaining, reset = min(states, key=lambda s: (s[3], -s[4]))
            response["RateLimit"] = f'"{scope}";r={remaining};t={reset}'
        return response


class _PageAddressThrottle(SimpleRateThrottle):
    """Per client address, for a page outside the API (a plain Django request)."""

    cache = THROTTLE_CACHE  # type: ignore[assignment]
    timer: Callable[[], float] = time.time

    def __init__(self, scope: str, rate: str) -> None:
        self.scope, self.rate = scope, rate
        self.num_requests, self.duration = self.parse_rate(rate)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def allow_request(self, request: Any, view: Any = None) -> bool:
        """As DRF's, for a plain Django request and no API view (only the address is read)."""
        return super().allow_request(request, view)


def page_wait(request: HttpRequest, scope: str, rate: str) -> int | None:
    """None if this address may have the page now, else the seconds to wait (for `Retry-After`).
    `rate` as DRF writes it, for example "30/min"; the window is shared by every worker."""
    throttle = _PageAddressThrottle(scope, rate)
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
