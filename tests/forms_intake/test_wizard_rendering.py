"""The wizard writes its widgets and field groups in Python (forms.WidgetRenderer, DivisionSelect,
StepBoundField.wizard_html): the HTML must be that of Django's widget templates and of includes/field.html,
byte for byte."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils import translation

from forms_intake.steps import forms as steps

from .wizard_support import ADULT_ID, CHANGSHA, FURONG, FURONG_TOWN, HUNAN, address_answers

pytestmark = pytest.mark.django_db

DJANGO = DjangoTemplates()

CASES = [
    (steps.FilerForm, "filer", {}, {"filing_for": "self", "intent": "on"}),
    (steps.FilerForm, "filer", {}, {"filing_for": "<b>&\"'"}),
    (steps.IdentityForm, "identity", {"is_proxy": True}, {"name": "张三", "id_number": ADULT_ID, "phone": "138"}),
    (steps.IdentityForm, "identity", {}, {"name": '"><script>alert(1)</script>', "id_number": "", "phone": ""}),
    (steps.EmploymentForm, "employment", {}, {"employment_status": "employed_in_province", "employer_name": "某公司"}),
    (steps.AddressForm, "address", {}, address_answers()),
    (steps.AddressForm, "address", {}, address_answers(residence_city="", residence_county="x&y")),
    (steps.WorkplaceForm, "workplace", {}, {"employer_province": HUNAN, "employer_city": CHANGSHA,
                                            "employer_county": FURONG, "employer_town": FURONG_TOWN}),
    (steps.ReasonForm, "reason", {}, {"not_insured_reason": "other", "service_bank": "icbc"}),
    (steps.UnitForm, "unit", {"employed": False, "village": "八一路社区"}, {"unit_type": "community"}),
    (steps.UnitForm, "unit", {"employed": True}, {"unit_type": "employer", "unit_code": "91430100MA4L16JX8F"}),
    (steps.ReviewForm, "review", {}, {"confirm_true": "on"}),
]


def rendered(form):
    """Every widget of the form as the templates show it: whole widgets, and each radio button on its own."""
    parts = []
    for bound_field in form:
        parts.append(str(bound_field))
        for option in bound_field.subwidgets:
            parts += [option.tag(), str(option)]
    return parts


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("form_class", "prefix", "context", "answers"), CASES)
@pytest.mark.parametrize("bound", [True, False], ids=["answered", "empty"])
def test_widgets_are_the_html_of_djangos_templates(registration_site, language, form_class, prefix, context,
                                                   answers, bound):
    data = {f"{prefix}-{key}": value for key, value in answers.items()} if bound else None
    with translation.override(language):
        ours = form_class(data=data, prefix=prefix, wizard_context=context)
        theirs = form_class(data=data, prefix=prefix, wizard_context=context, renderer=DJANGO)
        if bound:
            ours.is_valid()
            theirs.is_valid()
        assert rendered(ours) == rendered(theirs)
        assert ours.renderer is steps.WIDGET_RENDERER


def test_a_division_select_is_a_copy_of_its_own(registration_site):
    first = steps.AddressForm(prefix="address")
    second = steps.AddressForm(prefix="address")
    first.fields["hukou_province"].widget.attrs["data-test"] = "changed"
    first.fields["hukou_province"].label = "changed"
    assert "data-test" not in second.fields["hukou_province"].widget.attrs
    assert second.fields["hukou_province"].label != "changed"
    assert "data-test" not in str(steps.AddressForm(prefix="address")["hukou_province"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("form_class", "prefix", "context", "answers"), CASES)
@pytest.mark.parametrize("bound", [True, False], ids=["answered", "empty"])
def test_each_field_group_is_the_html_of_the_field_template(registration_site, language, form_class, prefix, context,
                                                             answers, bound):
    data = {f"{prefix}-{key}": value for key, value in answers.items()} if bound else None
    template = get_template("forms_intake/includes/field.html")
    with translation.override(language):
        form = form_class(data=data, prefix=prefix, wizard_context=context)
        if bound:
            form.is_valid()
        for bound_field in form:
            assert bound_field.wizard_html == template.render({"field": bound_field}), bound_field.name


def test_errors_hints_and_hidden_fields_are_written_like_the_template(registration_site):
    template = get_template("forms_intake/includes/field.html")
    forms = [
        steps.FilerForm(data={"filer-filing_for": "nobody"}, prefix="filer"),
        steps.ReasonForm(data={"reason-not_insured_reason": "other"}, prefix="reason"),
        steps.UnitForm(data={"unit-unit_type": "employer"}, prefix="unit", wizard_context={"employed": True}),
        steps.UnitForm(data={}, prefix="unit", wizard_context={"employed": False}),
        steps.IdentityForm(data={"identity-name": "<i>", "identity-id_number": "1" * 40}, prefix="identity"),
        steps.AddressForm(data={"address-hukou_province": "999999"}, prefix="address"),
    ]
    for form in forms:
        assert not form.is_valid()
        for bound_field in form:
            assert bound_field.wizard_html == template.render({"field": bound_field}), bound_field.name
    # The cases above really cover errors with hints and hidden fields.
    assert any(bf.errors and bf.help_text for form in forms for bf in form)
    assert any(bf.field.widget.is_hidden for form in forms for bf in form)
