"""Header matrix with production's security settings: a public page, each wizard step, the status
lookup, the admin login, a submission page in the admin, a 404, a 500 and a static file."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.forms_intake.moderation_support import make_divisions, make_submission
from tests.forms_intake.wizard_support import employed_self_answers, proxy_child_answers, step_post

pytestmark = pytest.mark.django_db

HSTS = "max-age=31536000; includeSubDomains; preload"


def csp(response, header="Content-Security-Policy"):
    """The policy as {directive: [sources]}."""
    policy = {}
    for part in response[header].split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def assert_transport(response):
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def assert_page_headers(response, admin=False):
    assert_transport(response)
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert len(response["X-Request-ID"]) >= 16
    policy = csp(response)
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert not any("'unsafe-eval'" in sources for sources in policy.values())
    assert not any("*" in sources or "https:" in sources for sources in policy.values())
    if admin:
        assert policy["frame-ancestors"] == ["'self'"]  # Wagtail previews pages in its own iframe
    else:
        assert response["X-Frame-Options"] == "DENY"
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]


def assert_no_store(response):
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def assert_cookie_hardened(cookie):
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]  # required by the __Host- prefix


def test_public_page(client, registration_site, production_security):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert_page_headers(response)
    # An anonymous public page may be cached (it holds nothing personal).
    assert "no-store" not in response.get("Cache-Control", "")
    assert not response.cookies


def test_english_public_page(client, registration_site, production_security):
    response = client.get("/en/", secure=True)
    assert response.status_code == 200
    assert_page_headers(response)


def test_plain_http_is_redirected_to_https(client, registration_site, production_security):
    response = client.get("/register/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize("answers", [employed_self_answers, proxy_child_answers], ids=["employed-self", "proxy-child"])
def test_each_wizard_step(client, registration_site, production_security, answers):
    seen = []
    intro = client.get("/register/", secure=True)
    assert intro.status_code in (200, 302)
    assert_page_headers(intro)
    assert_no_store(intro)
    for step, data in answers():
        response = client.get(f"/register/step/{step}/", secure=True)
        assert response.status_code == 200, step
        assert_page_headers(response)
        assert_no_store(response)
        seen.append(step)
        posted = client.post(f"/register/step/{step}/", step_post(step, data), secure=True)
        assert posted.status_code == 302, step
        assert_page_headers(posted)
        assert_no_store(posted)
    receipt = client.get("/register/done/", secure=True)
    assert receipt.status_code == 200
    assert_page_headers(receipt)
    assert_no_store(receipt)
    assert "review" in seen
    # The wizard's session and CSRF cookies: Secure, HttpOnly, SameSite, __Host-.
    assert_cookie_hardened(client.cookies["__Host-sessionid"])
    assert_cookie_hardened(client.cookies["__Host-csrftoken"])


def test_status_lookup(client, registration_site, production_security):
    page = client.get("/status/", secure=True)
    assert page.status_code == 200
    assert_page_headers(page)
    assert_no_store(page)
    posted = client.post("/status/", {"reference": "HN-0000-0000", "id_number": "110101199003070017"}, secure=True)
    assert posted.status_code in (200, 400)
    assert_page_headers(posted)
    assert_no_store(posted)


def test_admin_login(client, registration_site, production_security):
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert_page_headers(response, admin=True)
    assert_no_store(response)


def test_submission_admin_pages(client, registration_site, production_security):
    make_divisions()
    submission = make_submission()
    admin = get_user_model().objects.create_superuser("provincial", password="pw-for-tests-only-123")
    client.force_login(admin)
    for url in [
        "/admin/registrations/",
        f"/admin/registrations/inspect/{submission.pk}/",
        f"/admin/registrations/edit/{submission.pk}/",
        f"/admin/registrations/history/{submission.pk}/",
    ]:
        response = client.get(url, secure=True)
        assert response.status_code in (200, 302), url  # edit leads to the detail page's actions
        assert_page_headers(response, admin=True)
        assert_no_store(response)


def test_signed_in_users_get_no_store_on_public_pages_too(client, registration_site, production_security):
    editor = get_user_model().objects.create_user("editor", password="pw-for-tests-only-123", is_staff=True)
    client.force_login(editor)
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert_page_headers(response)
    assert_no_store(response)


def test_not_found(client, registration_site, production_security):
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_page_headers(response)


def test_server_error_page_is_bare_and_still_under_the_strict_policy(client, production_security, monkeypatch):
    def explode():
        raise RuntimeError("SELECT secret FROM settings")

    monkeypatch.setattr(connection, "ensure_connection", explode)
    client.raise_request_exception = False
    response = client.get("/healthz/", secure=True)
    assert response.status_code == 500
    body = response.content.decode()
    for leak in ("Traceback", "SELECT", "RuntimeError", "SECRET_KEY", "settings", 'File "'):
        assert leak not in body
    assert_transport(response)
    policy = csp(response)
    # The page's inline styles are allowed by their hash, never by 'unsafe-inline'.
    assert "'unsafe-inline'" not in policy["style-src"]
    assert any(source.startswith("'sha256-") for source in policy["style-src"])


def test_static_file(client, production_security):
    response = client.get("/static/css/portal.css", secure=True)
    assert response.status_code == 200
    assert_transport(response)
    assert response["Content-Type"].startswith("text/css")
