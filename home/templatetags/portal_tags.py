"""Template tags for the site chrome: main menu, language switcher, breadcrumbs and elder-friendly mode."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page, Site

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


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, in-menu children of the home page in the active language."""
    request = context.get("request")
    root = _site_root(request)
    items = []
    if root is not None:
        # Plain Page rows: enough for titles and URLs in one query (each deferred field would cost one more).
        items = list(root.get_children().live().in_menu())
    current = context.get("page")
    return {"root": root, "items": items, "current": current, "request": request}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the same page in each language (see _language_links)."""
    return {"links": language_links(context)}


def _language_links(context):
    """Links to the same page in each language; the home page of that language when no translation exists."""
    request = context.get("request")
    page = context.get("page")
    current_language = translation.get_language()
    links = []
    translations = {}
    if isinstance(page, Page) and page.pk:
        # One query for every language version of this page.
        for target in Page.objects.filter(translation_key=page.translation_key, live=True).select_related("locale"):
            translations[target.locale.language_code] = target
    for code, _name in settings.LANGUAGES:
        url = None
        target = translations.get(code)
        if target is not None:
            url = target.get_url(request)
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


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Home › … › current page, from the page tree (nothing on the home page itself)."""
    page = context.get("page")
    items = []
    if isinstance(page, Page) and page.depth > 2:
        # Depth 1 is the tree root; depth 2 the home page of the language.
        items = list(page.get_ancestors().filter(depth__gte=2))
    return {"ancestors": items, "page": page, "request": context.get("request")}


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
