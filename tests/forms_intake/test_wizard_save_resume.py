"""Issue #14: save and come back later (encrypted server-side for 7 days), resumed with phone + code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from forms_intake.models import SavedDraft, Submission, VerificationCode
from forms_intake.rules.verification import MAX_ATTEMPTS
from forms_intake.services import retention
from portal import sms

from .wizard_support import ADULT_ID, MOBILE, employed_self_answers, run_wizard, step_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registration_site")]
BASE = "/en/register/"
RESUME = f"{BASE}step/resume/"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def code_in(outbox):
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def save_on_address_step(client, phone=MOBILE):
    """Answer up to the address step, type a street there, press "Save and come back later"."""
    run_wizard(client, employed_self_answers(), base=BASE, stop_before="address")
    typed = step_post("address", {"residence_street": "八一路12号"}) | {"wizard_save": "1"}
    response = client.post(f"{BASE}step/address/", typed)
    assert response.status_code == 302 and response["Location"] == f"{BASE}step/save/"
    page = client.get(response["Location"]).content.decode()
    assert "Save and come back later" in page and MOBILE in page  # the identity step's number, to confirm
    return client.post(f"{BASE}step/save/", {"phone": phone})


def test_save_then_resume_in_a_new_browser(client, django_user_model, outbox):
    saved = save_on_address_step(client)
    assert saved.status_code == 200 and "Your answers are saved" in saved.content.decode()
    assert [m.to for m in outbox] == ["+86" + MOBILE]
    row = SavedDraft.objects.get()
    assert ADULT_ID in row.answers  # Python code sees the answers...
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, phone_hash FROM forms_intake_saveddraft")
        stored, phone_hash = cursor.fetchone()
    assert stored.startswith("gAAAA") and ADULT_ID not in stored  # ...the database a Fernet token only
    assert MOBILE not in phone_hash and len(phone_hash) == 64

    from django.test import Client

    other = Client()  # another device: no session at all
    assert "Come back to a saved registration" in other.get(BASE).content.decode()
    resumed = other.post(RESUME, {"phone": MOBILE, "code": code_in(outbox), "action": "resume"})
    assert resumed.status_code == 302 and re.match(rf"{BASE}step/address/\?draft=[\w-]+$", resumed["Location"])
    page = other.get(resumed["Location"]).content.decode()
    assert "八一路12号" in page  # what was typed on the page where the resident saved
    assert not SavedDraft.objects.exists()  # taken once
    review = other.get(resumed["Location"].replace("address", "identity")).content.decode()
    assert ADULT_ID in review


def test_a_wrong_code_or_number_does_not_resume(client, outbox):
    save_on_address_step(client)
    code = code_in(outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    page = client.post(RESUME, {"phone": MOBILE, "code": wrong, "action": "resume"})
    assert page.status_code == 200 and "The code is not correct" in page.content.decode()
    other_phone = client.post(RESUME, {"phone": "13987654321", "code": code, "action": "resume"})
    assert "No code was sent" in other_phone.content.decode()
    assert SavedDraft.objects.exists()


def test_too_many_wrong_codes_lock_the_saved_registration(client, outbox):
    save_on_address_step(client)
    code = code_in(outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(MAX_ATTEMPTS):
        client.post(RESUME, {"phone": MOBILE, "code": wrong, "action": "resume"})
    page = client.post(RESUME, {"phone": MOBILE, "code": code, "action": "resume"})
    assert "too many times" in page.content.decode()
    # A new code (sent to the number) opens it again.
    notice = client.post(RESUME, {"phone": MOBILE, "action": "send"}).content.decode()
    assert "we sent a new code" in notice
    assert client.post(RESUME, {"phone": MOBILE, "code": code_in(outbox), "action": "resume"}).status_code == 302


def test_asking_for_a_code_never_says_whether_a_number_saved_anything(client, outbox):
    page = client.post(RESUME, {"phone": "13987654321", "action": "send"}).content.decode()
    assert "If a registration was saved with this number" in page
    assert outbox == []


def test_a_landline_or_nonsense_cannot_save(client, outbox):
    assert "mobile numbers only" in save_on_address_step(client, phone="0731-84567890").content.decode()
    page = client.post(f"{BASE}step/save/", {"phone": "<script>"}).content.decode()
    assert "There is a problem" in page
    assert not SavedDraft.objects.exists() and outbox == []


def test_saved_registrations_expire_after_seven_days_and_are_purged(client, outbox):
    save_on_address_step(client)
    row = SavedDraft.objects.get()
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)
    SavedDraft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post(RESUME, {"phone": MOBILE, "code": code_in(outbox), "action": "resume"})
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(hours=2))
    counts = retention.run()
    assert counts["saved_drafts_deleted"] == 1
    assert not SavedDraft.objects.exists()


@override_settings(WIZARD_PHONE_VERIFICATION=False)
def test_a_resumed_registration_can_be_submitted(client, outbox):
    save_on_address_step(client)
    from django.test import Client

    other = Client()
    location = other.post(RESUME, {"phone": MOBILE, "code": code_in(outbox), "action": "resume"})["Location"]
    draft = location.split("?draft=")[1]
    for step, data in employed_self_answers()[3:]:
        response = other.post(f"{BASE}step/{step}/?draft={draft}", step_post(step, data))
        assert response.status_code == 302, step
    assert Submission.objects.get().id_number == ADULT_ID


@pytest.mark.parametrize("typed", ["", "x" * 5000, "\x00", "１３８１２３４５６７８", "+1 202 555 0100"])
def test_hostile_resume_input_gets_a_message_not_a_500(client, typed):
    page = client.post(RESUME, {"phone": typed, "code": typed, "action": "resume"})
    assert page.status_code == 200
