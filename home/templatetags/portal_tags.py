"""Template tags: the site chrome (main menu, language switcher, breadcrumbs, elder mode) and memoised fragments.

The links come from `home.chrome.page_chrome` (one query, kept in the memo of
page parts); `{% memo_fragment %}` keeps rendered HTML in the same memo.
"""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from wagtail.models import Page

from home.chrome import page_chrome
from portal.cache import query_variant
from portal.content_memo import memo, memo_enabled, site_key

register = template.Library()

ELDER_COOKIE = "elder_mode"


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, in-menu children of the home page in the active language."""
    chrome = page_chrome(context.get("request"), context.get("page"))
    current = context.get("page")
    return {"root": chrome["home"], "items": chrome["menu"], "current_id": getattr(current, "pk", None)}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the same page in each language (see language_links)."""
    return {"links": language_links(context)}


def _language_links(context):
    """Links to the same page in each language; the same path in that language when no translation exists."""
    request = context.get("request")
    page = context.get("page")
    current_language = translation.get_language()
    translations = page_chrome(request, page)["translations"] if isinstance(page, Page) else {}
    links = []
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
    return links


@register.simple_tag(takes_context=True)
def language_links(context):
    """The language switcher's links, computed once per request (the header and <head> both use them).

    Lazily: where the header comes from a memoised fragment, they are not needed at all.
    """
    request = context.get("request")
    page = context.get("page")
    if request is None:
        return _language_links(context)
    key = ("language-links", getattr(page, "pk", None), request.get_full_path())
    return SimpleLazyObject(lambda: memo.per_request(request, key, lambda: _language_links(context)))


@register.simple_tag(takes_context=True)
def open_graph(context):
    """What a shared link previews (Open Graph) for this page.

    Read with getattr here: in a template, each attribute that a page type lacks
    (a notice's date, a poster's image) makes Django list the page's several
    hundred attributes to explain the miss, several times per render.
    """
    page = context.get("page")
    request = context.get("request")
    url = None
    if request is not None:
        # The canonical address: the path and the page cache's own parameters (a page number), never
        # the visitor's own (a wizard draft's id, a tracking tag): the chrome that shows it is shared.
        query = query_variant(request)
        url = request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)
    return {
        "url": url,
        "type": "article" if getattr(page, "issue_date", None) else "website",
        "description": getattr(page, "search_description", "") or getattr(page, "summary", ""),
        "image": getattr(page, "image", None),
        "image_alt": getattr(page, "alt_text", ""),
    }


@register.simple_tag(takes_context=True)
def elder_mode(context):
    """True when the visitor switched on elder-friendly mode (长辈模式); read from a cookie, no login."""
    request = context.get("request")
    return bool(request is not None and request.COOKIES.get(ELDER_COOKIE) == "1")


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Home › … › current page, from the page tree (nothing on the home page itself)."""
    page = context.get("page")
    items = []
    if isinstance(page, Page) and page.depth > 2:
        items = page_chrome(context.get("request"), page)["ancestors"]
    return {"ancestors": items, "page": page}


@register.inclusion_tag("includes/elder_switch.html", takes_context=True)
def elder_switch(context):
    """The 长辈模式 switch: a plain link to the view that sets the cookie, then back to this page."""
    request = context.get("request")
    on = elder_mode(context)
    next_url = request.get_full_path() if request is not None else "/"
    href = "/elder-mode/?" + urlencode({"on": "0" if on else "1", "next": next_url})
    return {"on": on, "href": href}


@register.filter
def jsonld_script(value):
    """Structured data as <script type="application/ld+json">, escaped like json_script (no </script> breakout)."""
    html = json_script(value)
    # Safe: json_script escapes <, > and & inside the JSON; only the type attribute changes.
    return mark_safe(html.replace('type="application/json"', 'type="application/ld+json"', 1))  # noqa: S308 # nosec B308 B703


# --------------------------------------------------------------------------
# Memoised fragments


#: The fragments of base.html around the content: the same for every visitor of a URL.
CHROME_FRAGMENTS = frozenset({"head", "header"})


def fragment_key(context, name):
    """The memo key of fragment `name` in this render, or None when it must be rendered afresh.

    A fragment is memoised only where the page cache would keep the whole page
    for an anonymous visitor: a GET of a live page whose type allows caching, no
    preview, no signed-in user, no query string but the page cache's own
    (`PAGE_CACHE_QUERY_PARAMS`). It is keyed on the host, port, language,
    scheme, path with those parameters, page and elder-mode cookie, under the
    content generation: what the page cache keys a whole page on.

    A view whose page is never cached may still share the chrome (`CHROME_FRAGMENTS`)
    by setting `chrome_is_shared` in its context: the wizard's step pages, whose
    header is everyone's while the form is the resident's. Their own query
    parameters (the draft's id) are not part of the key: nothing in the chrome reads
    them (the elder-mode switch and the title, which do, are outside the fragments).
    """
    request = context.get("request")
    page = context.get("page")
    if not memo_enabled() or request is None or not isinstance(page, Page) or not page.pk:
        return None
    if request.method not in ("GET", "HEAD") or getattr(request, "is_preview", False):
        return None
    shared_chrome = name in CHROME_FRAGMENTS and context.get("chrome_is_shared") is True
    if getattr(page, "cache_page", True) is False and not shared_chrome:
        return None
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return None
    query = query_variant(request)
    if query is None:
        if not shared_chrome:
            return None
        query = ""
    elder = request.COOKIES.get(ELDER_COOKIE, "")
    return ("fragment", name, *site_key(request), request.scheme, request.path, query, page.pk, elder)


class MemoFragmentNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        key = fragment_key(context, self.name.resolve(context))
        if key is None:
            return self.nodelist.render(context)
        request = context["request"]
        html = memo.peek(request, key)
        if html is not None:
            return html
        csrf_used = _csrf_token_used(request)
        html = self.nodelist.render(context)
        # A CSRF token is personal: a fragment that used one is never reused.
        if not csrf_used and not _csrf_token_used(request):
            memo.put(request, key, html)
        return html


def _csrf_token_used(request):
    """Whether a CSRF token was asked for in this request (as the page cache checks, portal/cache.py)."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"))


@register.tag("memo_fragment")
def memo_fragment(parser, token):
    """`{% memo_fragment "name" %}…{% endmemo_fragment %}`: the enclosed HTML rendered once per page and generation.

    See `fragment_key` for where it applies; everywhere else it renders as if the tag were not there.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the fragment's name")
    nodelist = parser.parse(("endmemo_fragment",))
    parser.delete_first_token()
    return MemoFragmentNode(parser.compile_filter(bits[1]), nodelist)
