"""Online correction by the resident (issue 14): staff name the fields when returning, the resident proves
who they are with reference + ID number + an SMS code to the registered phone, changes only those fields,
and the registration is back in the queue with before/after in its timeline."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from forms_intake.models import (
    CorrectionRequest,
    Submission,
    SubmissionEvent,
    SubmissionLogEntry,
    VerificationCode,
)
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import correction_requests, transitions
from forms_intake.wizard import correction as correction_module
from portal import roles, sms
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_id_number, make_staff, make_submission

pytestmark = pytest.mark.django_db

URL = "/register/correct/"
ID_NUMBER = make_id_number(sequence=417)


@pytest.fixture
def handler(registration_site):
    return make_staff("handler_c", roles.HANDLER, [TOWNSHIP_A], first_name="李经办")


@pytest.fixture
def staff(handler):
    client = Client()
    client.force_login(handler)
    return client


def _return(staff, submission, fields, note="请核对街道门牌号"):
    return staff.post(
        reverse("forms_intake_submission:action", args=[submission.pk, "return"]),
        {"note": note, "correct_fields": fields, "confirmed": "yes"}, follow=True,
    )


@pytest.fixture
def returned(staff, handler):
    """A registration returned by the handler, who asked for the street and the employment status."""
    submission = make_submission(id_number=ID_NUMBER, residence_street="八一路12号")
    transitions.perform(submission, "claim", handler)
    response = _return(staff, submission, ["residence_street", "employment_status"])
    assert response.status_code == 200
    sms.outbox.clear()  # the notification of the return, if any: only the codes are counted below
    return Submission.objects.get(pk=submission.pk)


def _lookup(client, reference, id_number):
    return client.post(URL, {"stage": "lookup", "reference": reference, "id_number": id_number})


def _code_from_sms():
    assert len(sms.outbox) == 1
    return re.search(r"\d{6}", sms.outbox[-1].body).group(0)


def _verified(client, submission):
    _lookup(client, submission.reference, ID_NUMBER)
    response = client.post(URL, {"stage": "code", "code": _code_from_sms()})
    assert response.status_code == 302 and response["Location"] == URL
    return client.get(URL)


def test_the_return_form_lists_the_fields_and_stores_the_request(staff, handler):
    submission = make_submission(id_number=ID_NUMBER)
    transitions.perform(submission, "claim", handler)
    page = staff.get(reverse("forms_intake_submission:inspect", args=[submission.pk])).content.decode()
    assert 'name="correct_fields" value="residence_street"' in page
    assert 'value="id_number"' not in page  # not correctable by the resident
    confirm = staff.post(reverse("forms_intake_submission:action", args=[submission.pk, "return"]),
                         {"note": "请核对", "correct_fields": ["employment_status"]}).content.decode()
    # The confirmation page says what the resident will be able to correct, and keeps the ticks.
    assert "data-correct-labels" in confirm and "就业状态、工作单位名称" in confirm
    assert 'name="correct_fields" value="employment_status"' in confirm
    _return(staff, submission, ["employment_status", "not_a_field"])
    request = CorrectionRequest.objects.get(submission=submission)
    # The companion comes along (another status clears or needs the employer's name); unknown names are dropped.
    assert request.fields == ["employment_status", "employer_name"]
    assert request.requested_by == handler
    # The timeline says what was asked (the labels as on the form).
    asked = SubmissionEvent.objects.get(submission=submission, action="correction_request")
    assert asked.user == handler and asked.note == "就业状态、工作单位名称"
    assert Submission.objects.get(pk=submission.pk).status == S.RETURNED


def test_the_resident_corrects_only_the_requested_fields_and_it_is_back_in_the_queue(client, staff, returned):
    form_page = _verified(client, returned).content.decode()
    assert sms.outbox[0].to == returned.phone  # the registered phone
    assert 'name="address-residence_street"' in form_page
    assert 'name="employment-employment_status"' in form_page
    assert 'name="identity-name"' not in form_page and 'name="address-residence_village"' not in form_page
    assert "韶山路社区" in form_page  # shown read-only
    assert ID_NUMBER not in form_page and returned.phone not in form_page  # masked

    response = client.post(URL, {
        "stage": "form", "address-residence_street": "八一路14号", "employment-employment_status": "unemployed",
        "employment-employer_name": "",
    })
    assert response.status_code == 200 and "data-correction-done" in response.content.decode()

    corrected = Submission.objects.get(pk=returned.pk)
    assert corrected.residence_street == "八一路14号"
    assert corrected.status == S.SUBMITTED and corrected.handler is None and corrected.resident_message == ""
    event = SubmissionEvent.objects.get(submission=corrected, action="correct")
    assert event.user is None and event.changes == {"residence_street": {"before": "八一路12号", "after": "八一路14号"}}
    assert SubmissionEvent.objects.filter(submission=corrected, action="resubmit").exists()
    assert SubmissionLogEntry.objects.filter(submission=corrected, action="forms_intake.correct").exists()
    assert CorrectionRequest.objects.get(submission=corrected).corrected_at is not None

    detail = staff.get(reverse("forms_intake_submission:inspect", args=[corrected.pk])).content.decode()
    assert "八一路12号" in detail and "八一路14号" in detail and str(correction_requests.RESIDENT_NOTE) in detail
    assert gettext("the resident (online)") in detail  # who corrected it, not "system"

    # Done once: the same session (and a new look-up) cannot correct it again.
    assert "data-correction-form" not in client.get(URL).content.decode()


def test_a_wrong_code_is_refused_and_attempts_are_limited(client, returned):
    _lookup(client, returned.reference, ID_NUMBER)
    code = _code_from_sms()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(URL, {"stage": "code", "code": wrong})
    assert response.status_code == 200 and str(correction_module.WRONG_CODE) in response.content.decode()
    assert "data-correction-form" not in client.get(URL).content.decode()
    for _attempt in range(correction_module.CODE_ATTEMPTS - 1):
        response = client.post(URL, {"stage": "code", "code": wrong})
    assert "data-code-spent" in response.content.decode()
    # The right code no longer works: the resident must start again (and gets a new code).
    response = client.post(URL, {"stage": "code", "code": code})
    assert response.status_code != 302
    assert Submission.objects.get(pk=returned.pk).status == S.RETURNED


def test_an_expired_code_is_refused(client, returned):
    _lookup(client, returned.reference, ID_NUMBER)
    code = _code_from_sms()
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(URL, {"stage": "code", "code": code})
    assert response.status_code == 200 and "data-code-spent" in response.content.decode()
    assert "data-correction-form" not in client.get(URL).content.decode()


def test_changing_a_field_that_was_not_requested_is_refused(client, returned):
    _verified(client, returned)
    response = client.post(URL, {
        "stage": "form", "address-residence_street": "八一路14号", "employment-employment_status": "unemployed",
        "identity-name": "李四", "address-residence_village": "别的社区",
    })
    assert response.status_code == 400
    assert str(correction_requests.NOT_REQUESTED) in response.content.decode()
    unchanged = Submission.objects.get(pk=returned.pk)
    assert (unchanged.name, unchanged.residence_village) == ("张三", "韶山路社区")
    assert unchanged.residence_street == "八一路12号"
    assert unchanged.status == S.RETURNED


def test_the_service_refuses_fields_that_were_not_requested(returned):
    request = correction_requests.open_request(returned)
    with pytest.raises(correction_requests.CorrectionRefused):
        correction_requests.correct_by_resident(returned.pk, request.pk, {"name": "李四"})
    assert Submission.objects.get(pk=returned.pk).name == "张三"


def test_the_wizard_rules_apply(client, returned):
    _verified(client, returned)
    response = client.post(URL, {
        "stage": "form", "address-residence_street": "八一路12号", "employment-employment_status":
            "employed_in_province", "employment-employer_name": "",
    })
    body = response.content.decode()
    assert response.status_code == 200 and "data-error-summary" in body
    assert gettext("Enter the name of the employer (工作单位名称).") in body
    assert Submission.objects.get(pk=returned.pk).status == S.RETURNED


def test_nothing_changed_is_not_a_correction(client, returned):
    _verified(client, returned)
    response = client.post(URL, {
        "stage": "form", "address-residence_street": "八一路12号", "employment-employment_status": "unemployed",
    })
    assert str(correction_requests.NOTHING_CHANGED) in response.content.decode()
    assert Submission.objects.get(pk=returned.pk).status == S.RETURNED


def _answer(response):
    body = response.content.decode()
    start = body.index("<main")
    return body[start: body.index("<form", start)]


def test_wrong_pairs_get_the_same_answer_as_the_right_one_and_no_code(client, returned):
    other = make_submission(id_number=make_id_number(sequence=418))  # waiting, not returned
    answers = set()
    for reference, id_number in [
        (returned.reference, make_id_number(sequence=419)),  # wrong ID number
        ("HN-AAAA-AAAA-AAA", ID_NUMBER),  # unknown reference
        (other.reference, make_id_number(sequence=418)),  # right pair, but nothing to correct
    ]:
        answers.add(_answer(_lookup(Client(), reference, id_number)))
    assert sms.outbox == []
    answers.add(_answer(_lookup(Client(), returned.reference, ID_NUMBER)))
    assert len(sms.outbox) == 1
    assert len(answers) == 1
    # And no code can open a form for a wrong pair.
    fresh = Client()
    _lookup(fresh, returned.reference, make_id_number(sequence=419))
    response = fresh.post(URL, {"stage": "code", "code": _code_from_sms()})
    assert response.status_code == 200 and str(correction_module.WRONG_CODE) in response.content.decode()


def test_no_personal_data_in_urls_or_the_session(client, returned):
    response = _lookup(client, returned.reference, ID_NUMBER)
    assert ID_NUMBER not in response.get("Location", "")
    state = client.session[correction_module.SESSION_KEY]
    assert set(state) == {"pk", "expires", "attempts", "verified_until"}  # the code is hashed in the database
    assert ID_NUMBER not in str(dict(client.session)) and returned.phone not in str(dict(client.session))


def test_the_lookup_is_rate_limited(client, returned, monkeypatch):
    cache.clear()  # counters of earlier tests' lookups (Redis keeps them for the whole run)
    monkeypatch.setattr(correction_module, "CLIENT_LIMIT", 2)
    for _attempt in range(2):
        assert _lookup(client, "HN-AAAA-AAAA-AAA", ID_NUMBER).status_code == 200
    assert _lookup(client, "HN-AAAA-AAAA-AAA", ID_NUMBER).status_code == 429


def test_the_correction_page_speaks_english_too(client, registration_site):
    response = client.get("/en" + URL)
    body = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in body
    assert "Correct a returned registration" in body and "no-store" in response["Cache-Control"]
