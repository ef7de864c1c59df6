"""The per-generation memo of page parts (portal/content_memo.py): same pages, fewer queries, fresh after publishing."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from faq.models import FaqPage
from home.models import NoticePage
from portal import cache as page_cache
from portal import content_memo, generation

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/notices/",
    "/notices/universal-registration-notice/",
    "/qa/",
    "/qa/?q=参保",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/search/?q=参保",
    "/en/",
    "/en/qa/",
    "/en/work-schedule/",
]


@pytest.fixture
def memo_on(settings):
    """The memo switched on (as in production), starting from a fresh content generation and an empty memo."""
    settings.CONTENT_MEMO_ENABLED = True
    page_cache.get_cache().set(page_cache.GENERATION_KEY, time.time_ns(), timeout=None)
    content_memo.memo.clear()
    yield settings
    content_memo.memo.clear()


def _zh_notice():
    return NoticePage.objects.get(slug="universal-registration-notice", locale__language_code="zh-hans")


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_memoised_pages_are_identical_to_fresh_renders(client, public_site, settings):
    settings.CONTENT_MEMO_ENABLED = False
    fresh = {path: client.get(path).content for path in PAGES}
    settings.CONTENT_MEMO_ENABLED = True
    page_cache.get_cache().set(page_cache.GENERATION_KEY, time.time_ns(), timeout=None)
    content_memo.memo.clear()
    first = {path: client.get(path).content for path in PAGES}  # fills the memo
    warm = {path: client.get(path).content for path in PAGES}  # served from it
    for path in PAGES:
        assert first[path] == fresh[path], path
        assert warm[path] == fresh[path], path


def test_warm_pages_need_far_fewer_queries(client, public_site, memo_on):
    for path in PAGES:
        client.get(path)
    warm = {path: _queries(client, path) for path in PAGES}
    memo_on.CONTENT_MEMO_ENABLED = False
    cold = {path: _queries(client, path) for path in PAGES}
    print("queries warm/cold:", {path: (warm[path], cold[path]) for path in PAGES})
    for path in PAGES:
        # The site, menu and language links cost nothing when warm; on Wagtail pages also the route
        # (one query reads the page itself), the view restrictions, the breadcrumbs and the content.
        saved = 2 if path.startswith("/search/") else 5
        assert warm[path] <= cold[path] - saved, (path, warm[path], cold[path])


def test_a_published_menu_title_shows_on_the_next_request(client, public_site, memo_on, publish):
    client.get("/")
    faq = FaqPage.objects.get(locale__language_code="zh-hans")
    assert f">{faq.title}</a>" in client.get("/").content.decode()
    faq.title = "常见问题解答（新）"
    publish(faq.save_revision().publish)
    html = client.get("/").content.decode()
    assert ">常见问题解答（新）</a>" in html
    assert html.count("常见问题解答（新）") >= 2  # the main menu and the home page's section cards


def test_an_unpublished_page_is_not_found_on_the_next_request(client, public_site, memo_on, publish):
    path = "/notices/universal-registration-notice/"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # now routed from the memo
    notice = _zh_notice()
    publish(notice.unpublish)
    assert client.get(path).status_code == 404


def test_a_renamed_slug_moves_the_page_on_the_next_request(client, public_site, memo_on, publish):
    old = "/notices/universal-registration-notice/"
    client.get(old)
    client.get(old)
    notice = _zh_notice()
    notice.slug = "registration-notice-2026"
    publish(notice.save_revision().publish)
    moved = client.get(old)  # the old address is no longer routed to the page: the automatic redirect answers
    assert moved.status_code == 301
    assert moved["Location"] == "/notices/registration-notice-2026/"
    assert client.get("/notices/registration-notice-2026/").status_code == 200


def test_a_new_view_restriction_applies_on_the_next_request(client, public_site, memo_on, publish):
    assert client.get("/qa/").status_code == 200
    assert client.get("/qa/").status_code == 200
    faq = FaqPage.objects.get(locale__language_code="zh-hans")
    publish(PageViewRestriction.objects.create, page=faq, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/qa/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_pages_render_without_the_memo_while_the_cache_is_down(client, public_site, memo_on, monkeypatch):
    expected = client.get("/notices/").content

    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(generation, "current_generation", unavailable)
    response = client.get("/notices/")
    assert response.status_code == 200
    assert response.content == expected


def test_the_wizards_routes_come_from_the_memo_with_the_same_answers(client, public_site, memo_on, settings):
    paths = ["/register/", "/en/register/", "/register/step/filer/", "/register/no-such-route/", "/status/"]
    memo_on.CONTENT_MEMO_ENABLED = False
    fresh = {path: client.get(path).status_code for path in paths}
    memo_on.CONTENT_MEMO_ENABLED = True
    for path in paths:
        client.get(path)  # fills the memo: the registration page under its own path
    assert {path: client.get(path).status_code for path in paths} == fresh
    assert fresh["/register/"] == 200 and fresh["/register/no-such-route/"] == 404
    # Routed without walking the page tree: the page itself was read by its primary key once and is now
    # unpickled from the memo; no child is looked up by its slug.
    with CaptureQueriesContext(connection) as queries:
        client.get("/register/")
    sql = [q["sql"] for q in queries]
    assert sum('"forms_intake_registrationpage"' in s for s in sql) == 0, sql
    assert not [s for s in sql if '"wagtailcore_page"."slug" =' in s or '"wagtailcore_page"."url_path" IN' in s]
