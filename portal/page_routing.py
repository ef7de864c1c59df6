"""Routing below the site's root page with one query for the pages on the way (`PathRoutingMixin`).

Wagtail's own extension point for routing is `Page.route()`; the root page
type of the site (home.models.HomePage) overrides it with this mixin. Kept
apart from portal/page_serving.py because page models import it, and
`wagtail.views` cannot be imported while models load.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page


class PathRoutingMixin:
    """For the site's root page type: route a path below it with one query for the pages on the way.

    Wagtail's stock `Page.route` finds the child named by the first path
    component (a query), reads it as its specific type (another) and lets it
    route the rest: two queries per level. Every page's `url_path` is its
    parent's plus its slug, so the pages on the way are the descendants whose
    `url_path` is one of the path's prefixes: one query (ids and types only),
    then the routed page as its specific type. Where a page on the way has a
    route of its own (a routable page such as the wizard, or any custom
    `route()`), it routes the rest itself, exactly as in Wagtail's walk; a
    missing level is a 404, as there.
    """

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            self.url_path + "".join(f"{part}/" for part in path_components[: n + 1])
            for n in range(len(path_components))
        ]
        rows = (
            Page.objects.filter(path__startswith=self.path, url_path__in=prefixes)
            .order_by("depth")
            .values_list("pk", "depth", "content_type_id")
        )
        target_depth = self.depth + len(path_components)
        for pk, depth, content_type_id in rows:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if depth == target_depth or model is None or model.route is not Page.route:
                # The page the path names, or one that routes what is left itself.
                page = model.objects.get(pk=pk) if model is not None else Page.objects.get(pk=pk).specific
                return page.route(request, path_components[depth - self.depth :])
        raise Http404


#: The routes whose answers depend on the page tree only (what portal/page_serving.py may remember).
STOCK_ROUTES = (Page.route, RoutablePageMixin.route, PathRoutingMixin.route)
