"""The content generation: one counter, shared by every app server, that publishing moves on.

Everything the portal keeps of rendered content, the anonymous page cache
(portal/cache.py) and the per-process memo of page parts (portal/content_memo.py),
is stored under the generation it was made in and reused only while that is
still the current one. Publishing or unpublishing a page, saving a snippet, a
site setting, an image or a document (portal/invalidation.py) bumps the
counter once the transaction commits, so the next request on every server
renders afresh. Nothing is ever deleted: stale entries stop matching.

The counter lives in the cache (`portal:pagecache:generation`, Redis in
production). Each process usually follows it through Redis pub/sub without a
round trip (portal/generation_watcher.py), and a request reads it once
(`request_generation`), shared by the page cache and the memo.

This module is the piece both caches build on; it imports neither of them.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from portal.generation_watcher import announce, watcher

logger = logging.getLogger("portal.cache")

GENERATION_KEY = "portal:pagecache:generation"
#: Attribute of the request holding the generation read for it (None: not read yet).
REQUEST_ATTRIBUTE = "_portal_content_generation"
_UNAVAILABLE = object()


def page_cache_enabled():
    """Whether the anonymous page cache is switched on (`PAGE_CACHE_ENABLED`, env `PAGE_CACHE`; default on)."""
    return getattr(settings, "PAGE_CACHE_ENABLED", True)


def memo_enabled():
    """Whether memoised page parts and fragments are used (`CONTENT_MEMO_ENABLED`, env `CONTENT_MEMO`; default on).

    Read on every use, so switching the setting at run time (tests, the benchmark's probe) takes effect at once.
    """
    return getattr(settings, "CONTENT_MEMO_ENABLED", True)


def get_cache():
    """The cache backend that holds the generation and the pages (`PAGE_CACHE_ALIAS`, default "default")."""
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def current_generation(cache=None):
    """The content generation now in force, creating it if the cache lost it.

    With Redis it usually comes from this process's subscription (portal/generation_watcher.py):
    no round trip.
    """
    cache = cache or get_cache()
    generation = watcher.generation(cache, lambda: _read_generation(cache))
    return generation if generation is not None else _read_generation(cache)


def _read_generation(cache):
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = _initialise_generation(cache)
    return generation


def _initialise_generation(cache):
    # Start from the clock, not from 1: if the cache loses the counter (restart,
    # eviction), a restarted counter must never match entries stored before.
    cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    return cache.get(GENERATION_KEY)


def remember_generation(request, generation):
    """Record the generation read for this request (the page cache reads it first; the memo reuses it)."""
    setattr(request, REQUEST_ATTRIBUTE, generation)


def request_generation(request):
    """The content generation for this request, read at most once per request; None when unavailable.

    Without a request (code that Wagtail calls without one), the generation is read afresh.
    """
    generation = getattr(request, REQUEST_ATTRIBUTE, None) if request is not None else None
    if generation is None:
        try:
            generation = current_generation()
        except Exception:  # noqa: BLE001 - without the cache, compute everything afresh
            logger.warning("content generation unavailable: rendering without the memo", exc_info=True)
            generation = _UNAVAILABLE
        if request is not None:
            remember_generation(request, generation)
    return None if generation is _UNAVAILABLE else generation


def bump_generation(**kwargs):
    """Invalidate every cached page and memoised page part now (all app servers sharing the cache backend)."""
    if not page_cache_enabled() and not memo_enabled():
        return
    cache = get_cache()
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:  # the counter is missing: any fresh value invalidates
        generation = time.time_ns()
        cache.set(GENERATION_KEY, generation, timeout=None)
    announce(cache, generation)
    logger.debug("content generation moved on")


def invalidate_on_commit(**kwargs):
    """Bump the generation once the current transaction commits.

    Bumping earlier would let a request that still sees the old rows store the
    old page under the new generation, where it would stay until it expires.
    """
    transaction.on_commit(bump_generation)
