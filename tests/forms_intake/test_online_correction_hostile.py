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
from tests.forms_intake.test_online_correction import URL, _verified, handler, returned, staff  # noqa: F401

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


# ---- the correction pages through the views (issue 14: lookup, code entry, the form), never a 500 ----

HOSTILE_TEXT = st.text(max_size=60) | st.sampled_from(
    ["<script>alert(1)</script>", "' OR '1'='1", "\x00" * 6, "１２３４５６", "9" * 5000, "HN-AAAA-AAAA-AAA\r\nX: 1"])
VIEW_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def test_hostile_lookups_and_codes_through_the_views(client, returned, no_rate_limit):  # noqa: F811 - fixture
    @VIEW_SETTINGS
    @given(stage=st.sampled_from(["lookup", "code", "form", "", "<x>"]) | HOSTILE_TEXT,
           reference=HOSTILE_TEXT | st.just(returned.reference), id_number=HOSTILE_TEXT, code=HOSTILE_TEXT)
    def post(stage, reference, id_number, code):
        response = client.post(URL, {"stage": stage, "reference": reference, "id_number": id_number, "code": code})
        assert response.status_code == 200, response.status_code
        assert "data-correction-form" not in response.content.decode()  # no way in without the right pair and code

    post()
    assert Submission.objects.get(pk=returned.pk).status == S.RETURNED


def test_hostile_corrections_through_the_view_change_only_the_requested_fields(
    client, returned, no_rate_limit  # noqa: F811 - the fixture imported above
):
    assert "data-correction-form" in _verified(client, returned).content.decode()
    before = Submission.objects.get(pk=returned.pk)

    @VIEW_SETTINGS
    @given(status=st.sampled_from(EmploymentStatus.values) | ANY_TEXT, employer=ANY_TEXT, street=ANY_TEXT,
           extra=st.dictionaries(st.sampled_from(["identity-name", "identity-phone", "address-residence_village"]),
                                 ANY_TEXT, max_size=2))
    def post(status, employer, street, extra):
        response = client.post(URL, {"stage": "form", "employment-employment_status": status,
                                     "employment-employer_name": employer, "address-residence_street": street,
                                     **extra})
        assert response.status_code in (200, 400), response.status_code
        after = Submission.objects.get(pk=returned.pk)
        assert (after.name, after.phone, after.residence_village) == (
            before.name, before.phone, before.residence_village)

    post()


@pytest.fixture
def no_rate_limit(settings):
    """No rate limit here: the examples hammer one client on purpose (the limits have tests of their own)."""
    settings.RATELIMIT_ENABLED = False
