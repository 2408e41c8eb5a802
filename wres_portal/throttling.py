"""API rate limits, for the whole API (settings.REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES), with the
rate-limit headers on every API response.

Two limits, each a sliding window over the last `w` seconds (the same rule as DRF's
SimpleRateThrottle: a request is refused when the window already holds `q` requests, and a refused
request is not counted):

- per token (`API_RATE_PER_TOKEN`, default 300 a minute): a request with an API token counts
  against that token; a browser session using the API counts against its user;
- per client address (`API_RATE_PER_ADDRESS`, default 600 a minute): every API request, signed in
  or not (so guessing tokens is limited too). Behind the proxy the address comes from
  `X-Forwarded-For` (wres_portal/net.py).

Past a limit the API answers 429 with `Retry-After`. Every API response carries `RateLimit-Policy`
and `RateLimit` (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "token";q=300;w=60,
"address";q=600;w=60` and `RateLimit: "token";r=<left>;t=<seconds to reset>` for the limit nearest
to being reached), so a client can slow down before it is refused.

The windows live in Redis, shared by every worker: each is a sorted set of request times, and both
limits are checked and counted together by one Lua script, in one round trip and atomically (issue
18: DRF's throttles read and wrote each window as a pickled list, two round trips per limit, and
their cost grew with the limit; two requests at once could also both take the last place). While
Redis is unreachable or hung (`wres_portal.cache`: a quarter-second timeout, then 5 s without
trying) the windows live in each process's memory instead: the limits still hold, per process, and
no request fails or waits because of it. Pages outside the API use the same windows (`page_wait`).

Hand-written rather than a library: django-ratelimit counts fixed windows (a client may send twice
the rate across a boundary) and sends no headers; DRF's throttles are what this replaces.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .cache import RETRY_SECONDS, UNREACHABLE, ResilientRedisCache
from .net import client_ip

logger = logging.getLogger(__name__)
#: Attribute of the Django request holding each limit's state for the headers.
STATE_ATTRIBUTE = "wres_rate_limits"


@dataclass(frozen=True)
class Limit:
    scope: str
    ident: str
    requests: int
    seconds: int


@dataclass(frozen=True)
class Window:
    """One limit's state after a request: how many requests its window holds (counting this one if
    it was let through) and when the oldest of them was made."""

    limit: Limit
    count: int
    oldest: float


# KEYS: one window per limit. ARGV: now, a member naming this request, then each limit's seconds and
# requests. Every window is trimmed and counted first; the request is added to every window only if
# none is full. Returns allowed, then each window's count and oldest time (as text: Lua would cut a
# number to an integer).
_SCRIPT = """
local now = tonumber(ARGV[1])
local counts, allowed = {}, 1
for i = 1, #KEYS do
  local seconds, requests = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - seconds)
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= requests then allowed = 0 end
end
local result = {allowed}
for i = 1, #KEYS do
  if allowed == 1 then
    redis.call('ZADD', KEYS[i], now, ARGV[2])
    redis.call('EXPIRE', KEYS[i], math.ceil(tonumber(ARGV[1 + 2 * i])))
    counts[i] = counts[i] + 1
  end
  local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  result[#result + 1] = counts[i]
  result[#result + 1] = first[2] or ARGV[1]
end
return result
"""


class _LocalWindows:
    """The same windows in this process's memory, for while Redis cannot be reached."""

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: dict[str, deque[float]] = {}

    def clear(self) -> None:
        with self.lock:
            self.windows.clear()

    def hit(self, keys: Sequence[str], limits: Sequence[Limit], now: float) -> tuple[bool, list[Window]]:
        with self.lock:
            if len(self.windows) > self.MAX_KEYS:
                self.windows.clear()
            found = [self.windows.setdefault(key, deque()) for key in keys]
            for times, limit in zip(found, limits, strict=True):
                while times and times[0] <= now - limit.seconds:
                    times.popleft()
            allowed = all(len(times) < limit.requests for times, limit in zip(found, limits, strict=True))
            if allowed:
                for times in found:
                    times.append(now)
            return allowed, [
                Window(limit, len(times), times[0] if times else now)
                for times, limit in zip(found, limits, strict=True)
            ]


LOCAL_WINDOWS = _LocalWindows()
_script_lock = threading.Lock()
#: The Lua script, registered once: redis-py runs it with whichever client it is given (EVALSHA,
#: loading it on that server if it does not know it). Django's cache hands out a new client object
#: on every call, so nothing may be kept per client.
_script: Any = None


def _redis_hit(cache: ResilientRedisCache, keys: list[str], limits: Sequence[Limit], now: float) -> list[Any]:
    global _script
    client = cache._cache.get_client(keys[0], write=True)
    if _script is None:
        with _script_lock:
            if _script is None:
                _script = client.register_script(_SCRIPT)
    args: list[Any] = [repr(now), f"{now!r}:{uuid.uuid4().hex[:12]}"]
    for limit in limits:
        args += [limit.seconds, limit.requests]
    return list(_script(keys=keys, args=args, client=client))


def hit(limits: Sequence[Limit], now: float | None = None) -> tuple[bool, list[Window]]:
    """Count one request against every limit in `limits` if none is full: (allowed, windows)."""
    now = time.time() if now is None else now
    cache = caches["default"]
    keys = [cache.make_key(f"rate:{limit.scope}:{limit.ident}") for limit in limits]
    if isinstance(cache, ResilientRedisCache) and time.monotonic() >= ResilientRedisCache._down_until:
        try:
            found = _redis_hit(cache, keys, limits, now)
        except UNREACHABLE as error:
            ResilientRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("API throttling in process memory, Redis unreachable: %s", error)
        else:
            windows = [
                Window(limit, int(found[1 + 2 * i]), float(found[2 + 2 * i]))
                for i, limit in enumerate(limits)
            ]
            return bool(found[0]), windows
    return LOCAL_WINDOWS.hit(keys, limits, now)


def _reset(window: Window, now: float) -> int:
    return max(0, math.ceil(window.limit.seconds - (now - window.oldest)))


class ApiRateThrottle(BaseThrottle):
    """Both API limits, per token (or signed-in user) and per address, in one round trip."""

    #: DRF's rates (settings.REST_FRAMEWORK's DEFAULT_THROTTLE_RATES), the same dictionary.
    THROTTLE_RATES = SimpleRateThrottle.THROTTLE_RATES
    timer: Callable[[], float] = time.time

    def _limits(self, request: Request) -> list[Limit]:
        limits = []
        token = request.auth
        if token is not None and getattr(token, "pk", None) is not None:
            limits.append(self._limit("token", f"t{token.pk}"))
        elif request.user and request.user.is_authenticated:
            limits.append(self._limit("token", f"u{request.user.pk}"))
        limits.append(self._limit("address", client_ip(request._request)))
        return limits

    def _limit(self, scope: str, ident: str) -> Limit:
        requests, seconds = SimpleRateThrottle.parse_rate(None, self.THROTTLE_RATES[scope])  # type: ignore[arg-type]
        return Limit(scope, ident, int(requests or 0), int(seconds or 0))

    def allow_request(self, request: Request, view: Any) -> bool:
        self.now = self.timer()
        allowed, self.windows = hit(self._limits(request), self.now)
        states = [
            (
                w.limit.scope,
                w.limit.requests,
                w.limit.seconds,
                max(0, w.limit.requests - w.count),
                _reset(w, self.now),
            )
            for w in self.windows
        ]
        setattr(request._request, STATE_ATTRIBUTE, states)
        return allowed

    def wait(self) -> float | None:
        """Seconds until every full window has room again."""
        full = [w for w in self.windows if w.count >= w.limit.requests]
        return max((_reset(w, self.now) for w in full), default=None)


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


def page_wait(request: HttpRequest, scope: str, rate: str) -> int | None:
    """None if this address may have the page now, else the seconds to wait (for `Retry-After`).
    `rate` as DRF writes it, for example "30/min"; the window is shared by every worker."""
    requests, seconds = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
    now = time.time()
    allowed, windows = hit([Limit(scope, client_ip(request), int(requests or 0), int(seconds or 0))], now)
    if allowed:
        return None
    return max(1, _reset(windows[0], now))
