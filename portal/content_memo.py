"""What every public render recomputes from the page tree, kept per process for one content generation.

The page cache (portal/cache.py) keeps whole responses for anonymous visitors.
This module serves the renders that still happen (a cache miss, a visitor with
a session, the wizard, a page with the page cache off): the Site of a host, the
page a URL path routes to, whether any view restriction exists, the main menu,
the language links, the breadcrumbs, the home page's lists and the Q&A's
questions. None of these change unless an editor publishes, so each is
computed once per app process and *content generation* (the counter that
publishing bumps, shared through the cache backend by every server) and reused
until the generation moves on. A request reads the generation once, shared
with the page cache, usually without a round trip (portal/generation_watcher.py).

The memo holds at most `GenerationMemo.max_entries` entries per process, each
tied to a page or a site and language (never to a query string), so its size
follows the number of pages.

Entries are plain values (ids, titles, URLs), or model instances that no
request ever touches: each request gets its own copy of the Site and a deep
copy of the page its URL routes to (a copy costs ~0.1 ms, the query ~1 ms of CPU).

`CONTENT_MEMO_ENABLED` switches it off (test settings do, because tests roll
back their transactions without the commit that bumps the generation; the
tests of this module switch it on).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from contextvars import ContextVar

from django.conf import settings
from django.http import Http404
from django.utils import translation

logger = logging.getLogger(__name__)

#: Attribute of the request holding the generation read for it (portal/cache.py sets it too).
REQUEST_ATTRIBUTE = "_portal_content_generation"
_UNAVAILABLE = object()
# The request being served, for memo lookups where Wagtail passes no request (view restrictions).
_current_request = ContextVar("portal_current_request", default=None)


def memo_enabled():
    return getattr(settings, "CONTENT_MEMO_ENABLED", True)


def request_generation(request):
    """The content generation for this request, read from the cache once; None when unavailable."""
    request = request if request is not None else _current_request.get()
    generation = getattr(request, REQUEST_ATTRIBUTE, None)
    if generation is None:
        from portal.cache import current_generation

        try:
            generation = current_generation()
        except Exception:  # noqa: BLE001 - without the cache, compute everything afresh
            logger.warning("content generation unavailable: rendering without the memo", exc_info=True)
            generation = _UNAVAILABLE
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, generation)
    return None if generation is _UNAVAILABLE else generation


class GenerationMemo:
    """A bounded map of key → (generation, value): a value is reused only under the generation it was made in."""

    def __init__(self, max_entries=2000):
        self.max_entries = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, request, key, compute):
        """`compute()`'s value for `key` under this request's generation (computed at most once per generation)."""
        generation = request_generation(request) if memo_enabled() else None
        if generation is None:
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == generation:
                self._entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def peek(self, request, key):
        """The value stored for `key` under this request's generation, or None (never computes)."""
        generation = request_generation(request) if memo_enabled() else None
        if generation is None:
            return None
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == generation else None

    def put(self, request, key, value):
        generation = request_generation(request) if memo_enabled() else None
        if generation is None:
            return
        with self._lock:
            self._entries[key] = (generation, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


memo = GenerationMemo()


def site_key(request):
    """The part of a memo key that names the Wagtail site and language of this request."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    return (site.pk if site is not None else None, translation.get_language())


# --------------------------------------------------------------------------
# View restrictions


def any_view_restrictions(request=None):
    """Whether any page has a view restriction (almost never on this portal): one query per generation.

    Wagtail asks the page, not the request: the request comes from SiteAndRouteMiddleware.
    """
    from wagtail.models import PageViewRestriction

    return memo.get(request, ("view-restrictions",), PageViewRestriction.objects.exists)


class ViewRestrictionsMixin:
    """Page mixin: skip Wagtail's two view-restriction queries per request while no restriction exists.

    Adding or removing a restriction bumps the content generation (portal/cache.py).
    """

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


# --------------------------------------------------------------------------
# Site and route


class SiteAndRouteMiddleware:
    """Give Wagtail the Site and the route of a public page from the memo instead of the database.

    Wagtail keeps both on the request (`request._wagtail_site`, and
    `request._wagtail_route_for_request`, documented in
    `Page.route_for_request`); set there first, its serve view skips the site
    query and the walk down the tree (two queries per level). A route is
    memoised as a pristine instance of the page read once per generation, of
    which each request gets a deep copy: by its full path for a plain page; by
    the page's own path for a routable page (the wizard), whose sub-route is
    then resolved by the page itself. Place it after LocaleMiddleware: a route
    depends on the language. (Pages sit below a language home page at depth 2,
    as wagtail-localize builds the tree.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not memo_enabled():
            return self.get_response(request)
        token = _current_request.set(request)
        try:
            self._set_site(request)
            response = self.get_response(request)
            self._remember_route(request)
        finally:
            _current_request.reset(token)
        return response

    @staticmethod
    def _set_site(request):
        from django.http.request import split_domain_port
        from wagtail.models import Site

        try:
            host = request._get_raw_host()
            port = request.get_port()
        except Exception:  # noqa: BLE001 - a malformed Host header: let Wagtail decide
            return
        hostname = split_domain_port(host)[0]
        site = memo.get(request, ("site", hostname, port), lambda: Site._find_for_request(request))
        if site is not None:
            # A copy per request, so nothing a request caches on it reaches the next one; without
            # its root page (rarely needed once the route is memoised; then read again).
            site = copy.copy(site)
            site._state.fields_cache.pop("root_page", None)
            request._wagtail_site = site
        # What Wagtail reads from the cache to build every page URL (Page._get_site_root_paths).
        request._wagtail_cached_site_root_paths = memo.get(request, ("site-root-paths",), Site.get_site_root_paths)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not memo_enabled() or not _is_wagtail_serve(view_func):
            return None
        from wagtail.url_routing import RouteResult

        path = view_kwargs.get("path", view_args[0] if view_args else "")
        key = ("route", *site_key(request), path)
        request._portal_route_key = key
        pristine = memo.peek(request, key)
        if pristine is not None:
            request._wagtail_route_for_request = RouteResult(copy.deepcopy(pristine))
            return None
        # A sub-route of a routable page (the wizard's steps): the page from the memo by the path that
        # leads to it, the rest resolved by the page itself. Shortest path first, as Wagtail walks the
        # tree: a routable page answers its own sub-routes before its children's.
        parts = [part for part in path.split("/") if part]
        for depth in range(len(parts) + 1):
            pristine = memo.peek(request, ("routable", *site_key(request), "/".join(parts[:depth])))
            if pristine is None:
                continue
            page = copy.deepcopy(pristine)
            try:
                match = page.resolve_subpage("/" + "".join(f"{part}/" for part in parts[depth:]))
            except Http404:
                return None  # perhaps a child page: Wagtail routes it
            request.routable_resolver_match = match  # as RoutablePageMixin.route() leaves it
            request._wagtail_route_for_request = RouteResult(page, args=tuple(match))
            return None
        return None

    @staticmethod
    def _remember_route(request):
        key = getattr(request, "_portal_route_key", None)
        route = getattr(request, "_wagtail_route_for_request", None)
        if key is None or route is None or not route[0].live:
            return
        page, args, kwargs = route
        if args or kwargs:
            if not hasattr(page, "resolve_subpage"):
                return  # a route with arguments we do not know how to replay
            key = ("routable", *key[1:-1], _path_below_language_home(page))
        if memo.peek(request, key) is not None:
            return
        # Read afresh: the routed instance went through a render and may carry what it cached there.
        pristine = type(page).objects.filter(pk=page.pk, live=True).first()
        if pristine is not None:
            memo.put(request, key, pristine)


def _path_below_language_home(page):
    """The path of a page below its language's home page ("/home/register/" → "register")."""
    return "/".join(page.url_path.strip("/").split("/")[1:])


def _is_wagtail_serve(view_func):
    from wagtail import views as wagtail_views

    return view_func is wagtail_views.serve
