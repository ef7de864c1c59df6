"""Elder-friendly mode (长辈模式): a header switch that works without JavaScript and a login, kept in a cookie."""

import pytest
from django.utils.encoding import iri_to_uri

pytestmark = pytest.mark.django_db


def test_switch_sets_the_cookie_and_returns_to_the_page(client, public_site, db):
    response = client.get("/elder-mode/", {"on": "1", "next": "/qa/?q=社保卡#q-1"})
    assert response.status_code == 302
    assert response["Location"] == iri_to_uri("/qa/?q=社保卡#q-1")
    cookie = response.cookies["elder_mode"]
    assert cookie.value == "1" and cookie["samesite"] == "Lax" and cookie["httponly"]
    assert int(cookie["max-age"]) >= 30 * 24 * 3600
    assert response["Cache-Control"] == "no-store"


PATHS = ["/", "/qa/", "/notices/universal-registration-notice/", "/en/work-schedule/", "/search/?q=参保"]


@pytest.mark.parametrize("path", PATHS)
def test_every_page_gets_the_class_and_stylesheet_when_on(client, public_site, db, path):
    body = client.get(path).content.decode()
    assert '<html lang="zh-hans" class="">' in body or '<html lang="en" class="">' in body
    assert "elder.css" not in body
    client.cookies["elder_mode"] = "1"
    body = client.get(path).content.decode()
    assert 'class="elder-mode ' in body.split("<head>", 1)[0]
    assert '<body class="elder-mode ' in body
    assert "/static/css/elder.css" in body
    assert 'role="switch" aria-checked="true"' in body


def test_switch_link_leads_back_to_the_current_page(client, public_site, db):
    body = client.get("/posters/").content.decode()
    assert 'href="/elder-mode/?on=1&amp;next=%2Fposters%2F"' in body
    client.cookies["elder_mode"] = "1"
    body = client.get("/posters/").content.decode()
    assert 'href="/elder-mode/?on=0&amp;next=%2Fposters%2F"' in body


def test_switching_off_deletes_the_cookie(client, public_site, db):
    client.cookies["elder_mode"] = "1"
    response = client.get("/elder-mode/", {"on": "0", "next": "/"})
    assert response.cookies["elder_mode"].value == ""
    assert "elder.css" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"]
)
def test_next_must_stay_on_this_site(client, db, target):
    response = client.get("/elder-mode/", {"on": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_only_get(client, db):
    assert client.post("/elder-mode/", {"on": "1"}).status_code == 405
