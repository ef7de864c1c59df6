"""Hostile input on the online correction (issue 14): codes and corrected fields get messages, never a 500,
and nothing but the requested fields can ever come out of the form."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms_intake.models import Submission
from forms_intake.rules.choices import EmploymentStatus
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.wizard.correction_forms import CorrectionForms
from tests.forms_intake.moderation_support import make_id_number, make_submission

pytestmark = pytest.mark.django_db

REQUESTED = ["employment_status", "employer_name", "residence_street"]
ODD = ["", "\x00", "<script>alert(1)</script>", "八一\u202e路", "x" * 5000]
ANY_TEXT = st.text(max_size=300) | st.sampled_from(ODD)


@pytest.fixture
def submission(db):
    return make_submission(id_number=make_id_number(sequence=433), status=S.RETURNED, residence_street="八一路12号")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from(EmploymentStatus.values) | ANY_TEXT,
    employer=ANY_TEXT,
    street=ANY_TEXT,
    extra=st.dictionaries(st.sampled_from(["identity-name", "identity-phone", "address-residence_village",
                                           "reason-service_bank", "address-hukou_province"]), ANY_TEXT, max_size=2),
)
def test_any_input_is_a_message_or_only_the_requested_fields(submission, status, employer, street, extra):
    data = {"employment-employment_status": status, "employment-employer_name": employer,
            "address-residence_street": street, **extra}
    corrections = CorrectionForms(submission, REQUESTED, data=data)
    if corrections.is_valid():
        assert not extra
        values = corrections.new_values()
        assert set(values) == set(REQUESTED)
        assert values["employment_status"] in EmploymentStatus.values
        assert "\x00" not in values["residence_street"] and len(values["residence_street"]) <= 100
    else:
        assert corrections.refused == bool(extra)
        assert corrections.error_items()


@pytest.mark.parametrize("code", ["１２３４５６", "12345\x00", "1" * 10_000, "<b>123456</b>", "", "12 34 56x"])
def test_hostile_codes_are_messages(client, registration_site, code):
    from tests.forms_intake.test_online_correction import URL

    client.post(URL, {"stage": "lookup", "reference": "HN-AAAA-AAAA-AAA", "id_number": make_id_number(sequence=1)})
    response = client.post(URL, {"stage": "code", "code": code})
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()


@pytest.mark.parametrize(
    "values",
    [
        {"stage": "lookup", "reference": "x" * 5000, "id_number": "\x00"},
        {"stage": "lookup", "reference": "<script>", "id_number": "４３０１０２"},
        {"stage": "nonsense"},
        {},
    ],
)
def test_hostile_lookups_are_messages(client, registration_site, values):
    from tests.forms_intake.test_online_correction import URL

    response = client.post(URL, values)
    assert response.status_code == 200
    assert Submission.objects.filter(status=S.SUBMITTED).count() == 0
