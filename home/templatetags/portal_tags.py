"""Template tags for the site chrome: main menu, language switcher, breadcrumbs and elder-friendly mode."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page, Site

from portal.content_memo import memo, site_key

register = template.Library()


def _site_root(request):
    """The site's root page translated into the active language (or the root itself)."""
    site = Site.find_for_request(request) if request else None
    if site is None:
        return None
    root = site.root_page
    locale = Locale.get_active()
    if root.locale_id != locale.id:
        root = root.get_translation_or_none(locale) or root
    return root


def _menu_links(request):
    """The main menu of this site and language as plain links: (home link, [links of its in-menu children])."""
    root = _site_root(request)
    if root is None:
        return None, []
    # Plain Page rows: enough for titles and URLs in one query (each deferred field would cost one more).
    items = [{"id": p.pk, "title": p.title, "url": p.get_url(request)} for p in root.get_children().live().in_menu()]
    return {"id": root.pk, "url": root.get_url(request)}, items


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, in-menu children of the home page in the active language."""
    request = context.get("request")
    root, items = (None, [])
    if request is not None:
        root, items = memo.get(request, ("menu", *site_key(request)), lambda: _menu_links(request))
    current = context.get("page")
    return {"root": root, "items": items, "current_id": getattr(current, "pk", None)}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the same page in each language (see _language_links)."""
    return {"links": language_links(context)}


def _translation_urls(page, request):
    """{language code: URL} of the live versions of `page` (one query for all of them)."""
    urls = {}
    for target in Page.objects.filter(translation_key=page.translation_key, live=True).select_related("locale"):
        urls[target.locale.language_code] = target.get_url(request)
    return urls


def _language_links(context):
    """Links to the same page in each language; the home page of that language when no translation exists."""
    request = context.get("request")
    page = context.get("page")
    current_language = translation.get_language()
    links = []
    translations = {}
    if isinstance(page, Page) and page.pk:
        if request is not None:
            key = ("translations", *site_key(request), page.pk)
            translations = memo.get(request, key, lambda: _translation_urls(page, request))
        else:
            translations = _translation_urls(page, None)
    for code, _name in settings.LANGUAGES:
        url = translations.get(code)
        if url is None and request is not None:
            url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "is_current": code == current_language,
                "absolute_url": request.build_absolute_uri(url) if request is not None and url else url,
            }
        )
    return {"links": links}


@register.simple_tag(takes_context=True)
def open_graph(context):
    """What a shared link previews (Open Graph) for this page.

    Read with getattr here: in a template, each attribute that a page type lacks
    (a notice's date, a poster's image) makes Django list the page's several
    hundred attributes to explain the miss, several times per render.
    """
    page = context.get("page")
    return {
        "type": "article" if getattr(page, "issue_date", None) else "website",
        "description": getattr(page, "search_description", "") or getattr(page, "summary", ""),
        "image": getattr(page, "image", None),
        "image_alt": getattr(page, "alt_text", ""),
    }


ELDER_COOKIE = "elder_mode"


@register.simple_tag(takes_context=True)
def elder_mode(context):
    """True when the visitor switched on elder-friendly mode (长辈模式); read from a cookie, no login."""
    request = context.get("request")
    return bool(request is not None and request.COOKIES.get(ELDER_COOKIE) == "1")


@register.simple_tag(takes_context=True)
def language_links(context):
    """The language switcher's links, computed once per request (the header and <head> both use them)."""
    request = context.get("request")
    cached = getattr(request, "_portal_language_links", None) if request is not None else None
    if cached is not None:
        return cached
    links = _language_links(context)["links"]
    if request is not None:
        request._portal_language_links = links
    return links


def _ancestor_links(page, request):
    # Depth 1 is the tree root; depth 2 the home page of the language.
    return [{"title": p.title, "url": p.get_url(request)} for p in page.get_ancestors().filter(depth__gte=2)]


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Home › … › current page, from the page tree (nothing on the home page itself)."""
    page = context.get("page")
    request = context.get("request")
    items = []
    if isinstance(page, Page) and page.depth > 2:
        if request is not None:
            key = ("breadcrumbs", *site_key(request), page.pk)
            items = memo.get(request, key, lambda: _ancestor_links(page, request))
        else:
            items = _ancestor_links(page, None)
    return {"ancestors": items, "page": page}


@register.inclusion_tag("includes/elder_switch.html", takes_context=True)
def elder_switch(context):
    """The 长辈模式 switch: a plain link to the view that sets the cookie, then back to this page."""
    from urllib.parse import urlencode

    request = context.get("request")
    on = elder_mode(context)
    next_url = request.get_full_path() if request is not None else "/"
    href = "/elder-mode/?" + urlencode({"on": "0" if on else "1", "next": next_url})
    return {"on": on, "href": href}


@register.filter
def jsonld_script(value):
    """Structured data as <script type="application/ld+json">, escaped like json_script (no </script> breakout)."""
    from django.utils.html import json_script
    from django.utils.safestring import mark_safe

    html = json_script(value)
    # Safe: json_script escapes <, > and & inside the JSON; only the type attribute changes.
    return mark_safe(html.replace('type="application/json"', 'type="application/ld+json"', 1))  # noqa: S308 # nosec B308 B703
