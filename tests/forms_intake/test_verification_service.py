"""forms_intake.services.verification: one-time SMS codes (issue, check, find, limits, purge)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from forms_intake.models import VerificationCode
from forms_intake.rules import verification as rules
from forms_intake.rules.verification import Purpose, Reason
from forms_intake.services import verification
from portal import sms

MOBILE = "+8613812345678"
OTHER_MOBILE = "+8613912345678"
LANDLINE = "+867318456789"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def last_code(outbox):
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


@pytest.mark.django_db
def test_right_code_is_accepted_once_and_nothing_is_stored_in_clear(outbox):
    sent = verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="draft-1")
    assert sent and sent.expires_at > timezone.now()
    assert outbox[-1].to == MOBILE
    code = last_code(outbox)
    row = VerificationCode.objects.get()
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert code not in stored and "13812345678" not in stored and "draft-1" not in stored

    assert verification.check(Purpose.VERIFY_PHONE, "draft-1", code).reason == Reason.OK
    assert verification.check(Purpose.VERIFY_PHONE, "draft-1", code).reason == Reason.NO_CODE  # used up


@pytest.mark.django_db
def test_a_code_opens_only_its_purpose_and_subject(outbox):
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="draft-1")
    code = last_code(outbox)
    assert verification.check(Purpose.VERIFY_PHONE, "draft-2", code).reason == Reason.NO_CODE
    assert verification.check(Purpose.CORRECTION, "draft-1", code).reason == Reason.NO_CODE
    assert verification.check(Purpose.VERIFY_PHONE, "draft-1", code)


@pytest.mark.django_db
def test_wrong_codes_count_down_then_lock_the_code(outbox):
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d")
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    results = [verification.check(Purpose.VERIFY_PHONE, "d", wrong) for _ in range(rules.MAX_ATTEMPTS)]
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    assert results[0].reason == Reason.WRONG and results[-1].reason == Reason.TOO_MANY_ATTEMPTS
    # Even the right code no longer works: a new one must be asked for.
    assert verification.check(Purpose.VERIFY_PHONE, "d", code).reason == Reason.TOO_MANY_ATTEMPTS
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d")
    assert verification.check(Purpose.VERIFY_PHONE, "d", last_code(outbox))


@pytest.mark.django_db
def test_an_expired_code_is_refused(outbox):
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d")
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert verification.check(Purpose.VERIFY_PHONE, "d", last_code(outbox)).reason == Reason.EXPIRED


@pytest.mark.django_db
def test_a_new_code_replaces_the_earlier_one(outbox):
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d")
    first = last_code(outbox)
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d")
    second = last_code(outbox)
    if first != second:
        assert not verification.check(Purpose.VERIFY_PHONE, "d", first)
    assert verification.check(Purpose.VERIFY_PHONE, "d", second)


@pytest.mark.django_db
@override_settings(VERIFICATION_MAX_SENDS=3)
def test_sends_are_limited_per_phone_and_per_subject(outbox):
    for n in range(3):
        assert verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject=f"d{n}")
    refused = verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d9")
    assert refused.reason == Reason.TOO_MANY_SENDS and 0 < refused.retry_after <= 3600
    assert len(outbox) == 3
    for n in range(3):  # one subject, several phones
        assert verification.issue(Purpose.RESUME, f"+861370000000{n}", subject="s")
    assert verification.issue(Purpose.RESUME, OTHER_MOBILE, subject="s").reason == Reason.TOO_MANY_SENDS
    # An hour later the window has moved on.
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d9")


@pytest.mark.django_db
def test_landlines_get_no_code(outbox):
    assert verification.issue(Purpose.VERIFY_PHONE, LANDLINE, subject="d").reason == Reason.NOT_MOBILE
    assert outbox == [] and not VerificationCode.objects.exists()


@pytest.mark.django_db
def test_a_failed_send_does_not_count(outbox):
    with override_settings(SMS_BACKEND="tests.forms_intake.test_verification_service.FailingBackend"):
        assert verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="d").reason == Reason.NOT_SENT
    assert not VerificationCode.objects.exists()


class FailingBackend:
    def send(self, message):
        raise sms.SmsError("provider down")


@pytest.mark.django_db
def test_find_by_phone_gives_the_subject_and_shares_the_attempts(outbox):
    verification.issue(Purpose.RESUME, MOBILE, subject="saved-a")
    code_a = last_code(outbox)
    verification.issue(Purpose.RESUME, MOBILE, subject="saved-b")
    found = verification.find(Purpose.RESUME, MOBILE, code_a)
    assert found and found.subject_hash == verification.subject_hash("saved-a")
    assert verification.find(Purpose.RESUME, OTHER_MOBILE, last_code(outbox)).reason == Reason.NO_CODE
    code_b = last_code(outbox)
    wrong = f"{(int(code_b) + 1) % 1000000:06d}"
    for _ in range(rules.MAX_ATTEMPTS):
        verification.find(Purpose.RESUME, MOBILE, wrong)
    assert verification.find(Purpose.RESUME, MOBILE, code_b).reason == Reason.TOO_MANY_ATTEMPTS


@pytest.mark.django_db
def test_purge_deletes_codes_past_their_expiry_and_send_window(outbox):
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="old")
    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="new")
    VerificationCode.objects.filter(pk=VerificationCode.objects.order_by("pk").first().pk).update(
        created_at=timezone.now() - timedelta(hours=2), expires_at=timezone.now() - timedelta(hours=2)
    )
    assert verification.purge_expired() == 1
    assert VerificationCode.objects.count() == 1


# ---- the pure rules -----------------------------------------------------------------


def test_codes_are_six_digits():
    codes = {rules.generate_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150


@pytest.mark.parametrize(
    ("typed", "code"),
    [("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456"), ("１２３４５６", "123456"),
     ("12345", None), ("1234567", None), ("12345a", None), ("١٢٣٤٥٦", None), ("123\x00456", None), ("", None),
     (None, None), ("1" * 10000, None)],
)
def test_normalize_code(typed, code):
    assert rules.normalize_code(typed) == code


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789 -０１２３４５６７８９\u3000\x00<>", max_size=20)))
def test_hostile_code_input_is_six_ascii_digits_or_nothing(typed):
    code = rules.normalize_code(typed)
    assert code is None or (len(code) == 6 and all(ch in "0123456789" for ch in code))


def test_mobile_or_not():
    assert rules.is_mobile(MOBILE) and rules.is_mobile("13812345678")
    assert not rules.is_mobile(LANDLINE) and not rules.is_mobile("0731-84567890") and not rules.is_mobile("x")


@pytest.mark.django_db
def test_the_retention_run_purges_expired_codes(outbox):
    from forms_intake.services import retention

    verification.issue(Purpose.VERIFY_PHONE, MOBILE, subject="old")
    VerificationCode.objects.update(
        created_at=timezone.now() - timedelta(hours=2), expires_at=timezone.now() - timedelta(hours=2)
    )
    assert retention.run()["verification_codes_deleted"] == 1
    assert not VerificationCode.objects.exists()
