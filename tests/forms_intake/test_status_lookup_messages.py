"""The status lookup tells a resident what staff decided: the correction request (and how to correct) for
退回补正, the reason for 不予登记 (issue 14)."""

import pytest
from django.core.cache import caches
from django.urls import NoReverseMatch

from forms_intake.models import RegistrationPage
from forms_intake.services import transitions
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission
from tests.forms_intake.wizard_support import ADULT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(db):
    for cache in caches.all():
        cache.clear()  # rate-limit counters of other tests
    make_divisions()
    return make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A])


def _lookup(client, submission, prefix=""):
    return client.post(f"{prefix}/status/", {"reference": submission.reference, "id_number": ADULT_ID}).content.decode()


def test_a_returned_registration_shows_what_to_correct_and_how(client, handler, registration_site):
    submission = make_submission(id_number=ADULT_ID)
    transitions.perform(submission, "claim", handler)
    transitions.perform(submission, "return", handler, note="请补充常住地址的门牌号")
    body = _lookup(client, submission)
    assert "退回补正" in body
    assert "data-correction-request" in body and "请补充常住地址的门牌号" in body
    assert "data-how-to-correct" in body
    registration = RegistrationPage.objects.get(locale__language_code="zh-hans")
    try:
        online = registration.url + registration.reverse_subpage("correct")
    except NoReverseMatch:  # no online correction: the township office only
        online = None
    if online:
        assert f'href="{online}"' in body
    english = _lookup(client, submission, "/en")
    assert "请补充常住地址的门牌号" in english and "data-how-to-correct" in english


def test_a_rejected_registration_shows_the_reason_and_the_note(client, handler, registration_site):
    submission = make_submission(id_number=ADULT_ID)
    transitions.perform(submission, "claim", handler)
    transitions.perform(submission, "reject", handler, reason="duplicate", note="已在长沙县登记")
    body = _lookup(client, submission)
    assert "不予登记" in body
    assert "data-rejection-reason" in body and "重复登记" in body
    assert "已在长沙县登记" in body
    assert "data-how-to-correct" not in body


def test_a_registration_waiting_for_staff_shows_no_message(client, handler, registration_site):
    submission = make_submission(id_number=ADULT_ID)
    body = _lookup(client, submission)
    assert "待受理" in body
    assert "data-correction-request" not in body and "data-rejection-reason" not in body
