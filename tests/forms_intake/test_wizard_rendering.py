"""The wizard's widgets are written in Python (forms.WidgetRenderer): the HTML must be Django's, byte for byte."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from forms_intake import forms as steps

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
