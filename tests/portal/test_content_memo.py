"""The memo of page parts (portal/content_memo.py) and the memoised fragments (`{% memo_fragment %}`)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import Client, RequestFactory

from home.models import HomePage, NoticePage
from portal import content_memo, generation
from portal.content_memo import GenerationMemo
from tests.portal.conftest import entries

# --- the memo itself -----------------------------------------------------------------------------


def _request(generation_value=1):
    request = RequestFactory().get("/")
    generation.remember_generation(request, generation_value)
    return request


def test_a_value_is_computed_once_per_generation(memo_on):
    memo = GenerationMemo()
    calls = []
    for request in (_request(1), _request(1)):
        assert memo.get(request, ("k",), lambda: calls.append(1) or "value") == "value"
    assert len(calls) == 1
    memo.get(_request(2), ("k",), lambda: calls.append(2) or "new")  # a publish happened
    assert calls == [1, 2]
    assert memo.peek(_request(2), ("k",)) == "new"
    assert memo.peek(_request(1), ("k",)) is None  # an old generation never gets the new value


def test_switched_off_it_still_computes_once_per_request(settings):
    settings.CONTENT_MEMO_ENABLED = False
    memo = GenerationMemo()
    calls = []
    request = _request()
    for _ in range(3):
        memo.get(request, ("k",), lambda: calls.append(1) or "value")
    memo.get(_request(), ("k",), lambda: calls.append(1) or "value")
    assert calls == [1, 1]
    assert len(memo) == 0


def test_it_holds_at_most_max_entries_least_recently_used_first(memo_on):
    memo = GenerationMemo(max_entries=3)
    request = _request()
    for n in range(3):
        memo.put(request, (n,), n)
    memo.peek(request, (0,))
    memo.put(_request(), (3,), 3)
    assert memo.peek(_request(), (1,)) is None
    assert [memo.peek(_request(), (n,)) for n in (0, 2, 3)] == [0, 2, 3]


def test_without_the_generation_everything_is_computed_afresh(memo_on, monkeypatch):
    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(generation, "current_generation", unavailable)
    memo = GenerationMemo()
    calls = []
    for _ in range(2):
        memo.get(RequestFactory().get("/"), ("k",), lambda: calls.append(1) or "value")
    assert len(calls) == 2


@pytest.mark.django_db
def test_site_key_needs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/", HTTP_HOST="testserver:8000", SERVER_PORT="8000")
    with django_assert_num_queries(0):
        assert content_memo.site_key(request)[:2] == ("testserver", "8000")


# --- memoised fragments ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_is_rendered_once_per_generation_but_the_messages(client, public_site, memo_on):
    client.get("/work-schedule/")
    # base.html: the <head> and the header around the elder-mode switch, and everything after the messages.
    assert {key[1] for key in entries("fragment")} == {"head", "header", "rest"}
    assert client.get("/work-schedule/").content == client.get("/work-schedule/").content
    assert len(entries("fragment")) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/qa/?q=参保", "/notices/?utm_source=x", "/search/?q=参保"])
def test_other_query_strings_and_non_page_views_are_rendered_afresh(client, public_site, memo_on, path):
    client.get(path)
    assert not entries("fragment")


@pytest.mark.django_db
def test_signed_in_staff_get_fresh_content(client, public_site, memo_on):
    staff = get_user_model().objects.create_user("memo-staff", password="x" * 12, is_staff=True)
    client.force_login(staff)
    assert client.get("/work-schedule/").status_code == 200
    assert not entries("fragment")


@pytest.mark.django_db
def test_pages_that_opt_out_of_the_page_cache_are_never_memoised(client, public_site, memo_on):
    for path in ("/register/", "/status/", "/register/done/"):
        client.get(path)
    assert not entries("fragment")


@pytest.mark.django_db
def test_a_wizard_step_shares_only_its_chrome_and_each_draft_keeps_its_own_links(public_site, memo_on):
    first, second = Client(), Client()
    pages = []
    for visitor in (first, second):
        response = visitor.get("/register/step/filer/?draft=" + ("a" * 12 if visitor is first else "b" * 12))
        assert response.status_code == 200
        pages.append(response.content.decode())
    # One copy of the <head> and the header for both drafts; the form (with its CSRF token) is never kept.
    assert sorted(key[1] for key in entries("fragment")) == ["head", "header"]
    assert not [key for key in entries("fragment") if "draft" in str(key)]
    assert "draft%3D" + "a" * 12 in pages[0] and "draft%3D" + "b" * 12 in pages[1]  # elder switch: back here
    assert "b" * 12 not in pages[0] and "a" * 12 not in pages[1]
    assert 'property="og:url" content="http://testserver/register/step/filer/"' in pages[0]


@pytest.mark.django_db
def test_elder_mode_has_its_own_copy(client, public_site, memo_on):
    normal = client.get("/notices/").content
    client.cookies["elder_mode"] = "1"
    elder = client.get("/notices/").content
    assert normal != elder
    assert len(entries("fragment")) == 6  # three fragments per variant
    assert client.get("/notices/").content == elder


@pytest.mark.django_db
def test_a_preview_is_never_memoised(public_site, memo_on, rf):
    notice = NoticePage.objects.get(slug="universal-registration-notice", locale__language_code="zh-hans")
    notice.title = "预览中的标题"
    request = rf.get("/notices/universal-registration-notice/", HTTP_HOST="localhost")
    request.user = AnonymousUser()
    request.session = {}
    response = notice.make_preview_request(request)
    assert "预览中的标题" in response.content.decode()
    assert not entries("fragment")


@pytest.mark.django_db
def test_a_fragment_that_used_a_csrf_token_is_not_kept(public_site, memo_on, rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    page = HomePage.objects.get(locale__language_code="zh-hans")
    template = Template('{% load portal_tags %}{% memo_fragment "form" %}{{ token }}{% endmemo_fragment %}')

    class Token:
        def __str__(self):
            return get_token(request)

    html = template.render(Context({"request": request, "page": page, "token": Token()}))
    assert html
    assert not entries("fragment")


def test_the_messages_are_never_inside_a_memoised_fragment():
    from pathlib import Path

    base = (Path(__file__).resolve().parents[2] / "portal/templates/base.html").read_text()
    top, _, rest = base.partition("{% if messages %}")
    assert top.count("{% memo_fragment") == top.count("{% endmemo_fragment %}") == 2
    assert rest.index("{% endif %}") < rest.index("{% memo_fragment")
