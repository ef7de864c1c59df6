"""The content generation held per process through Redis pub/sub (portal/generation_watcher.py), on a real Redis.

Each test has a key prefix (and so a counter and a channel) of its own: other test runs on the same Redis
cannot bump it or announce on it. Without Redis these tests are skipped, and fail in CI.
"""

import time
import uuid

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache

from portal import cache as page_cache
from portal import generation as content_generation
from portal.generation_watcher import GenerationWatcher, announce
from portal.resilient_cache import ResilientRedisCache
from tests.portal.redis_support import require_redis

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def cache():
    """One app server's view of the shared Redis cache (each test gets a fresh counter)."""
    require_redis(REDIS_URL)
    prefix = f"watchtest-{uuid.uuid4().hex[:12]}"
    backend = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 1}})
    yield backend
    backend.clear()


@pytest.fixture
def server(cache, settings):
    """A process's watcher and the way the page cache asks it (reading the counter when it must)."""
    settings.PAGE_CACHE_GENERATION_PUBSUB = True  # as in production (the test settings switch it off)
    watcher = GenerationWatcher()
    reads = []

    def read():
        reads.append(1)  # a round trip to Redis
        return content_generation._read_generation(cache)

    def generation():
        value = watcher.generation(cache, read)
        return value if value is not None else read()

    generation.reads = reads
    yield watcher, generation
    watcher.close()


def _bump_elsewhere(cache):
    """What bump_generation does on another app server."""
    value = cache.incr(page_cache.GENERATION_KEY)
    announce(cache, value)
    return value


def test_reads_come_from_the_subscription_without_a_round_trip(cache, server):
    watcher, generation = server
    first = generation()
    before = len(generation.reads)
    values = {generation() for _ in range(500)}
    assert values == {first}
    assert len(generation.reads) - before <= 1  # at most the once-a-second check


def test_a_bump_on_another_server_is_seen_on_the_next_read(cache, server):
    watcher, generation = server
    first = generation()
    reads_before = len(generation.reads)
    bumped = _bump_elsewhere(cache)
    assert bumped == first + 1
    # The message reaches this process's socket a moment after PUBLISH returns (another connection; on a
    # loaded machine not always before): well within the once-a-second check, and without reading the counter.
    deadline = time.monotonic() + 0.5
    while generation() != bumped and time.monotonic() < deadline:
        time.sleep(0.005)
    assert generation() == bumped
    assert len(generation.reads) == reads_before  # from the subscription, not the verification's read


def test_bump_generation_announces_the_new_value(cache, server, settings, monkeypatch):
    watcher, generation = server
    first = generation()
    settings.PAGE_CACHE_ENABLED = True
    monkeypatch.setattr(content_generation, "get_cache", lambda: cache)
    content_generation.bump_generation()
    assert generation() == first + 1


def test_a_dropped_subscription_falls_back_to_reading_the_counter(cache, server):
    watcher, generation = server
    generation()
    # Redis drops this process's subscription (a restart, a failover, a killed client)…
    address = "{}:{}".format(*watcher._pubsub.connection._sock.getsockname()[:2])
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_type="pubsub", addr=address)
    # …and another server publishes meanwhile.
    cache.incr(page_cache.GENERATION_KEY)
    bumped = _bump_elsewhere(cache)
    assert generation() == bumped
    assert generation() == bumped


def test_a_silently_missed_bump_is_noticed_within_the_verification_period(cache, server):
    watcher, generation = server
    watcher.VERIFY_EVERY = 0.05
    first = generation()
    stored = cache.incr(page_cache.GENERATION_KEY)  # changed without an announcement (a lost message)
    deadline = time.monotonic() + 2
    while generation() != stored and time.monotonic() < deadline:
        time.sleep(0.01)
    assert generation() == stored != first


def test_two_caches_on_one_redis_server_do_not_hear_each_other(cache, server):
    watcher, generation = server
    first = generation()
    neighbour = ResilientRedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": cache.key_prefix})
    assert neighbour.channel_name("x") != cache.channel_name("x")
    announce(neighbour, 42)
    assert generation() == first


def test_a_cache_without_pubsub_is_read_every_time(settings):
    settings.PAGE_CACHE_GENERATION_PUBSUB = True
    watcher = GenerationWatcher()
    assert watcher.generation(LocMemCache("watchtest", {}), lambda: 7) is None
