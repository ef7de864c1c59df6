"""This process's copy of the content generation, kept current by Redis pub/sub instead of a read per request.

Every page-cache hit and every memoised render needs the current content
generation (portal/cache.py). Reading it from Redis costs a round trip per
request, which on a busy machine is most of what a cache hit costs. Instead,
each process subscribes once to a channel on which `bump_generation` publishes
every new generation, and at the start of each request drains whatever has
arrived on that connection without waiting (a poll of the socket, no round
trip).

Why this still shows a published edit on the next request: Redis writes the
message to every subscriber's connection when it executes PUBLISH, before the
publishing server gets its reply, finishes its response and the editor's
browser sends another request. The subscription is confirmed before the
counter is read, so no bump falls between the two.

Any trouble (Redis restarting, the connection dropping, a cache backend
without pub/sub such as the local-memory cache of development and tests) falls
back to reading the counter on every request; the subscription is retried after
`RETRY_AFTER` seconds and, once confirmed, the counter is read afresh. When
redis-py reconnects by itself, the counter is read afresh too (bumps may have
been missed meanwhile). And because a connection can die silently (a
firewall dropping it without a word), the counter is still read once every
`VERIFY_EVERY` seconds: a value that disagrees with the subscription's
restarts it. So a silent failure costs at most that long, never more.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger("portal.cache")

CHANNEL = "portal:pagecache:generation:bumped"


def supports_pubsub(cache):
    """Whether the cache backend offers publish/subscribe (portal.resilient_cache.ResilientRedisCache does)."""
    return hasattr(cache, "pubsub") and hasattr(cache, "publish")


def pubsub_enabled():
    """`PAGE_CACHE_GENERATION_PUBSUB` (on by default; the test settings read the counter directly)."""
    return getattr(settings, "PAGE_CACHE_GENERATION_PUBSUB", True)


def announce(cache, generation):
    """Tell every subscribed process the new generation (best effort: readers fall back on failure)."""
    if not supports_pubsub(cache):
        return
    try:
        cache.publish(cache.channel_name(CHANNEL), str(generation))
    except Exception:  # noqa: BLE001 - the counter is already bumped; subscribers resubscribe and reread it
        logger.warning("could not announce the new content generation", exc_info=True)


class GenerationWatcher:
    """Holds the generation for this process while its subscription is live (see the module docstring)."""

    RETRY_AFTER = 5.0
    CONFIRM_TIMEOUT = 1.0
    VERIFY_EVERY = 1.0

    def __init__(self):
        self._lock = threading.Lock()
        self._pubsub = None
        self._pid = None
        self._generation = None
        self._retry_at = 0.0
        self._verify_at = 0.0
        self._reconnected = False

    def generation(self, cache, read):
        """The current generation without a round trip, or None when the caller must `read()` it itself."""
        if not pubsub_enabled() or not supports_pubsub(cache) or time.monotonic() < self._retry_at:
            return None
        with self._lock:
            try:
                if self._pubsub is None or self._pid != os.getpid() or self._reconnected:
                    # First use in this process (gunicorn forks after loading the app), or redis-py
                    # reconnected on its own: subscribe, then read the counter.
                    self._subscribe(cache, read)
                self._drain()
                if time.monotonic() >= self._verify_at:
                    self._verify(cache, read)
                return self._generation
            except Exception:  # noqa: BLE001 - connection trouble: read per request until the retry
                logger.warning("generation subscription lost; reading the counter per request", exc_info=True)
                self.close()
                self._retry_at = time.monotonic() + self.RETRY_AFTER
                return None

    def close(self):
        """Drop the subscription (the next call subscribes again)."""
        pubsub, self._pubsub, self._pid, self._generation = self._pubsub, None, None, None
        if pubsub is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                pubsub.close()

    def _subscribe(self, cache, read):
        self.close()
        pubsub = cache.pubsub()
        pubsub.subscribe(cache.channel_name(CHANNEL))
        deadline = time.monotonic() + self.CONFIRM_TIMEOUT
        while True:
            message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == "subscribe":
                break
            if time.monotonic() >= deadline:
                pubsub.close()
                raise TimeoutError("no subscription confirmation")
        # Called by redis-py after it reconnects (not for the first connection, made above).
        pubsub.connection.register_connect_callback(self._on_reconnect)
        self._pubsub, self._pid, self._reconnected = pubsub, os.getpid(), False
        self._generation = read()
        self._verify_at = time.monotonic() + self.VERIFY_EVERY

    def _on_reconnect(self, connection):
        self._reconnected = True

    def _verify(self, cache, read):
        before = self._generation
        stored = read()
        self._verify_at = time.monotonic() + self.VERIFY_EVERY
        self._drain()  # a bump announced while reading is not a disagreement
        if stored not in (before, self._generation):
            logger.warning("generation subscription missed a bump; subscribing again")
            self._subscribe(cache, read)

    def _drain(self):
        while (message := self._pubsub.get_message(timeout=0)) is not None:
            if message["type"] == "message":
                self._generation = int(message["data"])


watcher = GenerationWatcher()
