"""What surrounds every public page: the main menu, the breadcrumbs and the page's language versions.

`page_chrome(request, page)` reads all three in one query, as plain links
(ids, titles, URLs), and keeps them in the memo of page parts
(portal/content_memo.py): once per request always, once per content
generation while the memo is on. The template tags (home/templatetags/
portal_tags.py) and the pages that need a link from it (the home page's
sections, a notice's link back to its index) share the one computation.

The tree below the site root is read through treebeard's materialised path
(`path`, `depth`, `Page.steplen`): the home page of a page's language is its
ancestor at the site root's depth, the menu is that page's live children shown
in menus, and the breadcrumbs are the page's ancestors from there down.
"""

from __future__ import annotations

from django.db.models import F, Q
from wagtail.models import Page, Site

from portal.content_memo import memo, site_key

# What a link and its place in the tree need (Page.get_url reads url_path only).
_LINK_FIELDS = (
    "id",
    "path",
    "depth",
    "title",
    "url_path",
    "live",
    "show_in_menus",
    "translation_key",
    "search_description",
)
EMPTY = {"home": None, "menu": [], "ancestors": [], "translations": {}}


def page_chrome(request, page=None):
    """{"home", "menu", "ancestors", "translations"} around `page` (a Wagtail page, or None for other views).

    `home` and each item of `menu` and `ancestors` are {"id", "title", "url", "search_description"};
    `translations` maps a language code to the URL of the page's live version in that language.
    """
    page = page if isinstance(page, Page) and page.pk else None
    if request is None:
        return EMPTY
    key = ("chrome", *site_key(request), page.pk if page is not None else None)
    return memo.get(request, key, lambda: _read_chrome(request, page))


def _link(row, request):
    return {"id": row.pk, "title": row.title, "url": row.get_url(request), "search_description": row.search_description}


def _read_chrome(request, page):
    site = Site.find_for_request(request)
    if site is None:
        return EMPTY
    root = site.root_page
    step = Page.steplen
    in_tree = page is not None and page.depth >= root.depth
    # Not a page of the tree (search, error pages): the site's home page in the active language.
    home_path = page.path[: root.depth * step] if in_tree else root.localized.path
    home_depth = len(home_path) // step
    ancestor_paths = set()
    condition = Q(path=home_path) | Q(depth=home_depth + 1, path__startswith=home_path, live=True, show_in_menus=True)
    if page is not None:
        ancestor_paths = {page.path[: depth * step] for depth in range(home_depth, page.depth)}
        condition |= Q(path__in=ancestor_paths) | Q(translation_key=page.translation_key, live=True)
    # Plain Page rows with the fields links need: titles and URLs need no specific page type.
    rows = list(
        Page.objects.filter(condition)
        .only(*_LINK_FIELDS)
        .annotate(language_code=F("locale__language_code"))
        .order_by("path")
    )
    home = next((row for row in rows if row.path == home_path), None)
    return {
        "home": _link(home, request) if home is not None else None,
        "menu": [
            _link(row, request)
            for row in rows
            if row.depth == home_depth + 1 and row.path.startswith(home_path) and row.live and row.show_in_menus
        ],
        "ancestors": [_link(row, request) for row in rows if row.path in ancestor_paths],
        "translations": {
            row.language_code: row.get_url(request)
            for row in rows
            if page is not None and row.translation_key == page.translation_key and row.live
        },
    }
