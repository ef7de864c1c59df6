"""Hostile input on issue #14's new forms: the SMS code page, save and resume (never a 500, no registration)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from forms_intake.models import SavedDraft, Submission

from .wizard_support import employed_self_answers, run_wizard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registration_site")]

EXAMPLES = 40
HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<script>alert(1)</script>", "' OR '1'='1", "\x00" * 6, "１２３４５６", "١٢٣٤٥٦", "9" * 5000,
                     "+8613812345678\r\nSet-Cookie: x=1", "12345６", "123 456", "-1", "1e6"]),
    st.text(alphabet="0123456789 -+()０１２３４５６７８９\u3000\x00", max_size=25),
)
settings = hsettings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _controlled(response):
    assert response.status_code in (200, 302, 400, 429), response.status_code
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode() or "we sent a new code" in response.content.decode()


@override_settings(WIZARD_PHONE_VERIFICATION=True)
def test_hostile_codes_on_the_code_page(client):
    run_wizard(client, employed_self_answers(), base="/en/register/", stop_before="review")
    review = {"registration-current_step": "review", "review-confirm_true": "on", "review-consent": "on"}
    assert client.post("/en/register/step/review/", review).status_code == 302

    @settings
    @given(code=HOSTILE, action=st.sampled_from(["check", "", "landline", "<x>", "check\x00"]))
    def post(code, action):
        response = client.post("/en/register/step/confirm-phone/", {"code": code, "action": action})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()

    post()
    assert Submission.objects.count() == 0


def test_hostile_phone_numbers_and_codes_on_the_resume_and_save_pages(client):
    run_wizard(client, employed_self_answers(), base="/en/register/", stop_before="address")

    @settings
    @given(phone=HOSTILE, code=HOSTILE, action=st.sampled_from(["resume", "send", "", "<x>"]))
    def post(phone, code, action):
        _controlled(client.post("/en/register/step/resume/", {"phone": phone, "code": code, "action": action}))
        saved = client.post("/en/register/step/save/", {"phone": phone})
        assert saved.status_code in (200, 302)

    post()
    # Only a real mobile number can save (a generated one may be), never a landline or junk.
    assert all(len(row.phone_hash) == 64 for row in SavedDraft.objects.all())
