"""The step forms on their own: each field's rules and the cross-step rules they are given."""

from datetime import date

import pytest

from forms_intake.steps.forms import EmploymentForm, FilerForm, IdentityForm, ProxyForm, ReasonForm, UnitForm

from .wizard_support import ADULT_ID, CHILD_ID, MOBILE, PARENT_ID, make_id


def bound(form_class, data, **context):
    prefix = "step"
    return form_class(data={f"{prefix}-{k}": v for k, v in data.items()}, prefix=prefix, wizard_context=context)


def test_filer_needs_a_choice_and_the_declaration_of_intent():
    form = bound(FilerForm, {"filing_for": "self"})
    assert not form.is_valid()
    assert list(form.errors) == ["intent"]
    assert bound(FilerForm, {"filing_for": "other", "intent": "on"}).is_valid()


@pytest.mark.parametrize(
    "typed",
    [make_id(birth="19850707", sequence="002"), ADULT_ID, ADULT_ID[:6] + " " + ADULT_ID[6:]],
)
def test_identity_accepts_valid_id_numbers(typed):
    form = bound(IdentityForm, {"name": "买买提·艾力", "id_number": typed, "phone": MOBILE})
    assert form.is_valid(), form.errors


def test_identity_accepts_a_final_x_in_either_case():
    x_id = next(n for n in (make_id(sequence=f"{i:03d}") for i in range(200)) if n.endswith("X"))
    for typed in (x_id, x_id.lower()):
        form = bound(IdentityForm, {"name": "张三", "id_number": typed, "phone": "0731-84567890"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["id_number"] == x_id
        assert form.cleaned_data["phone"] == "+8673184567890"


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        (ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1"), "invalid_checksum"),
        (make_id(birth="19900230"), "invalid_birth_date"),
        (make_id(birth="20990101"), "birth_date_in_future"),
        (make_id(region="990102"), "invalid_province"),
    ],
)
def test_identity_rejects_invalid_id_numbers(id_number, code):
    form = bound(IdentityForm, {"name": "张三", "id_number": id_number, "phone": MOBILE})
    assert not form.is_valid()
    assert form.errors.as_data()["id_number"][0].code == code


def test_identity_accepts_a_historical_county_code():
    # 430121 (长沙县's old code before a renumbering) is not a county today; the ID keeps it.
    form = bound(IdentityForm, {"name": "张三", "id_number": make_id(region="439999"), "phone": MOBILE})
    assert form.is_valid(), form.errors


def test_proxy_cannot_use_the_registrants_id_number():
    data = {"proxy_name": "李大明", "proxy_phone": MOBILE, "proxy_id_number": CHILD_ID, "proxy_relationship": "parent"}
    form = bound(ProxyForm, data, id_number=CHILD_ID)
    assert not form.is_valid()
    assert form.errors.as_data()["proxy_id_number"][0].code == "same_as_registrant"
    assert bound(ProxyForm, {**data, "proxy_id_number": PARENT_ID}, id_number=CHILD_ID).is_valid()


def test_employed_needs_the_employer_name():
    form = bound(EmploymentForm, {"employment_status": "employed_out_of_province"}, birth_date=date(1990, 1, 1))
    assert not form.is_valid()
    assert list(form.errors) == ["employer_name"]


def test_employer_name_is_dropped_when_not_employed():
    data = {"employment_status": "unemployed", "employer_name": "旧单位"}
    form = bound(EmploymentForm, data, birth_date=date(1990, 1, 1))
    assert form.is_valid()
    assert form.cleaned_data["employer_name"] == ""


@pytest.mark.parametrize(
    ("status", "birth", "code"),
    [
        ("preschool", date(1985, 1, 1), "preschool_age"),
        ("student", date(1950, 1, 1), "student_age"),
        ("unemployed", date.today().replace(year=date.today().year - 10), "working_age"),
    ],
)
def test_a_status_impossible_for_the_age_explains_itself(status, birth, code):
    form = bound(EmploymentForm, {"employment_status": status}, birth_date=birth)
    assert not form.is_valid()
    error = form.errors.as_data()["employment_status"][0]
    assert error.code == code
    assert str(error.params["age"]) in form.errors["employment_status"][0]


def test_a_preschool_child_and_a_student_of_their_age_are_fine():
    assert bound(EmploymentForm, {"employment_status": "preschool"}, birth_date=date(2022, 6, 1)).is_valid()
    assert bound(EmploymentForm, {"employment_status": "student"}, birth_date=date(2008, 1, 1)).is_valid()


def test_other_reason_needs_a_description():
    form = bound(ReasonForm, {"not_insured_reason": "other", "service_bank": "icbc"})
    assert list(form.errors) == ["not_insured_reason_other"]
    data = {"not_insured_reason": "other", "not_insured_reason_other": "刚回国", "service_bank": "icbc"}
    assert bound(ReasonForm, data).is_valid()


def test_the_ten_banks_of_the_form_are_offered():
    form = ReasonForm(prefix="reason")
    assert [label for _value, label in form.fields["service_bank"].choices] == [
        "工行", "农行", "中行", "建行", "中信银行", "交通银行", "华融湘江银行", "邮政银行", "农信社", "长沙银行",
    ]


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91430100MA4L16JX8F", True),
        ("91430100MA4L16JX8J", False),
        ("D2143569-X", True),
        ("D21435690", False),
        ("123", False),
    ],
)
@pytest.mark.django_db  # a valid code is also checked against the employer registry (empty here)
def test_employer_unit_codes_are_checked(code, valid):
    form = bound(UnitForm, {"unit_type": "employer", "unit_name": "某公司", "unit_code": code}, employed=True)
    assert form.is_valid() is valid, form.errors


def test_the_community_unit_defaults_to_the_residence_village():
    form = bound(UnitForm, {"unit_type": "community", "unit_name": ""}, employed=False, village="八一路社区")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit_name"] == "八一路社区"


def test_someone_without_an_employer_cannot_choose_the_employer_unit():
    form = bound(UnitForm, {"unit_type": "employer", "unit_name": "某公司", "unit_code": "D2143569X"}, employed=False)
    assert not form.is_valid()
    assert "unit_type" in form.errors
