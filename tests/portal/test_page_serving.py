"""Pages served with the route remembered per content generation (portal/page_serving.py, portal/page_routing.py).

Run with the memo on (as in production): what a visitor gets is byte for byte what Wagtail's own serve view
gives, a publish shows on the next request, and what is remembered stays bounded.
"""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from home.models import HomePage, NoticePage
from portal import page_serving
from tests.portal.conftest import entries

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/notices/",
    "/notices/?page=1",
    "/notices/universal-registration-notice/",
    "/qa/",
    "/qa/?q=参保",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/search/?q=参保",
    "/no-such-page/",
    "/notices/no-such-notice/",
    "/en/",
    "/en/notices/universal-registration-notice/",
    "/en/qa/",
    "/en/work-schedule/",
]
# Pages with a form that posts (a new CSRF token in every response): the same answer, not the same bytes.
FORMS = ["/register/", "/register/step/filer/", "/status/", "/en/register/", "/en/status/"]


def _zh_notice():
    return NoticePage.objects.get(slug="universal-registration-notice", locale__language_code="zh-hans")


def _render(client, path):
    response = client.get(path)
    return response.status_code, response.content


def test_every_page_is_byte_identical_with_the_memo_on_and_off(client, public_site, memo_on):
    memo_on.CONTENT_MEMO_ENABLED = False
    fresh = {path: _render(client, path) for path in PAGES}
    memo_on.CONTENT_MEMO_ENABLED = True
    first = {path: _render(client, path) for path in PAGES}  # asks Wagtail, fills the memo
    warm = {path: _render(client, path) for path in PAGES}  # routed and rendered from it
    for path in PAGES:
        assert first[path] == fresh[path], path
        assert warm[path] == fresh[path], path
    assert entries("route") and entries("fragment")


def test_pages_with_forms_answer_the_same_with_the_memo_on_and_off(public_site, memo_on):
    # A new visitor each time: the wizard's session changes what its pages say.
    memo_on.CONTENT_MEMO_ENABLED = False
    fresh = {path: Client().get(path) for path in FORMS}
    memo_on.CONTENT_MEMO_ENABLED = True
    for _ in range(2):
        for path in FORMS:
            response = Client().get(path)
            assert response.status_code == fresh[path].status_code == 200, path
            assert response.templates[0].name == fresh[path].templates[0].name, path
            assert len(response.content) == len(fresh[path].content), path


def test_a_warm_page_costs_one_query_the_page_itself_then_none(client, public_site, memo_on):
    path = "/notices/universal-registration-notice/"
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    assert len(queries) == 1
    assert '"home_noticepage"."page_ptr_id" = ' in queries[0]["sql"]
    # From then on, until the generation moves on, each request unpickles its own copy.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).content == client.get(path).content
    assert not queries.captured_queries


def test_what_a_request_does_to_its_page_never_reaches_the_next(public_site, memo_on):
    factory = RequestFactory()
    components = ["notices", "universal-registration-notice"]
    first = page_serving.remembered_route(factory.get("/notices/universal-registration-notice/"), components)
    assert first is None  # not remembered yet: Wagtail's walk
    request = factory.get("/notices/universal-registration-notice/")
    page_serving.remember_route(request, components, Page.route_for_request(request, "/".join(components) + "/"))
    pages = [page_serving.remembered_route(factory.get("/"), components)[0] for _ in range(3)]
    pages[1].title = "changed by one request"
    assert pages[0] is not pages[1] and pages[1] is not pages[2]
    assert pages[2].title == pages[0].title != "changed by one request"


def test_a_deleted_page_is_gone_once_its_deletion_commits(client, public_site, memo_on, publish):
    path = "/notices/universal-registration-notice/"
    for _ in range(3):  # the route and the page itself remembered
        assert client.get(path).status_code == 200
    publish(NoticePage.objects.get(pk=_zh_notice().pk).delete)
    assert client.get(path).status_code == 404


def test_a_published_title_shows_on_the_next_request(client, public_site, memo_on, publish):
    path = "/notices/universal-registration-notice/"
    client.get(path)
    client.get("/notices/")
    notice = _zh_notice()
    notice.title = "关于开展全民参保登记工作的通告（修订）"
    publish(notice.save_revision().publish)
    html = client.get(path).content.decode()
    assert '<h1 id="notice-title">关于开展全民参保登记工作的通告（修订）</h1>' in html
    assert "关于开展全民参保登记工作的通告（修订）" in client.get("/notices/").content.decode()


def test_a_published_menu_change_reaches_every_page(client, public_site, memo_on, publish):
    for path in ("/", "/work-schedule/"):
        client.get(path)
    index = Page.objects.get(slug="notices", locale__language_code="zh-hans").specific
    index.title = "通知公告（新）"
    publish(index.save_revision().publish)
    for path in ("/", "/work-schedule/"):
        assert ">通知公告（新）</a>" in client.get(path).content.decode(), path


def test_an_unpublished_page_is_gone_on_the_next_request(client, public_site, memo_on, publish):
    path = "/notices/universal-registration-notice/"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    publish(_zh_notice().unpublish)
    assert client.get(path).status_code == 404


def test_without_the_memo_wagtail_serves_every_request(client, public_site, memo_on, monkeypatch):
    memo_on.CONTENT_MEMO_ENABLED = False
    served = []
    original = wagtail_views.serve

    def spy(request, path):
        served.append(path)
        return original(request, path)

    monkeypatch.setattr(wagtail_views, "serve", spy)
    for _ in range(2):
        assert client.get("/qa/").status_code == 200
    assert served == ["qa/", "qa/"]
    assert not entries("route")


def test_a_routable_page_is_remembered_under_its_own_path_only(client, public_site, memo_on):
    for step in ("filer", "identity", "filer", "no-such-step"):
        client.get(f"/register/step/{step}/")
    client.get("/register/done/")
    remembered = {key[-1] for key in entries("route")}
    assert remembered == {"register"}
    # Still the page's own answer for every sub-path, from the memo.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/register/no-such-route/")
    assert response.status_code == 404
    assert sum('"forms_intake_registrationpage"' in q["sql"] for q in queries) == 0, "the page is kept pickled"


def test_missing_pages_are_never_remembered(client, public_site, memo_on):
    for n in range(5):
        assert client.get(f"/notices/missing-{n}/").status_code == 404
    assert not [key for key in entries("route") if "missing" in key[-1]]


def test_a_page_type_with_its_own_route_always_takes_wagtails_walk(client, public_site, memo_on, monkeypatch):
    def route(self, request, path_components):  # answers per request: must never be remembered
        return Page.route(self, request, path_components)

    monkeypatch.setattr(NoticePage, "route", route)
    path = "/notices/universal-registration-notice/"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert not [key for key in entries("route") if key[-1].endswith("universal-registration-notice")]


def test_a_deleted_page_falls_back_to_wagtail(client, public_site, memo_on):
    path = "/notices/universal-registration-notice/"
    client.get(path)
    NoticePage.objects.filter(pk=_zh_notice().pk).delete()  # without the commit that would bump the generation
    assert client.get(path).status_code == 404


# --- routing below the root page with one query per path (PathRoutingMixin) ------------------------------


def _routes(home, path, request):
    components = [part for part in path.split("/") if part]
    try:
        ours = home.route(request, components)
    except Exception as error:  # noqa: BLE001 - both must raise the same way
        ours = type(error)
    try:
        stock = Page.route(home, request, components)
    except Exception as error:  # noqa: BLE001
        stock = type(error)
    return ours, stock


def _same(ours, stock):
    if isinstance(ours, type) or isinstance(stock, type):
        return ours == stock
    return (ours[0].pk, type(ours[0]), ours[1][1:] if ours[1] else (), ours[2]) == (
        stock[0].pk,
        type(stock[0]),
        stock[1][1:] if stock[1] else (),
        stock[2],
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_root_pages_route_answers_like_wagtails_walk_for_every_page(public_site, language):
    request = RequestFactory().get("/")
    with translation.override(language):
        home = Site.objects.get(is_default_site=True).root_page.localized.specific
        assert isinstance(home, HomePage)
        paths = [page.url_path[len(home.url_path) :] for page in Page.objects.descendant_of(home)]
        paths += ["register/step/filer/", "register/done/", "notices/nope/", "nope/", "qa/nope/", "register/nope/"]
        for path in paths:
            ours, stock = _routes(home, path, request)
            assert _same(ours, stock), (path, ours, stock)


def test_the_root_page_routes_a_deep_page_with_two_queries(public_site):
    request = RequestFactory().get("/")
    home = Site.objects.get(is_default_site=True).root_page.specific
    with CaptureQueriesContext(connection) as queries:
        page, _args, _kwargs = home.route(request, ["notices", "universal-registration-notice"])
    assert isinstance(page, NoticePage)
    assert len(queries) == 2


def test_the_serve_view_is_mounted_under_wagtails_url_name():
    from django.urls import resolve, reverse

    assert reverse("wagtail_serve", args=("qa/",)) == "/qa/"
    assert resolve("/qa/").func is page_serving.serve
    assert resolve("/_util/login/").url_name == "wagtailcore_login"
