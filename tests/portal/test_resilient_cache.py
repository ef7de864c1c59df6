"""The portal's Redis backend (portal/resilient_cache.py) empties only its own keys, on a real Redis.

The PostgreSQL pass of .ci/run once failed `test_the_429_page_in_english` (200 where the limit should have
answered 429): the suite's cache was a Redis database that another test run on the same machine emptied
(FLUSHDB, Django's `clear()`) in the middle of the test, so the counters started again. Now `clear()`
deletes the keys under the cache's own KEY_PREFIX, and each test run has a prefix of its own.
"""

import pytest
from django.test import override_settings

from portal import ratelimit
from portal.resilient_cache import ResilientRedisCache
from tests.portal.redis_support import redis_caches, require_redis

REDIS_URL = "redis://127.0.0.1:6379/11"


def _cache(prefix):
    return ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 5}})


@pytest.fixture
def two_sites():
    require_redis(REDIS_URL)
    site_a, site_b = _cache("clear-test-a"), _cache("clear-test-b[*]")
    yield site_a, site_b
    site_a.clear()
    site_b.clear()


def test_clear_deletes_its_own_keys_and_no_one_elses(two_sites):
    site_a, site_b = two_sites
    site_a.set_many({"session": "a", "counter": 1}, timeout=60)
    site_b.set_many({"session": "b", "counter": 2}, timeout=60)
    site_b.clear()  # a prefix with SCAN pattern characters: escaped
    assert site_b.get_many(["session", "counter"]) == {}
    assert site_a.get_many(["session", "counter"]) == {"session": "a", "counter": 1}


def test_a_limit_holds_while_another_test_run_clears_the_same_redis(settings, monkeypatch):
    """The failure of the PostgreSQL pass, replayed: another run's clear() in the middle of counting."""
    require_redis(REDIS_URL)
    monkeypatch.setattr(ratelimit, "time", type("Clock", (), {"time": staticmethod(lambda: 1_800_000_000.0)}))
    settings.CACHES = redis_caches(REDIS_URL, name="this-run")
    other_run = _cache("other-run")
    with override_settings(RATELIMIT_ENABLED=True):
        for attempt in range(20):
            assert ratelimit.hit("status-lookup", "client", 20, 900), attempt
            other_run.clear()
        assert not ratelimit.hit("status-lookup", "client", 20, 900)


def test_clear_is_skipped_while_redis_is_down():
    dead = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert dead.clear() is False
    assert dead.get("k", "fallback") == "fallback"
