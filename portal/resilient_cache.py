"""Django's Redis cache backend, made to degrade instead of failing the request when Redis is down.

Wagtail reads the site root paths from the default cache on every page that
links to another page, and the page cache sits in front of everything: with the
stock backend a Redis outage turns every page into a 500. Here, while Redis is
unreachable:

* reads (`get`, `get_many`, `has_key`) answer "not cached", so callers fall back
  to the database;
* writes (`set`, `set_many`, `delete`, `delete_many`, `touch`, `clear`) are skipped;
* counters (`add`, `incr`, `decr`) still raise: their callers must decide
  deliberately (the rate limiter fails open and logs, see portal/ratelimit.py).

After a failure the backend stops trying for `RETRY_AFTER` seconds (per
process), so a hanging Redis costs one connect timeout, not one per cache call.
Each outage is logged once per retry period, without keys or values.

Skipped writes mean that, for a few seconds after an outage, this process's
writes do not reach Redis while other app servers' do: nothing whose stale
copy would do harm may be cached here. Sessions therefore live in the database
only (portal/settings/base.py).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("portal.cache")

# Characters with a meaning in a Redis SCAN pattern (escaped in a key prefix).
_GLOB_SPECIAL = re.compile(r"[\\*?\[\]^-]")
# What redis-py raises when the server is unreachable or too slow.
_REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class CacheUnavailable(ConnectionError):
    """Raised by counter operations while Redis is known to be down."""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool instead of one per call.

    Django builds a new `redis.Redis` for every cache operation, and its
    constructor fills about 170 response callbacks (~0.2 ms, more than the
    round trip to a local Redis). A `redis.Redis` is safe to share between
    threads: each command borrows a connection from the pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache that answers "not cached" (and skips writes) while Redis is unreachable."""

    RETRY_AFTER = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    # ---- circuit breaker ------------------------------------------------

    def _available(self):
        return time.monotonic() >= self._down_until

    def _failed(self, operation, exc):
        with self._lock:
            first = self._available()
            self._down_until = time.monotonic() + self.RETRY_AFTER
        if first:
            logger.warning("cache unavailable (%s during %s); serving without it", type(exc).__name__, operation)

    def _guard(self, operation, default, call):
        if not self._available():
            return default
        try:
            return call()
        except self._errors() as exc:
            self._failed(operation, exc)
            return default

    def _guard_counter(self, operation, call):
        if not self._available():
            raise CacheUnavailable("cache unavailable")
        try:
            return call()
        except self._errors() as exc:
            self._failed(operation, exc)
            raise CacheUnavailable("cache unavailable") from exc

    @staticmethod
    def _errors():
        return _REDIS_ERRORS

    # ---- reads and writes degrade ---------------------------------------

    def get(self, key, default=None, version=None):
        return self._guard("get", default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._guard("has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._guard("set_many", keys, lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._guard("delete", False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self):
        """Delete this cache's keys only (those under its KEY_PREFIX), never the whole Redis database.

        Django's Redis backend flushes the database, and with it every other site (CACHE_KEY_PREFIX) or
        test run sharing it: their sessions, page-cache generation and rate-limit counters.
        """
        return self._guard("clear", False, self._delete_own_keys)

    def _delete_own_keys(self):
        client = self._cache.get_client(write=True)
        pattern = _GLOB_SPECIAL.sub(r"\\\g<0>", self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True

    # ---- publish/subscribe (portal/generation_watcher.py) ------------------

    def channel_name(self, name):
        """A pub/sub channel name private to this cache: its key prefix and its Redis database number.

        Channels are server-wide, unlike keys: without the database number, two sites (or the tests
        and the benchmark) on one Redis server would hear each other.
        """
        database = self._cache.get_client(write=True).connection_pool.connection_kwargs.get("db", 0)
        return f"{self.make_key(name)}:db{database}"

    def pubsub(self):
        """A new pub/sub connection to this cache's Redis (raises while Redis is known to be down)."""
        if not self._available():
            raise CacheUnavailable("cache unavailable")
        return self._cache.get_client(write=False).pubsub()

    def publish(self, channel, message):
        return self._guard_counter(
            "publish", lambda: self._cache.get_client(write=True).publish(channel, message)
        )

    # ---- counters raise: the caller decides -------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard_counter("add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def incr(self, key, delta=1, version=None):
        return self._guard_counter("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version))

    def decr(self, key, delta=1, version=None):
        return self._guard_counter("decr", lambda: super(ResilientRedisCache, self).decr(key, delta, version))
