"""Template tags for the site chrome: main menu and language switcher."""

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
        items = list(
            root.get_children().live().in_menu().specific(defer=True).only("id", "title", "url_path", "path", "depth")
        )
    current = context.get("page")
    return {"root": root, "items": items, "current": current, "request": request}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the same page in each language; the home page of that language when no translation exists."""
    request = context.get("request")
    page = context.get("page")
    current_language = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = None
        if isinstance(page, Page):
            locale = Locale.objects.filter(language_code=code).first()
            target = page.get_translation_or_none(locale) if locale else None
            if target is not None and target.live:
                url = target.get_url(request)
        if url is None and request is not None:
            url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "is_current": code == current_language,
            }
        )
    return {"links": links}
