"""Wagtail's page serving, with the page a path leads to remembered for one content generation.

This is the one place where the portal does not simply mount Wagtail's catch-all
view (`wagtail.views.serve`), so it is kept small and documented here.

Why: Wagtail finds the page of a URL by walking the tree from the site's root,
one level at a time: the Site of the host (a query), the root page in the
active language (a query for the locale, one for the specific page), then two
queries per level. On a 2-core server that walk is most of what a render of an
unchanged page costs, and the answer changes only when an editor publishes.

What: `serve` is mounted under Wagtail's own URL name (`wagtail_serve`,
portal/urls.py), so `Page.url` and `{% pageurl %}` are unchanged. For each
path it remembers, per content generation (portal/content_memo.py), which page
the walk reached and how many path components that page consumed, nothing else:

* on a miss it asks Wagtail (`Page.route_for_request`, which keeps the result
  for the request itself), remembers the answer, and lets `wagtail.views.serve`
  serve the request, so a first request is exactly Wagtail's;
* on a hit it takes that page by its primary key: read from the database on the
  generation's first hit, then unpickled from the bytes kept in the memo (a fresh
  instance for every request, as Django's local-memory cache gives); it lets the
  page route the rest of the path itself (`Page.route()`: the stock route checks that the page is live,
  `RoutablePageMixin.route()` resolves the wizard's sub-routes), and serves the
  route as `wagtail.views.serve` does: the `on_serve_page` hooks around
  `serve_chain`, the `before_serve_page` hooks first.

Only what Wagtail's stock walk decides is remembered: a path is remembered when
every page from the site root down to the routed page uses Wagtail's own
`Page.route` or `RoutablePageMixin.route` (a page type with a custom `route()`
may answer differently per request, so its paths always take Wagtail's walk).
A routable page is remembered under its own path (its sub-paths are resolved
by the page on every request, so arbitrary sub-paths never fill the memo).
Pages that are not found are never remembered.

Publishing, unpublishing, moving or deleting a page, and saving a Site, bump the
generation (portal/invalidation.py): the next request walks the tree again.
`CONTENT_MEMO=0` (`CONTENT_MEMO_ENABLED = False`) hands every request to
`wagtail.views.serve` unchanged. Public Wagtail API only: `Page.route_for_request`,
`Page.route`, `RoutablePageMixin`, `wagtail.hooks`, `wagtail.views.serve` and
`serve_chain`, `Site.find_for_request`; tests: tests/portal/test_page_serving.py.
"""

from __future__ import annotations

# Only bytes this process pickled itself are ever unpickled (fresh_page).
import pickle  # nosec B403

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from wagtail import hooks
from wagtail import views as wagtail_views
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, Site

from portal.content_memo import memo, memo_enabled, site_key
from portal.page_routing import STOCK_ROUTES


def serve(request, path):
    """The page at `path` (Wagtail's `wagtail_serve` URL), routed from the memo when this generation saw the path."""
    if not memo_enabled():
        return wagtail_views.serve(request, path)
    components = [component for component in path.split("/") if component]
    route = remembered_route(request, components)
    if route is None:
        found = Page.route_for_request(request, path)
        if found is not None:
            remember_route(request, components, found)
        return wagtail_views.serve(request, path)
    page, args, kwargs = route
    return serve_route(request, page, args, kwargs)


def serve_route(request, page, args, kwargs):
    """Serve a routed page the way `wagtail.views.serve` does once it has the route."""
    on_serve_chain = wagtail_views.serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return on_serve_chain(page, request, args, kwargs)


def _key(base, components):
    return ("route", *base, "/".join(components))


def remembered_route(request, components):
    """The route of this path from the memo (a fresh page from the database), or None to ask Wagtail.

    The path itself first; then, shortest first as Wagtail walks, the routable pages above it.
    Raises Http404 when the remembered page does not answer the rest of the path.
    """
    base = site_key(request)
    for depth in (len(components), *range(len(components))):
        entry = memo.peek(request, _key(base, components[:depth]))
        if entry is None or (depth < len(components) and not entry[2]):
            continue
        model_label, pk, _routable = entry
        page = fresh_page(request, model_label, pk)
        if page is None:
            return None  # deleted meanwhile (and its generation is over): Wagtail decides
        # The stock route checks that the page is live; a routable page resolves its sub-route or raises Http404.
        return page.route(request, components[depth:])
    return None


def fresh_page(request, model_label, pk):
    """A new instance of the page for this request, or None if it is gone.

    The first request of a generation reads it from the database and keeps it pickled, as Django's
    local-memory cache keeps values; later requests unpickle their own copy (nothing one request
    sets on its page reaches another), which costs a tenth of the query. Whatever changes what a
    page serves (publishing, unpublishing, moving, deleting) starts a new generation.
    """
    key = ("page", model_label, pk)
    kept = memo.peek(request, key)
    if kept is not None:
        # Our own bytes, kept in this process's memory: never data from outside.
        return pickle.loads(kept)  # noqa: S301 # nosec B301
    model = apps.get_model(model_label)
    try:
        page = model.objects.get(pk=pk)
    except model.DoesNotExist:
        return None
    memo.put(request, key, pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))
    return page


def remember_route(request, components, route):
    """Remember Wagtail's answer for this path when only stock routing produced it (see the module docstring)."""
    page, args, kwargs = route
    routable = isinstance(page, RoutablePageMixin)
    if (args or kwargs) and not routable:
        return  # a custom route with arguments: always Wagtail's walk
    site = Site.find_for_request(request)  # cached on the request by Wagtail's own walk
    if site is None:
        return
    root_depth = site.root_page.depth
    consumed = page.depth - root_depth
    if not 0 <= consumed <= len(components) or (consumed and components[consumed - 1] != page.slug):
        return  # not reached by the walk this module knows
    if not routable and consumed != len(components):
        return
    walk = page.get_ancestors(inclusive=True).filter(depth__gte=root_depth).values_list("content_type_id", flat=True)
    classes = [ContentType.objects.get_for_id(content_type_id).model_class() for content_type_id in walk]
    if not all(cls is not None and cls.route in STOCK_ROUTES for cls in classes):
        return
    memo.put(request, _key(site_key(request), components[:consumed]), (page._meta.label, page.pk, routable))
