"""A Redis cache that stands in for itself with this process's memory while Redis is down.

Redis is a helper, never a single point of failure: what the cache holds (Wagtail's site root
paths, rate-limit counters, rendered fragments) can be rebuilt, so a Redis that does not answer
must not turn pages into 500s. While it is unreachable every process keeps its own
local-memory cache instead (rate limits then count per process, which still stops a flood),
says so once in the log, and tries Redis again after ``RETRY_AFTER`` seconds, so that an outage
costs one short connection attempt per process and interval, not one per cache call.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0  # seconds between attempts to reach Redis again during an outage


class Outage:
    """One process's view of one Redis location: whether it is down, and the stand-in cache."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.local = LocMemCache(f"fallback-{location}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._down = False

    def skip_redis(self) -> bool:
        """True while Redis failed less than ``RETRY_AFTER`` seconds ago."""
        return self._down and time.monotonic() < self._retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if not self._down:
                logger.warning(
                    "Redis cache unreachable (%s); this process uses a local cache, and "
                    "per-process rate limits, until it answers again",
                    type(error).__name__,
                )
            self._down = True
            self._retry_at = time.monotonic() + RETRY_AFTER

    def answered(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    logger.warning("Redis cache answers again; the local stand-in is dropped")
                    self._down = False
                    self.local.clear()


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    """The process-wide state of ``location`` (Django makes one cache object per thread)."""
    with _outages_lock:
        return _outages.setdefault(location, Outage(location))


def _falling_back(name: str) -> Callable[..., Any]:
    def method(self: "FallbackRedisCache", *args: Any, **kwargs: Any) -> Any:
        outage = self.outage
        if not outage.skip_redis():
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                outage.failed(error)
            else:
                outage.answered()
                return result
        return getattr(outage.local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on the local stand-in while Redis is down."
    return method


class FallbackRedisCache(RedisCache):
    """``django_redis``'s cache, with the standard cache API falling back to local memory."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.outage = outage_for(server)

    add = _falling_back("add")
    get = _falling_back("get")
    set = _falling_back("set")
    touch = _falling_back("touch")
    delete = _falling_back("delete")
    get_many = _falling_back("get_many")
    set_many = _falling_back("set_many")
    delete_many = _falling_back("delete_many")
    has_key = _falling_back("has_key")
    incr = _falling_back("incr")
    decr = _falling_back("decr")
    incr_version = _falling_back("incr_version")
    clear = _falling_back("clear")
