"""Tests that need a real Redis: reachability, a cache of their own on it, and failing (not skipping) in CI.

Several test runs may share one Redis server (CI jobs on one machine, engineers on one host), so a test
never uses a key another run could touch: `redis_caches()` gives each call a key prefix of its own, and
`portal.resilient_cache.ResilientRedisCache.clear()` deletes that prefix only (never FLUSHDB).
"""

import os
import uuid

import pytest
import redis


def redis_reachable(url):
    """Whether a Redis answers at `url` (half a second to connect)."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2).ping()
    except (redis.exceptions.RedisError, OSError):
        return False
    return True


def require_redis(url):
    """Skip the test without Redis at `url`; in CI (the `CI` environment variable set) fail it instead."""
    if redis_reachable(url):
        return
    message = f"Redis not reachable at {url}: start redis-server (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; tests that need Redis must run in CI", pytrace=False)
    pytest.skip(message)


def redis_caches(url, name="redis"):
    """A CACHES setting with the portal's Redis backend at `url`, under a key prefix used by no one else."""
    return {
        "default": {
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{name}-{uuid.uuid4().hex[:12]}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 10},
        }
    }
