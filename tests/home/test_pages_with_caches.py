"""The public pages with the page cache and the memo of page parts ON, as in production.

Most of the suite runs with both off (portal/settings/test.py); here every public page is served as an
anonymous visitor gets it in production: rendered once per content generation, then from the cache
(`X-Page-Cache: hit`, no database query), and rendered afresh on the first request after a publish
through Wagtail. The wizard's intro and the status lookup are never page-cached (they are private and
no-store) but still reuse the memo. Search answers vary with the query and are not page-cached either.
"""

import re
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from faq.models import FaqPage
from home.models import NoticePage
from portal.cache import STATUS_HEADER, bump_generation
from tests.factories.pages import NoticePageFactory

pytestmark = pytest.mark.django_db

NOTICE = "/notices/universal-registration-notice/"
CACHED = [
    "/",
    "/notices/",
    NOTICE,
    "/qa/",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/feeds/notices/rss/",
]
CACHED = CACHED + ["/en" + path for path in CACHED] + ["/sitemap.xml"]
SEARCH = ["/search/?q=参保", "/en/search/?q=card"]
PRIVATE = ["/register/", "/status/", "/en/register/", "/en/status/"]


@pytest.fixture
def caches_on(settings):
    """Page cache and memo switched on, starting from a new content generation (nothing stored applies)."""
    settings.PAGE_CACHE_ENABLED = True
    settings.CONTENT_MEMO_ENABLED = True
    bump_generation()  # with Redis (the PostgreSQL pass) entries of earlier tests stay: a new generation skips them
    return settings


def _get(client, path):
    """(response, number of SQL queries) of an anonymous GET."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


def _text(response):
    return response.content.decode()


@pytest.mark.parametrize("path", CACHED)
def test_public_page_is_rendered_once_then_served_from_the_cache(public_site, caches_on, path):
    client = Client()
    first, _ = _get(client, path)
    assert first.status_code == 200, path
    assert first[STATUS_HEADER] == "miss"
    second, queries = _get(client, path)
    assert second.status_code == 200
    assert second[STATUS_HEADER] == "hit"
    assert queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    if not path.startswith("/feeds") and not path.startswith("/en/feeds") and path != "/sitemap.xml":
        lang = "en" if path.startswith("/en/") else "zh-hans"
        assert f'<html lang="{lang}"' in _text(second)
        assert second["Content-Language"] == lang


@pytest.mark.parametrize("path", SEARCH + PRIVATE)
def test_pages_that_are_never_page_cached_still_reuse_the_memo(public_site, caches_on, path):
    client = Client()
    first, first_queries = _get(client, path)
    assert first.status_code == 200, path
    second, second_queries = _get(client, path)
    assert second.status_code == 200
    assert second.get(STATUS_HEADER) != "hit"
    assert second_queries < first_queries, (path, first_queries, second_queries)
    if path in PRIVATE:
        assert "no-store" in second["Cache-Control"] and "private" in second["Cache-Control"]
    lang = "en" if path.startswith("/en/") else "zh-hans"
    assert f'<html lang="{lang}"' in _text(second)


def test_cached_pages_are_identical_to_fresh_renders(public_site, settings):
    """What the cache and memo serve is byte for byte what a render with both off produces."""
    settings.PAGE_CACHE_ENABLED = settings.CONTENT_MEMO_ENABLED = False
    fresh = {path: Client().get(path).content for path in CACHED}
    settings.PAGE_CACHE_ENABLED = settings.CONTENT_MEMO_ENABLED = True
    bump_generation()
    client = Client()
    for path in CACHED:
        client.get(path)
    for path in CACHED:
        response = client.get(path)
        assert response[STATUS_HEADER] == "hit", path
        assert response.content == fresh[path], path


def test_a_published_edit_shows_on_every_page_that_shows_it(public_site, caches_on, publish):
    client = Client()
    watched = [NOTICE, "/notices/", "/", "/feeds/notices/rss/"]
    for path in watched:
        client.get(path)
        assert client.get(path)[STATUS_HEADER] == "hit"

    notice = NoticePage.objects.get(slug="universal-registration-notice", locale__language_code="zh-hans")
    notice.title = "湖南省全民参保登记通告（修订）"
    publish(notice.save_revision().publish)

    for path in watched:
        response = client.get(path)
        assert response[STATUS_HEADER] == "miss", path
        assert "湖南省全民参保登记通告（修订）" in _text(response), path
        assert client.get(path)[STATUS_HEADER] == "hit", path


def test_a_new_notice_published_through_wagtail_is_listed_at_once(public_site, caches_on, publish):
    client = Client()
    for path in ("/", "/notices/", "/feeds/notices/rss/", "/sitemap.xml", "/search/?q=参保"):
        client.get(path)

    notice = publish(
        NoticePageFactory, title="关于延长全民参保登记期限的通知", summary="登记期限延长至年底，参保不误。"
    )

    assert client.get(notice.url).status_code == 200
    assert f'href="{notice.url}"' in _text(client.get("/"))
    index = _text(client.get("/notices/"))
    assert re.search(r'<time datetime="(\d{4}-\d\d-\d\d)">', index).group(1) == notice.issue_date.isoformat()
    rss = ElementTree.fromstring(client.get("/feeds/notices/rss/").content)  # noqa: S314 (our own response)
    assert next(rss.iter("item")).findtext("title") == "关于延长全民参保登记期限的通知"
    assert notice.url in _text(client.get("/sitemap.xml"))
    assert f'href="{notice.url}"' in _text(client.get("/search/?q=参保"))


def test_an_unpublished_notice_disappears_at_once(public_site, caches_on, publish):
    client = Client()
    notice = publish(NoticePageFactory, title="即将撤下的通知")
    assert client.get(notice.url).status_code == 200
    assert client.get(notice.url)[STATUS_HEADER] == "hit"
    assert "即将撤下的通知" in _text(client.get("/notices/"))

    publish(NoticePage.objects.get(pk=notice.pk).unpublish)

    assert client.get(notice.url).status_code == 404
    for path in ("/notices/", "/", "/feeds/notices/rss/"):
        assert "即将撤下的通知" not in _text(client.get(path)), path


def test_a_draft_changes_nothing_that_is_served(public_site, caches_on, publish):
    client = Client()
    client.get("/qa/")
    page = FaqPage.objects.get(locale__language_code="zh-hans")
    page.title = "政策问答（草稿）"
    publish(page.save_revision)
    response = client.get("/qa/")
    assert response[STATUS_HEADER] == "hit"
    assert "政策问答（草稿）" not in _text(response)


def test_a_published_home_page_change_reaches_the_english_site_menu_too(public_site, caches_on, publish):
    """The menu is memoised per language; a new section published in Chinese does not leak into English."""
    client = Client()
    client.get("/")
    client.get("/en/")
    qa = FaqPage.objects.get(locale__language_code="zh-hans")
    qa.title = "常见问题解答"
    publish(qa.save_revision().publish)

    zh, en = client.get("/"), client.get("/en/")
    assert zh[STATUS_HEADER] == en[STATUS_HEADER] == "miss"
    assert "常见问题解答" in _text(zh)
    assert "常见问题解答" not in _text(en)
