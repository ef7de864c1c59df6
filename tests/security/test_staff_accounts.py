"""Staff accounts: lockout (django-axes) through Wagtail's real login form, session key rotation,
admin idle timeout, and deactivation ending every session of the user."""

import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from freezegun import freeze_time

from portal.staff_sessions.models import UserSession

PASSWORD = "correct-horse-battery-9"
LOGIN_URL = "/admin/login/"


@pytest.fixture(autouse=True)
def strict_axes(settings):
    # The production behaviour: axes refuses any authentication without a request.
    settings.AXES_ALLOW_NO_REQUEST = False
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user("township-handler", password=PASSWORD, is_staff=True)
    user.is_superuser = True  # admin access without needing the role groups
    user.save()
    return user


def _login(client, username, password, addr="192.0.2.10"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _normalise(response, username):
    body = response.content.decode()
    # CSRF tokens differ per response (form field and the admin's JSON config).
    body = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)
    return body.replace(username, "USERNAME")


def test_wagtail_login_passes_the_request_to_authenticate(client, staff):
    """With axes strict (a request-less authenticate raises), Wagtail's login still works."""
    response = _login(client, "township-handler", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_lockout_after_repeated_failures_even_with_the_right_password(client, staff):
    statuses = [_login(client, "township-handler", "wrong-password").status_code for _ in range(5)]
    # The fifth failure locks the account and already answers with the lockout page.
    assert statuses == [200, 200, 200, 200, 429]
    locked = _login(client, "township-handler", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still signed out


def test_lockout_counts_per_username_across_addresses(client, staff):
    for n in range(5):
        _login(client, "township-handler", "wrong", addr=f"198.51.100.{n + 1}")
    assert _login(client, "township-handler", PASSWORD, addr="198.51.100.99").status_code == 429


def test_unknown_and_existing_usernames_get_the_same_answers(staff):
    """Attempt by attempt, an unknown username and a wrong password are indistinguishable."""
    known, unknown = Client(), Client()
    for attempt in range(7):
        a = _login(known, "township-handler", f"wrong-{attempt}", addr="192.0.2.20")
        b = _login(unknown, "no-such-user", f"wrong-{attempt}", addr="192.0.2.30")
        assert a.status_code == b.status_code, attempt
        assert _normalise(a, "township-handler") == _normalise(b, "no-such-user"), attempt
    assert a.status_code == 429


def test_lockout_page_reveals_nothing_about_the_account(client, staff):
    for _ in range(6):
        response = _login(client, "township-handler", "wrong")
    body = response.content.decode()
    assert response.status_code == 429
    assert "township-handler" not in body
    assert "Retry-After" in response
    assert "no-store" in response["Cache-Control"]


def test_login_and_lockout_are_security_events_without_username_or_address(client, staff, caplog):
    with caplog.at_level(logging.INFO):
        _login(client, "township-handler", PASSWORD, addr="192.0.2.77")
        client.post("/admin/logout/")
        for _ in range(6):
            _login(client, "township-handler", "wrong", addr="192.0.2.77")
    text = caplog.text
    assert re.search(rf"event=login time=\S+ user={staff.pk} ", text)
    assert "event=login_failed" in text
    assert "event=lockout" in text
    assert "request_id=" in text
    assert "township-handler" not in text
    assert "192.0.2.77" not in text


def test_session_key_is_rotated_at_login(client, staff):
    session = client.session
    session["language_choice"] = "en"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    assert _login(client, "township-handler", PASSWORD).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(user=staff, session_key=after).exists()


def test_admin_idle_timeout_signs_out(client, staff, settings):
    settings.ADMIN_IDLE_TIMEOUT = 30 * 60
    with freeze_time("2026-11-29 09:00:00") as frozen:
        _login(client, "township-handler", PASSWORD)
        assert client.get("/admin/").status_code == 200
        frozen.tick(29 * 60)  # active again just before the limit: the clock restarts
        assert client.get("/admin/").status_code == 200
        frozen.tick(29 * 60)
        assert client.get("/admin/").status_code == 200
        frozen.tick(31 * 60)
        response = client.get("/admin/pages/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert client.get("/admin/").status_code == 302


def test_deactivating_a_user_ends_all_their_sessions(staff):
    office, home = Client(), Client()
    _login(office, "township-handler", PASSWORD, addr="192.0.2.1")
    _login(home, "township-handler", PASSWORD, addr="192.0.2.2")
    other = get_user_model().objects.create_user("reviewer", password=PASSWORD, is_staff=True, is_superuser=True)
    colleague = Client()
    _login(colleague, "reviewer", PASSWORD, addr="192.0.2.3")
    keys = [office.cookies["sessionid"].value, home.cookies["sessionid"].value]
    assert Session.objects.filter(session_key__in=keys).count() == 2

    staff.is_active = False
    staff.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=staff).exists()
    assert office.get("/admin/").status_code == 302
    assert home.get("/admin/").status_code == 302
    # Someone else's session is untouched.
    assert colleague.get("/admin/").status_code == 200
    assert UserSession.objects.filter(user=other).count() == 1


def test_deactivating_through_the_wagtail_user_form_ends_sessions(staff):
    target = get_user_model().objects.create_user("leaver", password=PASSWORD, is_staff=True, is_superuser=True)
    leaver = Client()
    _login(leaver, "leaver", PASSWORD, addr="192.0.2.4")
    assert leaver.get("/admin/").status_code == 200

    admin = Client()
    _login(admin, "township-handler", PASSWORD, addr="192.0.2.5")
    edit_url = f"/admin/users/edit/{target.pk}/"
    form = admin.get(edit_url)
    assert form.status_code == 200
    response = admin.post(
        edit_url,
        {
            "username": "leaver",
            "email": "leaver@example.gov.cn",
            "first_name": "Li",
            "last_name": "Si",
            "password1": "",
            "password2": "",
            "is_active": "",  # unticked
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    target.refresh_from_db()
    assert not target.is_active
    assert leaver.get("/admin/").status_code == 302


def test_logout_removes_the_index_entry(client, staff):
    _login(client, "township-handler", PASSWORD)
    assert UserSession.objects.filter(user=staff).count() == 1
    client.post("/admin/logout/")
    assert UserSession.objects.filter(user=staff).count() == 0
