"""Second factor for staff (django-otp TOTP) on Wagtail's login form."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def strict_axes(settings):
    settings.AXES_ALLOW_NO_REQUEST = False


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("otp-handler", password=PASSWORD)


@pytest.fixture
def device(staff):
    out = StringIO()
    call_command("staff_totp", "otp-handler", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    return TOTPDevice.objects.get(user=staff)


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _login(client, password=PASSWORD, code="", addr="192.0.2.60", username="otp-handler"):
    data = {"username": username, "password": password, "otp_token": code}
    return client.post("/admin/login/", data, REMOTE_ADDR=addr)


def test_login_form_shows_the_code_field(client, db):
    body = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' in body
    assert 'autocomplete="one-time-code"' in body


def test_users_without_an_authenticator_sign_in_with_the_password(client, staff):
    assert _login(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_enrolled_user_needs_the_current_code(device):
    client = Client()
    assert _login(client, code=_code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id  # the session is marked verified


def test_missing_or_wrong_code_looks_like_a_wrong_password(device):
    wrong_password = _login(Client(), password="wrong", addr="192.0.2.61")
    no_code = _login(Client(), addr="192.0.2.62")
    wrong_code = _login(Client(), code="000000" if _code(device) != "000000" else "111111", addr="192.0.2.63")
    for response in (no_code, wrong_code):
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == wrong_password.context["form"].non_field_errors()
        assert "_auth_user_id" not in response.wsgi_request.session


def test_wrong_codes_count_towards_the_lockout(device, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    statuses = [_login(client, code="12345x").status_code for _ in range(3)]
    assert statuses[-1] == 429
    # Locked: even the right code and password are refused now.
    assert _login(client, code=_code(device)).status_code == 429


def test_a_code_cannot_be_used_twice(device):
    code = _code(device)
    assert _login(Client(), code=code).status_code == 302
    assert _login(Client(), code=code, addr="192.0.2.64").status_code == 200


def test_required_mode_refuses_users_without_an_authenticator(client, staff, settings):
    settings.STAFF_OTP_REQUIRED = True
    response = _login(client)
    assert response.status_code == 200
    from django.utils.translation import gettext

    expected = gettext("This account needs an authenticator before it can sign in. Ask your administrator.")
    assert expected in str(response.context["form"].non_field_errors())


def test_removing_the_authenticator(device, staff):
    call_command("staff_totp", "otp-handler", "--remove", stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert _login(Client()).status_code == 302


def test_the_code_is_checked_against_the_clock(device):
    """A code from ten minutes ago is refused."""
    old = _code(device, offset=-20)
    assert old != _code(device)  # (fails one run in a million: the two codes coincide)
    assert _login(Client(), code=old).status_code == 200
