"""Redis cache that degrades to "no cache" while Redis is down or hung.

Everything cached here can be rebuilt from the database (rendered fragments, disclosure-controlled
tables, benchmark stamps), so a Redis outage must not turn pages into server errors or long waits:

- every connection has short connect and read timeouts (`REDIS_CLIENT_OPTIONS` in settings: a
  quarter of a second is plenty on one network), so a Redis that accepts connections and answers
  nothing costs at most that;
- a read that cannot reach Redis is a miss, a write or delete is skipped, and both are logged;
- after a failure the process leaves Redis alone for `RETRY_SECONDS` (every call is a miss or a
  no-op without touching the network), so a page making several cache calls waits once, and a
  hung Redis costs a request at most one timeout.

Sessions do not use the cache (a delete lost during an outage could bring a signed-out session
back), upload previews live in the database, and the broker's outage is handled by the sweeps.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: Seconds during which a process does not try Redis again after a failure.
RETRY_SECONDS = 5.0
T = TypeVar("T")


class ResilientRedisCache(RedisCache):
    #: time.monotonic() until which this process treats Redis as unreachable.
    _down_until = 0.0

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < ResilientRedisCache._down_until:
            return fallback
        try:
            return call()
        except UNREACHABLE as error:
            ResilientRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("cache %s skipped, Redis unreachable: %s", operation, error)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        self._guard("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        return self._guard(
            "set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), []
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that cannot be read cannot be incremented: callers (throttles) see a miss.
        return self._guard("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), 0)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard("delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def clear(self) -> None:
        self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), None)
