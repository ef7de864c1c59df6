"""Readable slugs from Chinese page titles, in pinyin: 全民参保登记通告 -> quan-min-can-bao-deng-ji-tong-gao.

`WAGTAIL_ALLOW_UNICODE_SLUGS` is off (URLs stay ASCII, easy to read aloud and to
print on posters), so Wagtail's own slugify leaves nothing of a Chinese title.
The admin fills the slug from the title in the browser (home/static/home/js/slug.js
asks `slug_view` below, since the conversion needs pypinyin) and again on the
server (`fill_slug`, called from the before_create_page/before_edit_page hooks in
home/wagtail_hooks.py) when a page arrives with a blank or non-ASCII slug.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

#: Long enough for a notice title, short enough to print on a poster.
MAX_LENGTH = 80


def slug_from_title(title: str, max_length: int = MAX_LENGTH) -> str:
    """The pinyin slug of a title (ASCII letters, digits and hyphens); "" when nothing readable is left."""
    words = lazy_pinyin(title or "", style=Style.NORMAL, errors="default")
    slug = slugify("-".join(words))
    while "--" in slug:
        slug = slug.replace("--", "-")
    slug = slug.strip("-")
    if len(slug) > max_length:
        # Cut at a syllable, never inside one.
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug


def unique_slug(slug: str, parent_page, page=None) -> str:
    """`slug`, or slug-2, slug-3 … when a sibling under `parent_page` already has it."""
    siblings = parent_page.get_children()
    if page is not None and page.pk:
        siblings = siblings.exclude(pk=page.pk)
    taken = set(siblings.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate


def _needs_slug(value: str) -> bool:
    value = (value or "").strip()
    return not value or not value.isascii()


def fill_slug(request, parent_page, page=None):
    """On a POST of the page editor, put a pinyin slug in place of a blank or non-ASCII one.

    The request's POST data is replaced by a copy with the slug filled, so that
    Wagtail's page form validates it as if the editor had typed it.
    """
    if request.method != "POST" or "slug" not in request.POST or not _needs_slug(request.POST["slug"]):
        return
    typed = request.POST["slug"].strip()
    slug = slug_from_title(typed or request.POST.get("title", ""))
    if not slug:
        return  # nothing readable: Wagtail's own "required" error (in Chinese) explains it
    data = request.POST.copy()
    data["slug"] = unique_slug(slug, parent_page, page)
    request.POST = data


def slug_view(request):
    """GET ?title=…: {"slug": "<pinyin slug>"} for the admin's slug field (signed-in staff only)."""
    title = request.GET.get("title", "")[:255]
    return JsonResponse({"slug": slug_from_title(title)})
