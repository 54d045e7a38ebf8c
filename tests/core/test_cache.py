"""The Redis cache stands in for itself with local memory while Redis does not answer."""

import logging

import pytest

from core import cache as fallback
from core.cache import FallbackRedisCache

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def cache() -> FallbackRedisCache:
    fallback._outages.pop(UNREACHABLE, None)
    return FallbackRedisCache(
        UNREACHABLE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}}
    )


def test_with_redis_down_the_cache_works_from_local_memory(
    cache: FallbackRedisCache, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.get("missing", "default") == "default"
        cache.set("site-root-paths", ["/uz/"], 60)
        assert cache.get("site-root-paths") == ["/uz/"]
        # A rate limiter's counter: add, then increment.
        assert cache.add("hits", 1, 60) is True
        assert cache.incr("hits") == 2
        assert cache.get_many(["hits", "site-root-paths"]) == {
            "hits": 2,
            "site-root-paths": ["/uz/"],
        }
        cache.delete("hits")
        assert cache.has_key("hits") is False
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 1  # once, not once per call
    assert "local cache" in said[0]


def test_every_thread_of_a_process_shares_one_stand_in(cache: FallbackRedisCache) -> None:
    other = FallbackRedisCache(UNREACHABLE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5}})
    cache.set("key", "value")
    assert other.get("key") == "value"
