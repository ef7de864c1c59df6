"""Whole-page cache for anonymous visitors of the public site, invalidated on publishing.

Why not Django's `cache_page`/`UpdateCacheMiddleware`: they cannot be invalidated
when an editor publishes, and they key on every `Vary` header. Why not the
`wagtail-cache` package: it clears the *whole* cache backend on publish, and in
production that backend (Redis) also holds sessions and rate-limit counters.

How it works
------------
* Every stored page carries the *content generation* it was rendered under. The
  generation is one integer in the cache (`portal:pagecache:generation`), shared
  by every app server through Redis. Publishing or unpublishing a page, saving a
  snippet, a site setting, an image or a document bumps it after the transaction
  commits (portal/generation.py, portal/invalidation.py), so the next request on any server renders the
  page afresh. Nothing needs to be deleted: old entries simply stop matching and
  expire (`PAGE_CACHE_SECONDS`).
* A hit costs no database query and usually no cache round trip either: the
  generation comes from this process's Redis subscription
  (portal/generation_watcher.py; else one small read), and the page itself
  from the process's own memory when it was served there under the same
  generation, else from the shared cache. The middleware sits
  before the session, CSRF and authentication middleware, so a hit never
  touches them.
* What is never cached (each rule is a test in tests/test_cache.py): methods
  other than GET/HEAD; requests carrying a session cookie (logged-in staff,
  residents in the middle of the wizard); query strings other than
  `PAGE_CACHE_QUERY_PARAMS`; the paths in `PAGE_CACHE_EXCLUDED_PREFIXES`
  (admin, wizard, status lookup, health check, documents); responses that are
  not 200, set a cookie, used a CSRF token, vary on Cookie for any other reason
  than an empty session having been looked at,
  say `Cache-Control: private`/`no-store`/`no-cache`, or render a page whose
  class sets `cache_page = False`.
* Cookie-driven variants of the same page (elder mode) are cached separately:
  the values of the cookies in `PAGE_CACHE_VARY_COOKIES` are part of the key.

With the local-memory backend (tests) every process has its own generation, so
with several processes a publish only reaches the process that handled it:
production therefore requires Redis (see settings/production.py), and
development without Redis keeps the page cache in files that all of `make run`'s
processes share (settings/dev.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

# The generation and what bumps it live in portal/generation.py (the memo of page parts builds on it too);
# these names stay importable from here.
from portal.generation import (  # noqa: F401
    GENERATION_KEY,
    bump_generation,
    current_generation,
    get_cache,
    invalidate_on_commit,
    remember_generation,
)
from portal.generation import page_cache_enabled as cache_enabled
from portal.security_events import request_id

logger = logging.getLogger(__name__)

ENTRY_PREFIX = "portal:pagecache:page:"
# Header that tells operators (and the benchmark) whether the cache answered.
STATUS_HEADER = "X-Page-Cache"

DEFAULT_EXCLUDED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/register/",
    "/en/register/",
    "/status/",
    "/en/status/",
    "/healthz/",
    "/documents/",
    "/static/",
    "/media/",
)
# Vary values that do not change what we serve: the language comes from the
# URL (i18n_patterns), and responses are not compressed by Django.
_HARMLESS_VARY = {"accept-language", "accept-encoding"}
_UNCACHEABLE_CACHE_CONTROL = {"private", "no-store", "no-cache"}
# Response headers that must not be replayed to another visitor (a replay gets its own request id).
_DROPPED_HEADERS = {"set-cookie", "x-request-id", STATUS_HEADER.lower()}


def _setting(name, default):
    return getattr(settings, name, default)


def _cookie_variant(request):
    names = _setting("PAGE_CACHE_VARY_COOKIES", ("elder_mode",))
    return "&".join(f"{name}={request.COOKIES.get(name, '')}" for name in names)


def query_variant(request):
    """The allowed query parameters in a stable order, or None if others are present."""
    if not request.GET:
        return ""
    allowed = set(_setting("PAGE_CACHE_QUERY_PARAMS", ("page",)))
    if set(request.GET) - allowed:
        return None
    # A page number is short; anything longer is not a real listing page.
    items = sorted((name, request.GET.getlist(name)) for name in request.GET)
    text = "&".join(f"{name}={','.join(values)}" for name, values in items)
    return text if len(text) <= 40 else None


def cache_key(request):
    """The cache key of this request, or None when the request must not use the cache."""
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A session may hold a login or a half-filled wizard: render for them.
        return None
    path = request.path
    if path.startswith(tuple(_setting("PAGE_CACHE_EXCLUDED_PREFIXES", DEFAULT_EXCLUDED_PREFIXES))):
        return None
    query = query_variant(request)
    if query is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    scheme = "https" if request.is_secure() else "http"
    raw = "|".join((scheme, host, path, query, _cookie_variant(request)))
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _session_untouched(request):
    """True when the request's session exists, is empty and was not written to."""
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not getattr(session, "modified", True) and session.is_empty()


def response_is_cacheable(request, response):
    """Whether a freshly rendered response may be replayed to other anonymous visitors."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    if "cookie" in vary and _session_untouched(request):
        # Only an empty session was looked at (e.g. "is this visitor logged
        # in?"): the request carried no session cookie, so nothing personal
        # was read, and visitors who do have one bypass the cache anyway.
        vary.discard("cookie")
    if vary - _HARMLESS_VARY:
        return False
    cache_control = {
        v.split("=")[0].strip().lower() for v in cc_delim_re.split(response.get("Cache-Control", "")) if v.strip()
    }
    if cache_control & _UNCACHEABLE_CACHE_CONTROL:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # Wagtail pages render through a TemplateResponse whose context holds the page.
    page = (getattr(response, "context_data", None) or {}).get("page")
    return getattr(page, "cache_page", True) is not False


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache (see the module docstring).

    Put it right after WhiteNoise, before the session middleware.
    """

    # Pages kept in this process (most recently used), each checked against the
    # shared generation on every request, so they are never staler than Redis.
    LOCAL_ENTRIES = 200

    def __init__(self, get_response):
        self.get_response = get_response
        self._local = OrderedDict()

    def _remember(self, key, entry):
        self._local[key] = entry
        self._local.move_to_end(key)
        while len(self._local) > self.LOCAL_ENTRIES:
            self._local.popitem(last=False)

    def __call__(self, request):
        if not cache_enabled():
            return self.get_response(request)
        key = cache_key(request)
        if key is None:
            return self.get_response(request)

        cache = get_cache()
        try:
            # The generation decides (usually without a round trip); the page itself usually comes from this
            # process's memory, else from the shared cache.
            generation = current_generation(cache)
            # The rest of the request (portal/content_memo.py) reuses it.
            remember_generation(request, generation)
            entry = self._local.get(key)
            if entry is None or entry[0] != generation:
                entry = cache.get(key)
                if entry is not None and entry[0] == generation:
                    self._remember(key, entry)
        except Exception:  # noqa: BLE001 - a cache outage must cost speed, never the page
            logger.warning("page cache unavailable: rendering without it", exc_info=True)
            return self.get_response(request)
        if entry is not None and entry[0] == generation:
            return self._replay(request, entry)

        response = self.get_response(request)
        if response_is_cacheable(request, response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [(k, v) for k, v in response.items() if k.lower() not in _DROPPED_HEADERS]
            entry = (generation, response.status_code, headers, response.content)
            try:
                cache.set(key, entry, timeout=_setting("PAGE_CACHE_SECONDS", 600))
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable: response not stored", exc_info=True)
                return response
            self._remember(key, entry)
            response[STATUS_HEADER] = "miss"
        return response

    @staticmethod
    def _replay(request, entry):
        _generation, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Request-ID"] = request_id(request)
        response[STATUS_HEADER] = "hit"
        return response
