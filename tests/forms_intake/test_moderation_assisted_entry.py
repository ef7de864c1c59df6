"""Assisted entry of a paper Annex 2 in the admin: the wizard's validation, channel and staff recorded."""

import re

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


# ---- issue 13: the employer's name from the registry (script on the page; the pair checked without it) ----

CREDIT_CODE = "91430100MA4L16JX8F"
EMPLOYER = "长沙市某某科技有限公司"


def _employed_paper_form(unit_name, unit_code=CREDIT_CODE):
    return _paper_form(**{
        "employment-employment_status": "employed_in_province", "employment-employer_name": unit_name,
        "workplace-employer_province": "430000", "workplace-employer_city": "430100",
        "workplace-employer_county": "430102", "workplace-employer_town": TOWNSHIP_A,
        "unit-unit_type": "employer", "unit-unit_name": unit_name, "unit-unit_code": unit_code,
    })


@pytest.fixture
def employer(db):
    from forms_intake.models import DataImport, Employer

    data_import = DataImport.objects.create(kind="employer", file_name="employers.csv", sha256="0" * 64)
    return Employer.objects.create(credit_code=CREDIT_CODE, organization_code="123456788", name=EMPLOYER,
                                   division_code="430102", data_import=data_import)


def test_a_code_and_name_that_disagree_are_refused_with_the_registrys_name(client, handler, employer):
    client.force_login(handler)
    response = client.post(reverse(URL), _employed_paper_form("别的公司"))
    assert response.status_code == 200
    errors = {name: form.errors for _title, name, form in response.context["sections"] if form.is_bound}
    assert [e.code for e in errors["unit"].as_data()["unit_name"]] == ["employer_mismatch"]
    assert f"“{EMPLOYER}”" in response.content.decode()  # says which name the code belongs to
    assert not Submission.objects.exists()
    # The organisation code inside the credit code, with the registry's name: saved.
    response = client.post(reverse(URL), _employed_paper_form(EMPLOYER, unit_code="12345678-8"))
    assert response.status_code == 302, [(n, f.errors) for _t, n, f in response.context["sections"] if f.errors]
    assert Submission.objects.get().unit_name == EMPLOYER


def test_the_paper_form_loads_the_wizards_employer_lookup_script_beside_the_code_field(client, handler):
    client.force_login(handler)
    script = "forms_intake/js/employer_lookup.js"
    data = _employed_paper_form("某某科技", unit_code="")
    del data["save"]
    data["refresh"] = "1"
    page = client.post(reverse(URL), data).content.decode()
    code_input = re.search(r'<input[^>]*name="unit-unit_code"[^>]*>', page).group(0)
    assert page.count(script) == 1 and 'type="text"' in code_input  # the script finds a code to read
