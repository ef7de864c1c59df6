"""The rate limiter (portal.ratelimit) on local memory and on Redis, and the 429 page.

Deterministic on a loaded machine and beside other test runs: each test's counters live in a cache of its
own (real local memory, or Redis under a key prefix no one else uses: tests/portal/redis_support.py), the
limiter's clock is pinned inside one window (`fixed_clock`), and a Redis that is not there fails the test in
CI instead of skipping it.
"""

import logging
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from portal import ratelimit
from portal.resilient_cache import ResilientRedisCache
from portal.views import too_many_requests
from tests.portal.redis_support import redis_caches, redis_reachable, require_redis

REDIS_URL = "redis://127.0.0.1:6379/10"


def _redis_reachable():
    return redis_reachable(REDIS_URL)


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-tests"}}


def limiter_caches(backend):
    """The CACHES setting of a test of the limiter on `backend` ("locmem" or "redis"): nothing shared."""
    if backend == "redis":
        require_redis(REDIS_URL)
        return redis_caches(REDIS_URL, name="rltest")
    return LOCMEM


def use_limiter_cache(settings, backend):
    """Switch the test to its own cache (a new instance: no circuit-breaker state from earlier tests), emptied."""
    settings.CACHES = limiter_caches(backend)
    cache = caches["default"]
    cache.clear()
    if isinstance(cache, ResilientRedisCache):
        assert cache.add("rl:reachable", 1, timeout=5), "the test's Redis cache does not answer"
    return cache


@pytest.fixture
def fixed_clock(monkeypatch):
    """The limiter's clock stopped in the middle of a window: no window can end during the test."""
    now = (int(time.time() // 3600) + 0.5) * 3600
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))
    return now


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Run the test once on local memory and once on Redis (db 10, a key prefix of its own)."""
    cache = use_limiter_cache(settings, request.param)
    yield request.param
    cache.clear()


def test_allows_up_to_the_limit_then_refuses(cache_backend, fixed_clock):
    results = [ratelimit.hit("test-scope", "client-a", 3, 60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_keys_and_scopes_are_counted_separately(cache_backend, fixed_clock):
    for _ in range(2):
        assert ratelimit.hit("lookup", "client-a", 2, 60)
    assert not ratelimit.hit("lookup", "client-a", 2, 60)
    assert ratelimit.hit("lookup", "client-b", 2, 60)
    assert ratelimit.hit("submit", "client-a", 2, 60)


def test_a_new_window_starts_a_new_count(cache_backend):
    from freezegun import freeze_time

    with freeze_time("2026-11-29 10:00:05") as frozen:
        assert ratelimit.hit("window", "k", 1, 60)
        assert not ratelimit.hit("window", "k", 1, 60)
        frozen.move_to("2026-11-29 10:01:01")
        assert ratelimit.hit("window", "k", 1, 60)


def test_concurrent_hits_never_lose_a_count(cache_backend, fixed_clock):
    """Forty threads racing on one key: exactly `limit` of them are allowed (atomic add/incr)."""
    allowed = []
    barrier = threading.Barrier(40)

    def attempt():
        barrier.wait()
        allowed.append(ratelimit.hit("race", "same-client", 10, 60))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 10


def test_cache_outage_fails_open_and_logs_an_event(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # A closed port: every cache call raises a connection error.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.INFO, logger="portal.security"):
        assert ratelimit.hit("lookup", "client", 1, 60) is True
    assert "event=ratelimit_unavailable" in caplog.text
    assert "outcome=allowed" in caplog.text


def test_cache_outage_fails_closed_when_configured(settings):
    settings.RATELIMIT_FAIL_OPEN = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    assert ratelimit.hit("lookup", "client", 1, 60) is False


def test_client_key_hashes_the_address_and_ignores_forwarded_header_by_default(settings):
    factory = RequestFactory()
    direct = factory.get("/", REMOTE_ADDR="203.0.113.7")
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    key = ratelimit.client_key(direct)
    assert "203.0.113.7" not in key and "203" not in key[:3]
    assert len(key) == 32
    # Without a trusted proxy configured, a client cannot pick its own bucket.
    assert ratelimit.client_key(spoofed) == key
    assert ratelimit.client_key(factory.get("/", REMOTE_ADDR="203.0.113.8")) != key


def test_client_key_uses_the_trusted_proxy_header(settings):
    settings.RATELIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.RATELIMIT_TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    # The proxy appends the real client; anything before it is client-supplied.
    a = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    b = factory.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    c = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert ratelimit.client_key(a) == ratelimit.client_key(b)
    assert ratelimit.client_key(a) != ratelimit.client_key(c)


def test_ipv6_clients_are_counted_per_64_network():
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    other = factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    elsewhere = factory.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert ratelimit.client_key(one) == ratelimit.client_key(other)
    assert ratelimit.client_key(one) != ratelimit.client_key(elsewhere)


def test_value_key_is_a_keyed_hash():
    key = ratelimit.value_key("43010219900307001X")
    assert "4301" not in key
    assert key == ratelimit.value_key("43010219900307001X")
    assert key != ratelimit.value_key("430102199003070028")


@pytest.mark.django_db
@pytest.mark.parametrize("language,lang_attr", [("zh-hans", 'lang="zh-hans"'), ("en", 'lang="en"')])
def test_429_page_in_the_requests_language(rf, language, lang_attr):
    from django.utils import translation

    request = rf.get("/status/")
    with translation.override(language):
        response = too_many_requests(request, retry_after=300)
    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert "no-store" in response["Cache-Control"]
    assert lang_attr in body
    assert body.count("<h1") == 1
    with translation.override(language):
        advice = translation.ngettext(
            "Please try again in %(minutes)s minute.", "Please try again in %(minutes)s minutes.", 5
        )
    assert advice % {"minutes": 5} in body


@pytest.mark.django_db
def test_429_page_without_retry_after(rf):
    response = too_many_requests(rf.get("/"))
    assert response.status_code == 429
    assert "Retry-After" not in response
