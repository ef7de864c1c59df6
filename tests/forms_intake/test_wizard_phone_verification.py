"""Issue #14: the 联系电话 confirmed by an SMS code before the final submit (and switched off for counters)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from forms_intake.models import Submission, VerificationCode
from forms_intake.rules.verification import MAX_ATTEMPTS
from portal import roles, sms
from tests.forms_intake.moderation_support import make_staff

from .wizard_support import MOBILE, employed_self_answers, run_wizard, step_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registration_site")]
BASE = "/en/register/"
CONFIRM = f"{BASE}step/confirm-phone/"
REVIEW = {"registration-current_step": "review", "review-confirm_true": "on", "review-consent": "on"}


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    with override_settings(WIZARD_PHONE_VERIFICATION=True):
        yield sms.outbox
    sms.outbox.clear()


def submit_review(client, answers=None):
    run_wizard(client, answers or employed_self_answers(), base=BASE, stop_before="review")
    return client.post(f"{BASE}step/review/", REVIEW)


def code_in(outbox):
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def wrong(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def test_the_right_code_submits_the_registration(client, outbox):
    response = submit_review(client)
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert Submission.objects.count() == 0
    assert [m.to for m in outbox] == ["+86" + MOBILE]
    page = client.get(CONFIRM)
    text = page.content.decode()
    assert "Enter the 6-digit code" in text and "138****5678" in text and MOBILE not in text
    assert 'autocomplete="one-time-code"' in text
    done = client.post(CONFIRM, {"action": "check", "code": code_in(outbox)})
    assert done.status_code == 302 and done["Location"] == f"{BASE}done/"
    assert Submission.objects.count() == 1
    # Back and submit again: the receipt, never a second record.
    client.post(CONFIRM, {"action": "check", "code": code_in(outbox)})
    assert Submission.objects.count() == 1


def test_a_wrong_code_says_so_and_counts_down(client, outbox):
    submit_review(client)
    code = code_in(outbox)
    page = client.post(CONFIRM, {"action": "check", "code": wrong(code)})
    assert page.status_code == 200
    assert "The code is not correct" in page.content.decode() and "4 more tries" in page.content.decode()
    assert Submission.objects.count() == 0
    assert client.post(CONFIRM, {"action": "check", "code": code}).status_code == 302
    assert Submission.objects.count() == 1


def test_an_expired_code_asks_for_a_new_one(client, outbox):
    submit_review(client)
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post(CONFIRM, {"action": "check", "code": code_in(outbox)})
    assert "The code has expired" in page.content.decode()
    client.post(CONFIRM, {"action": "resend"})
    assert len(outbox) == 2
    assert client.post(CONFIRM, {"action": "check", "code": code_in(outbox)}).status_code == 302
    assert Submission.objects.count() == 1


def test_too_many_wrong_codes_lock_the_code(client, outbox):
    submit_review(client)
    code = code_in(outbox)
    for _ in range(MAX_ATTEMPTS):
        page = client.post(CONFIRM, {"action": "check", "code": wrong(code)})
    assert "too many times" in page.content.decode()
    assert "too many times" in client.post(CONFIRM, {"action": "check", "code": code}).content.decode()
    assert Submission.objects.count() == 0


@override_settings(VERIFICATION_MAX_SENDS=3)
def test_resends_are_limited(client, outbox):
    submit_review(client)
    for _ in range(2):
        assert "We sent a new code" in client.post(CONFIRM, {"action": "resend"}).content.decode()
    refused = client.post(CONFIRM, {"action": "resend"})
    assert "Too many codes were sent" in refused.content.decode()
    assert len(outbox) == 3
    # The latest code still works.
    assert client.post(CONFIRM, {"action": "check", "code": code_in(outbox)}).status_code == 302


def test_changing_the_number_sends_a_code_to_the_new_one(client, outbox):
    submit_review(client)
    old_code = code_in(outbox)
    assert f"{BASE}step/identity/?from=review" in client.get(CONFIRM).content.decode()
    client.get(f"{BASE}step/identity/?from=review")
    identity = dict(employed_self_answers())["identity"] | {"phone": "13987654321"}
    assert client.post(f"{BASE}step/identity/", step_post("identity", identity)).status_code == 302
    assert client.post(f"{BASE}step/review/", REVIEW)["Location"] == CONFIRM
    assert outbox[-1].to == "+8613987654321"
    if old_code != code_in(outbox):
        assert "not correct" in client.post(CONFIRM, {"action": "check", "code": old_code}).content.decode()
    assert client.post(CONFIRM, {"action": "check", "code": code_in(outbox)}).status_code == 302
    assert Submission.objects.get().phone == "+8613987654321"


def test_a_landline_gets_no_code_and_can_submit(client, outbox):
    answers = employed_self_answers()
    answers[1] = ("identity", answers[1][1] | {"phone": "0731-84567890"})
    assert submit_review(client, answers)["Location"] == CONFIRM
    assert outbox == []
    page = client.get(CONFIRM).content.decode()
    assert "landline" in page and "Staff will confirm the number" in page
    assert client.post(CONFIRM, {"action": "landline"}).status_code == 302
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("typed", ["", "abc", "12345", "1234567", "<script>", "１２３", "\x00" * 6, "9" * 5000])
def test_hostile_code_input_gets_a_message_not_a_500(client, outbox, typed):
    submit_review(client)
    page = client.post(CONFIRM, {"action": "check", "code": typed})
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert Submission.objects.count() == 0


def test_the_code_page_in_chinese(client, outbox):
    run_wizard(client, employed_self_answers(), stop_before="review")
    assert client.post("/register/step/review/", REVIEW)["Location"] == "/register/step/confirm-phone/"
    page = client.get("/register/step/confirm-phone/")
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode()
    assert client.post("/register/step/confirm-phone/", {"action": "check", "code": code_in(outbox)}).status_code == 302
    assert Submission.objects.count() == 1


def test_without_a_session_the_code_page_is_the_expired_page(client):
    assert "expired" in client.get(CONFIRM).content.decode().lower()


@override_settings(WIZARD_PHONE_VERIFICATION=False)
def test_switched_off_the_review_submits_directly(client, outbox):
    response = submit_review(client)
    assert response["Location"] == f"{BASE}done/"
    assert outbox == [] and Submission.objects.count() == 1
    assert client.get(CONFIRM).status_code == 302  # back to the review, nothing to confirm


def _staff_detail(client, submission):
    """What the staff detail (in Chinese, the admin's language) says under 联系电话."""
    client.force_login(make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]))
    page = client.get(reverse("forms_intake_submission:inspect", args=[submission.pk]))
    assert page.status_code == 200
    return re.search(r"data-phone-confirmation>([^<]*)<", page.content.decode()).group(1)


@pytest.mark.parametrize(
    ("phone", "setting", "action", "shown"),
    [
        (MOBILE, True, "phone_sms_code", "联系电话已由居民通过短信验证码确认"),
        ("0731-84567890", True, "phone_landline", "联系电话为固定电话，未经短信验证"),
        (MOBILE, False, "phone_in_person", "联系电话未经短信验证（此处已关闭短信验证）"),
    ],
)
def test_how_the_phone_was_confirmed_is_in_the_timeline_and_on_the_staff_detail(
    client, outbox, phone, setting, action, shown
):
    answers = employed_self_answers()
    answers[1] = ("identity", answers[1][1] | {"phone": phone})
    with override_settings(WIZARD_PHONE_VERIFICATION=setting):
        response = submit_review(client, answers)
        if setting and phone == MOBILE:
            client.post(CONFIRM, {"action": "check", "code": code_in(outbox)})
        elif setting:
            client.post(CONFIRM, {"action": "landline"})
        else:
            assert response["Location"] == f"{BASE}done/"
    submission = Submission.objects.get()
    assert list(submission.events.values_list("action", flat=True)) == [action]
    assert shown in _staff_detail(client, submission)
