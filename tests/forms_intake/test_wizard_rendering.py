"""What a resident sees of the wizard's fields: labels, hints, errors linked to their field, required and
optional markers, the cascading division selects, escaping and elder mode.

The fields are Django's widgets rendered with Django's own templates (forms_intake.steps.fields.StepFormRenderer,
Django's Jinja2 form renderer) inside the field group template forms_intake/jinja2/forms_intake/includes/field.html.
"""

from html.parser import HTMLParser

import pytest
from django.utils import translation

from forms_intake.models import Division
from forms_intake.steps import forms as steps
from forms_intake.wizard.view import REFRESH_BUTTON

from .wizard_support import CHANGSHA, FURONG, HUNAN, employed_self_answers, step_post

pytestmark = pytest.mark.django_db

FORM_TAGS = {"input", "select", "textarea"}


class Page(HTMLParser):
    """The elements of a page with their attributes and text: enough to read it as a screen reader would."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []  # [tag, attrs, text]
        self._open = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in {"input", "meta", "link", "br", "img"}:
            self._open.append(element)

    def handle_endtag(self, tag):
        for position in range(len(self._open) - 1, -1, -1):
            if self._open[position][0] == tag:
                del self._open[position:]
                break

    def handle_data(self, data):
        for element in self._open:
            element[2] += data

    def find(self, tag=None, **attrs):
        return [
            (t, a, text) for t, a, text in self.elements
            if (tag is None or t == tag) and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def one(self, tag=None, **attrs):
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]

    def text_of(self, element_id):
        return " ".join(self.one(id=element_id)[2].split())

    def label_for(self, element_id):
        return " ".join(self.one("label", **{"for": element_id})[2].split())

    def fields(self, step):
        """The visible form controls of the wizard's step `step` (not the site search, not hidden inputs)."""
        return [
            (t, a, text) for t, a, text in self.elements
            if t in FORM_TAGS and a.get("type") != "hidden" and a.get("name", "").startswith(f"{step}-")
        ]


def walk_to(client, step, base="/register/"):
    """Answer every step before `step` (employed resident registering themself)."""
    client.get(f"{base}step/filer/")
    for name, data in employed_self_answers():
        if name == step:
            return
        response = client.post(f"{base}step/{name}/", step_post(name, data))
        assert response.status_code == 302, (name, response.status_code)


STEPS = [name for name, _data in employed_self_answers()]


@pytest.mark.parametrize("base", ["/register/", "/en/register/"])
@pytest.mark.parametrize("step", STEPS)
def test_every_field_of_every_step_is_labelled_with_its_annex_2_wording(client, registration_site, base, step):
    walk_to(client, step, base)
    response = client.get(f"{base}step/{step}/")
    assert response.status_code == 200
    page = Page(response.content.decode())
    form = response.context["form"]
    language = "en" if base.startswith("/en/") else "zh-hans"
    with translation.override(language):
        expected = {name: str(field.label) for name, field in form.fields.items()}
    shown = page.fields(step)
    assert shown, step
    for _tag, attrs, _text in shown:
        name = attrs["name"].removeprefix(f"{step}-")
        label = page.label_for(attrs["id"])
        if attrs.get("type") == "radio":
            # Each button is labelled with its choice; the group with the field's label (legend).
            assert label, (step, attrs["id"])
            legends = [" ".join(text.split()) for _t, _a, text in page.find("legend")]
            assert expected[name] in legends, (step, name, legends)
        else:
            assert label.startswith(expected[name]), (step, name, label)


def test_hints_and_errors_are_linked_to_their_field(client, registration_site):
    walk_to(client, "identity")
    response = client.post("/register/step/identity/", step_post("identity", {"name": "", "id_number": "123"}))
    assert response.status_code == 200
    page = Page(response.content.decode())
    id_number = page.one("input", name="identity-id_number")[1]
    assert id_number["aria-invalid"] == "true"
    described = id_number["aria-describedby"].split()
    assert described == ["id_identity-id_number_helptext", "id_identity-id_number_error"]
    assert "18" in page.text_of("id_identity-id_number_helptext")
    assert page.text_of("id_identity-id_number_error").startswith("错误：")
    name = page.one("input", name="identity-name")[1]
    assert name["aria-describedby"] == "id_identity-name_error"
    message = str(response.context["form"].errors["name"][0])
    assert page.text_of("id_identity-name_error") == f"错误： {message}"
    # The group of each field in error is marked, and only those.
    groups = [a["class"] for t, a, _x in page.find("div") if "form-group" in a.get("class", "").split()]
    assert sum("form-group--error" in c for c in groups) == len(response.context["form"].errors)


def test_a_radio_group_in_error_names_the_error_on_its_fieldset(client, registration_site):
    client.get("/en/register/step/filer/")
    response = client.post("/en/register/step/filer/", step_post("filer", {"intent": "on"}))
    page = Page(response.content.decode())
    fieldsets = [a for _t, a, _x in page.find("fieldset") if "id_filer-filing_for_error" in a.get(
        "aria-describedby", "").split()]
    assert len(fieldsets) == 1
    assert "Choose one of the options." in page.text_of("id_filer-filing_for_error")
    # The error summary links to the first radio button, which exists.
    assert page.find("a", href="#id_filer-filing_for_0")
    assert page.one("input", id="id_filer-filing_for_0")[1]["type"] == "radio"


@pytest.mark.parametrize(("base", "optional"), [("/register/", "（选填）"), ("/en/register/", "(optional)")])
def test_optional_fields_say_so_and_required_ones_are_required(client, registration_site, base, optional):
    walk_to(client, "address", base)
    page = Page(client.get(f"{base}step/address/").content.decode())
    assert page.label_for("id_address-residence_street").endswith(optional)
    assert "required" not in page.one("input", name="address-residence_street")[1]
    assert not page.label_for("id_address-residence_village").endswith(optional)
    assert "required" in page.one("input", name="address-residence_village")[1]
    # Division selects are required in clean() (a level may be empty): no marker, and aria-required.
    for level in ("province", "city", "county", "town"):
        assert not page.label_for(f"id_address-residence_{level}").endswith(optional)
        assert page.one("select", name=f"address-residence_{level}")[1]["aria-required"] == "true"


def options(page, name):
    """[(value, label, selected)] of the select `name`."""
    select = page.one("select", name=name)
    position = next(i for i, element in enumerate(page.elements) if element[1] is select[1])
    found = []
    for tag, attrs, text in page.elements[position + 1:]:
        if tag != "option":
            break
        found.append((attrs["value"], text.strip(), "selected" in attrs))
    return found


def test_the_division_lists_follow_the_level_above_without_javascript(client, registration_site):
    walk_to(client, "address")
    page = Page(client.get("/register/step/address/").content.decode())
    province = page.one("select", name="address-hukou_province")[1]
    assert (province["data-division-group"], province["data-division-level"]) == ("hukou", "province")
    provinces = options(page, "address-hukou_province")
    assert provinces[0][:2] == ("", "请选择…")
    assert (HUNAN, "湖南省", False) in provinces
    assert [option[:2] for option in options(page, "address-hukou_city")] == [("", "请先选择上一级")]

    # "Update the lists" after choosing the province and city: the next levels offer their places.
    data = step_post("address", {"hukou_province": HUNAN, "hukou_city": CHANGSHA})
    data[REFRESH_BUTTON] = "1"
    response = client.post("/register/step/address/", data, follow=True)
    page = Page(response.content.decode())
    assert (HUNAN, "湖南省", True) in options(page, "address-hukou_province")
    assert (CHANGSHA, "长沙市", True) in options(page, "address-hukou_city")
    counties = options(page, "address-hukou_county")
    assert counties[0][:2] == ("", "请选择…") and (FURONG, "芙蓉区", False) in counties
    assert all(value.startswith("4301") for value, _label, _selected in counties[1:])


def test_a_new_division_is_offered_at_once(registration_site):
    data = {"address-residence_province": HUNAN, "address-residence_city": CHANGSHA,
            "address-residence_county": FURONG}
    with translation.override("zh-hans"):
        assert "测试新街道" not in str(steps.AddressForm(data=data, prefix="address")["residence_town"])
        Division.objects.create(code="430102999", name="测试新街道", level=4, parent_id=FURONG)
        assert "测试新街道" in str(steps.AddressForm(data=data, prefix="address")["residence_town"])


def test_answers_are_shown_escaped(client, registration_site):
    walk_to(client, "identity")
    hostile = '"><script>alert(1)</script>'
    response = client.post("/register/step/identity/", step_post("identity", {"name": hostile, "id_number": ""}))
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert Page(body).one("input", name="identity-name")[1]["value"] == hostile


def test_a_division_select_is_a_copy_of_its_own(registration_site):
    first = steps.AddressForm(prefix="address")
    second = steps.AddressForm(prefix="address")
    first.fields["hukou_province"].widget.attrs["data-test"] = "changed"
    first.fields["hukou_province"].label = "changed"
    assert "data-test" not in second.fields["hukou_province"].widget.attrs
    assert second.fields["hukou_province"].label != "changed"
    assert "data-test" not in str(steps.AddressForm(prefix="address")["hukou_province"])


def test_elder_mode_shows_the_same_labelled_fields(client, registration_site):
    walk_to(client, "employment")
    plain = Page(client.get("/register/step/employment/").content.decode())
    client.cookies["elder_mode"] = "1"
    body = client.get("/register/step/employment/").content.decode()
    assert '<body class="elder-mode ' in body and "/static/css/elder.css" in body
    elder = Page(body)
    assert [(t, a.get("name"), a.get("id")) for t, a, _x in elder.fields("employment")] == [
        (t, a.get("name"), a.get("id")) for t, a, _x in plain.fields("employment")
    ]
    assert [elder.label_for(a["id"]) for _t, a, _x in elder.fields("employment")] == [
        plain.label_for(a["id"]) for _t, a, _x in plain.fields("employment")
    ]


def test_the_status_lookup_fields_have_labels_and_hints(client, registration_site):
    page = Page(client.get("/en/status/").content.decode())
    reference = page.one("input", name="reference")[1]
    assert page.label_for(reference["id"]) == "Reference number"
    assert "HN-7K3M-Q9PX-TW4" in page.text_of(reference["aria-describedby"])
