"""Assisted entry of a paper Annex 2 in the admin: the wizard's validation, channel and staff recorded."""

import pytest
from django.urls import reverse

from forms_intake.models import Submission, SubmissionEvent
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_id_number, make_staff

pytestmark = pytest.mark.django_db

URL = "forms_intake_submission:add"


def _paper_form(**overrides):
    data = {
        "staff-channel": "door_to_door",
        "staff-signed": "on",
        "identity-name": "刘大妈",
        "identity-id_number": make_id_number(born="19600101", sequence=222),
        "identity-phone": "13800001234",
        "employment-employment_status": "unemployed",
        "address-hukou_province": "430000",
        "address-hukou_city": "430100",
        "address-hukou_county": "430102",
        "address-residence_province": "430000",
        "address-residence_city": "430100",
        "address-residence_county": "430102",
        "address-residence_town": TOWNSHIP_A,
        "address-residence_village": "韶山路社区",
        "reason-not_insured_reason": "personal",
        "reason-service_bank": "icbc",
        "unit-unit_type": "community",
        "unit-unit_name": "",
        "save": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def handler(db):
    make_divisions()
    return make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A])


def test_a_paper_form_is_stored_with_channel_and_handler_recorded(client, handler):
    client.force_login(handler)
    assert client.get(reverse(URL)).status_code == 200
    response = client.post(reverse(URL), _paper_form())
    assert response.status_code == 302, response.context and [
        (n, f.errors) for _t, n, f in response.context["sections"] if f.is_bound and f.errors
    ]
    submission = Submission.objects.get(name="刘大妈")
    assert submission.channel == "door_to_door"
    assert submission.queue_code == TOWNSHIP_A
    event = SubmissionEvent.objects.get(submission=submission, action="assisted_entry")
    assert event.user == handler
    assert response["Location"] == reverse("forms_intake_submission:inspect", args=[submission.pk])


def test_the_wizard_rules_apply(client, handler):
    client.force_login(handler)
    valid = make_id_number(born="19600101", sequence=223)
    wrong_check_digit = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    response = client.post(
        reverse(URL),
        _paper_form(**{"identity-id_number": wrong_check_digit, "employment-employment_status": "preschool",
                       "staff-signed": ""}),
    )
    assert response.status_code == 200
    errors = {name: form.errors for _title, name, form in response.context["sections"] if form.is_bound}
    assert "id_number" in errors["identity"]
    assert response.context["staff_form"].errors["signed"]
    assert not Submission.objects.exists()


def test_employment_status_is_checked_against_the_age_in_the_id(client, handler):
    client.force_login(handler)
    response = client.post(reverse(URL), _paper_form(**{"employment-employment_status": "preschool"}))
    assert response.status_code == 200
    errors = {name: form.errors for _title, name, form in response.context["sections"] if form.is_bound}
    assert "employment_status" in errors["employment"]
    assert not Submission.objects.exists()


def test_update_the_lists_saves_nothing(client, handler):
    client.force_login(handler)
    data = _paper_form()
    del data["save"]
    data["refresh"] = "1"
    response = client.post(reverse(URL), data)
    assert response.status_code == 200
    assert not Submission.objects.exists()


def test_reviewers_and_editors_cannot_enter_forms(client, handler):
    for role, username in ((roles.REVIEWER, "reviewer_a"), (roles.EDITOR, "editor")):
        client.force_login(make_staff(username, role, [TOWNSHIP_A] if role == roles.REVIEWER else []))
        assert client.post(reverse(URL), _paper_form()).status_code in (302, 403)
    assert not Submission.objects.exists()
