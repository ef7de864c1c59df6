"""The anonymous page cache (portal/cache.py): what it serves, what it never stores, and invalidation."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from portal import cache as page_cache
from portal.invalidation import invalidating_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    """The page cache switched on, starting from a fresh content generation."""
    settings.PAGE_CACHE_ENABLED = True
    page_cache.get_cache().set(page_cache.GENERATION_KEY, time.time_ns(), timeout=None)
    return settings


def zh_home():
    return HomePage.objects.get(locale__language_code="zh-hans")


def en_home():
    return HomePage.objects.get(locale__language_code="en")


# --- served from the cache ---------------------------------------------------------------


def test_second_anonymous_request_is_served_from_the_cache_without_queries(
    client, cache_on, public_site, django_assert_num_queries
):
    first = client.get("/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"

    # The query budget of a warm anonymous hit: no database query at all.
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Language"] == "zh-hans"


def test_each_language_is_cached_separately(client, cache_on, public_site):
    client.get("/")
    client.get("/en/")
    assert '<html lang="en"' in client.get("/en/").content.decode()
    assert '<html lang="zh-hans"' in client.get("/").content.decode()


def test_head_request_is_answered_from_the_cache(client, cache_on, public_site, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        response = client.head("/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"


def test_switched_off_renders_every_time(client, cache_on, public_site, django_assert_max_num_queries):
    cache_on.PAGE_CACHE_ENABLED = False
    client.get("/")
    response = client.get("/")
    assert "X-Page-Cache" not in response


# --- invalidation ------------------------------------------------------------------------


def test_published_edit_is_visible_on_the_next_request(client, cache_on, public_site, publish):
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"

    page = zh_home()
    page.title = "湖南省全民参保登记（已更新）"
    publish(page.save_revision().publish)

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "湖南省全民参保登记（已更新）" in response.content.decode()


def test_a_draft_does_not_invalidate(client, cache_on, public_site, publish):
    client.get("/")
    page = zh_home()
    page.title = "草稿标题"
    publish(page.save_revision)
    response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert "草稿标题" not in response.content.decode()


def test_unpublished_page_disappears_on_the_next_request(client, cache_on, public_site, publish):
    assert client.get("/en/").status_code == 200
    assert client.get("/en/")["X-Page-Cache"] == "hit"

    publish(en_home().unpublish)

    # Wagtail falls back to the Chinese home page when the translation is not live.
    response = client.get("/en/")
    assert response["X-Page-Cache"] == "miss"
    assert "Hunan Universal Social Insurance Registration</h1>" not in response.content.decode()
    assert "湖南省全民参保登记</h1>" in response.content.decode()


def test_published_translation_is_visible_on_the_next_request(client, cache_on, public_site, publish):
    """An English edit made in wagtail-localize's editor and published reaches visitors at once."""
    from wagtail_localize.models import StringTranslation, Translation

    assert "Hunan Universal Social Insurance Registration" in client.get("/en/").content.decode()
    assert client.get("/en/")["X-Page-Cache"] == "hit"

    source_home = zh_home()
    translation = Translation.objects.get(
        source__object_id=source_home.translation_key, target_locale=Locale.objects.get(language_code="en")
    )
    title = StringTranslation.objects.get(
        translation_of__data=source_home.title, locale=translation.target_locale, context__path="title"
    )
    title.data = "Hunan Registration for Everyone"
    title.save()
    publish(translation.save_target, publish=True)

    response = client.get("/en/")
    assert response["X-Page-Cache"] == "miss"
    assert "Hunan Registration for Everyone" in response.content.decode()


def test_saving_a_site_wide_object_invalidates(client, cache_on, public_site, publish):
    """Sites, settings, snippets, images and documents change what every page shows."""
    client.get("/")
    site = Site.objects.get(is_default_site=True)
    site.site_name = "湖南省全民参保登记门户"
    publish(site.save)
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_snippet_models_and_media_invalidate_but_submissions_do_not():
    from wagtail.images import get_image_model
    from wagtail.snippets.models import get_snippet_models

    from forms_intake.models import Submission, SubmissionEvent

    for model in get_snippet_models():
        assert invalidating_model(model, deleted=False), model
    assert invalidating_model(get_image_model(), deleted=False)
    assert invalidating_model(Site, deleted=False)
    # Registrations arrive all day long: they must never empty the page cache.
    assert not invalidating_model(Submission, deleted=False)
    assert not invalidating_model(SubmissionEvent, deleted=True)
    # Page drafts never invalidate, deleting a page does.
    assert not invalidating_model(HomePage, deleted=False)
    assert invalidating_model(HomePage, deleted=True)


def test_invalidation_waits_for_the_commit(cache_on, django_capture_on_commit_callbacks):
    """Bumping before commit would let a concurrent request store the old page under the new generation."""
    before = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page_cache.invalidate_on_commit()
    assert page_cache.current_generation() == before
    for callback in callbacks:
        callback()
    assert page_cache.current_generation() != before


def test_lost_generation_counter_never_revives_old_entries(cache_on):
    store = page_cache.get_cache()
    old = page_cache.current_generation()
    store.delete(page_cache.GENERATION_KEY)
    assert page_cache.current_generation() != old


# --- never cached ------------------------------------------------------------------------


def test_logged_in_user_gets_a_fresh_page_and_never_fills_the_cache(client, cache_on, public_site):
    user = get_user_model().objects.create_user("staffer", password="x" * 12)
    client.force_login(user)
    first = client.get("/")
    second = client.get("/")
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second

    client.logout()
    client.cookies.clear()
    # What the logged-in user saw was not stored for anonymous visitors.
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_request_with_a_session_cookie_bypasses_the_cache(client, cache_on, public_site):
    client.get("/")
    client.cookies["sessionid"] = "a-session-key"
    assert "X-Page-Cache" not in client.get("/")


@pytest.mark.parametrize(
    "path", ["/register/", "/en/register/step/", "/status/", "/en/status/", "/admin/", "/healthz/", "/documents/1/"]
)
def test_wizard_status_admin_and_health_are_never_cached(cache_on, path):
    calls = []
    middleware = page_cache.PageCacheMiddleware(lambda request: calls.append(1) or HttpResponse("ok"))
    factory = RequestFactory()
    for _ in range(2):
        response = middleware(factory.get(path))
        assert "X-Page-Cache" not in response
    assert len(calls) == 2


def _served_twice(get_response, path="/notice/", **request_kwargs):
    """Serve the same anonymous GET twice through the middleware; return (view calls, last response)."""
    calls = []

    def view(request):
        calls.append(request)
        return get_response(request)

    middleware = page_cache.PageCacheMiddleware(view)
    factory = RequestFactory()
    response = None
    for _ in range(2):
        response = middleware(factory.get(path, **request_kwargs))
    return len(calls), response


def test_plain_anonymous_response_is_stored(cache_on):
    calls, response = _served_twice(lambda request: HttpResponse("notice"))
    assert calls == 1
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b"notice"


def test_response_that_sets_a_cookie_is_not_stored(cache_on):
    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    calls, response = _served_twice(view)
    assert calls == 2
    assert "X-Page-Cache" not in response


def test_response_with_a_csrf_token_is_not_stored(cache_on):
    def view(request):
        from django.middleware.csrf import get_token

        get_token(request)  # what {% csrf_token %} does
        return HttpResponse("form")

    calls, _ = _served_twice(view)
    assert calls == 2


def test_response_varying_on_cookie_is_not_stored(cache_on):
    def view(request):
        response = HttpResponse("personal")
        response["Vary"] = "Accept-Language, Cookie"
        return response

    calls, _ = _served_twice(view)
    assert calls == 2


@pytest.mark.parametrize("cache_control", ["private", "no-store", "no-cache, no-store, must-revalidate, max-age=0"])
def test_private_or_no_store_response_is_not_stored(cache_on, cache_control):
    def view(request):
        response = HttpResponse("mine")
        response["Cache-Control"] = cache_control
        return response

    calls, _ = _served_twice(view)
    assert calls == 2


def test_error_responses_are_not_stored(cache_on):
    calls, _ = _served_twice(lambda request: HttpResponse("missing", status=404))
    assert calls == 2


def test_page_can_opt_out_with_cache_page_false(cache_on):
    from django.template.response import SimpleTemplateResponse

    class PersonalPage:
        cache_page = False

    def view(request):
        response = SimpleTemplateResponse("404.html", {"page": PersonalPage()})
        return response.render()

    calls, _ = _served_twice(view)
    assert calls == 2


def test_non_get_requests_are_not_cached(cache_on):
    calls = []
    middleware = page_cache.PageCacheMiddleware(lambda request: calls.append(1) or HttpResponse("ok"))
    factory = RequestFactory()
    middleware(factory.get("/notice/"))
    response = middleware(factory.post("/notice/"))
    assert "X-Page-Cache" not in response
    assert len(calls) == 2


def test_unknown_query_strings_bypass_the_cache_but_page_numbers_are_cached(cache_on):
    calls, _ = _served_twice(lambda request: HttpResponse("search"), path="/notice/?q=abc")
    assert calls == 2
    calls, response = _served_twice(lambda request: HttpResponse(request.GET["page"]), path="/notice/?page=2")
    assert calls == 1
    assert response.content == b"2"


def test_elder_mode_cookie_gets_its_own_cached_variant(cache_on):
    def view(request):
        return HttpResponse("large" if request.COOKIES.get("elder_mode") == "1" else "normal")

    middleware = page_cache.PageCacheMiddleware(view)
    factory = RequestFactory()
    normal = factory.get("/")
    elder = factory.get("/")
    elder.COOKIES["elder_mode"] = "1"
    assert middleware(normal).content == b"normal"
    assert middleware(elder).content == b"large"
    again_elder = factory.get("/")
    again_elder.COOKIES["elder_mode"] = "1"
    response = middleware(again_elder)
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b"large"
    response = middleware(factory.get("/"))
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b"normal"


def test_page_deleted_invalidates(client, cache_on, public_site, publish):
    client.get("/en/")
    page = Page.objects.get(id=en_home().id)
    publish(page.delete)
    response = client.get("/en/")
    assert response["X-Page-Cache"] == "miss"
    assert "湖南省全民参保登记</h1>" in response.content.decode()


def test_cache_outage_costs_speed_not_the_page(cache_on, monkeypatch):
    class BrokenCache:
        def get(self, key):
            raise ConnectionError("redis is down")

        def set(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(page_cache, "get_cache", BrokenCache)
    middleware = page_cache.PageCacheMiddleware(lambda request: HttpResponse("notice"))
    response = middleware(RequestFactory().get("/notice/"))
    assert response.status_code == 200
    assert response.content == b"notice"


def test_invalidation_reaches_every_app_server_sharing_the_cache(cache_on):
    """Two middleware instances stand for two app servers: each keeps pages in memory, yet a bump reaches both."""
    version = {"text": "v1"}
    server_a = page_cache.PageCacheMiddleware(lambda request: HttpResponse(version["text"]))
    server_b = page_cache.PageCacheMiddleware(lambda request: HttpResponse(version["text"]))
    factory = RequestFactory()
    assert server_a(factory.get("/notice/"))["X-Page-Cache"] == "miss"
    response = server_b(factory.get("/notice/"))
    assert (response["X-Page-Cache"], response.content) == ("hit", b"v1")

    version["text"] = "v2"
    page_cache.bump_generation()  # what publishing on server A does after its commit
    for server in (server_b, server_a):
        assert server(factory.get("/notice/")).content == b"v2"


def test_every_seeded_public_page_is_a_zero_query_hit_when_warm(client, cache_on, public_site):
    """Each public page type (home, notices, Q&A, schedule, posters…) in both languages is cacheable."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [p for p in Page.objects.live().filter(depth__gte=2).specific() if getattr(p, "cache_page", True)]
    urls = sorted({p.get_url() for p in pages if p.get_url()})
    served = set()
    for url in urls:
        first = client.get(url)
        if first.status_code != 200:
            continue  # e.g. an index page that redirects
        served.add(url)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)
        assert second["X-Page-Cache"] == "hit", url
        assert len(queries) == 0, (url, [q["sql"][:80] for q in queries])
    assert {"/", "/en/"} < served
    assert len(served) >= len(urls) - 2  # at most the index pages that redirect
    # Pages that opt out are rendered every time (the wizard's page holds personal answers).
    opted_out = [p.get_url() for p in Page.objects.live().specific() if getattr(p, "cache_page", True) is False]
    for url in opted_out:
        client.get(url)
        assert client.get(url).get("X-Page-Cache") != "hit", url


def test_elder_mode_pages_are_cached_apart_from_normal_pages(client, cache_on, public_site):
    """Through the whole stack: the 长辈模式 cookie picks its own cached copy of the page."""
    normal = client.get("/")
    client.cookies["elder_mode"] = "1"
    elder = client.get("/")
    assert elder.content != normal.content
    again = client.get("/")
    assert (again["X-Page-Cache"], again.content) == ("hit", elder.content)
    del client.cookies["elder_mode"]
    back = client.get("/")
    assert (back["X-Page-Cache"], back.content) == ("hit", normal.content)
