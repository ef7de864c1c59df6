"""The step forms of the Annex 2 registration wizard (one topic per step).

Each form validates its own fields with the rules in `validators.py`;
cross-step rules get what they need from the wizard as constructor
arguments (the registrant's birth date, ID number, employment…), so the
forms stay plain Django forms that staff entry can reuse.

Labels of Annex 2 fields are the form's verbatim Chinese text (gettext
msgids); other wording uses English msgids.
"""

from __future__ import annotations

import copy
import threading
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import divisions
from .choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank
from .models import Submission
from .validators import (
    _today,
    check_employment_status_for_age,
    normalize_id_number,
    parse_resident_id,
    validate_employer_code,
    validate_person_name,
    validate_phone,
)

EMPLOYED_STATUSES = frozenset({EmploymentStatus.EMPLOYED_IN_PROVINCE, EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE})


def is_employed(status) -> bool:
    """True for 已就业 (in or outside the province)."""
    return status in {s.value for s in EMPLOYED_STATUSES}


def reject_control_characters(value):
    """Refuse control and invisible format characters (pasted from elsewhere or forged)."""
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} for ch in value or ""):
        raise ValidationError(_("Remove the control or invisible characters from this answer."), code="control")


class FilingFor:
    SELF = "self"
    OTHER = "other"
    choices = [
        (SELF, _("For myself")),
        (OTHER, _("For another person, as their proxy (代理人)")),
    ]


def _text(label, max_length, *, required=True, help_text="", autocomplete=None, required_message=None, **attrs):
    """A one-line text field that refuses control characters."""
    widget_attrs = {"maxlength": max_length, **attrs}
    if autocomplete:
        widget_attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={
            "required": required_message or _("Answer this question."),
            "max_length": _("Shorten this answer to at most %(limit_value)d characters (it has %(show_value)d)."),
        },
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _radio(label, choices, *, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={
            "required": _("Choose one of the options."),
            "invalid_choice": _("Choose one of the options shown."),
        },
    )


def _field_messages(kwargs, required):
    """Plain-language messages for an empty or over-long answer."""
    messages = kwargs.setdefault("error_messages", {})
    messages.setdefault("required", required)
    messages.setdefault("max_length", _("This answer is too long: check what you entered."))


class IdNumberField(forms.CharField):
    """身份证号码: 18 characters with a valid check digit, birth date and province."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)  # generous for spaces typed between groups
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "maxlength": 40}
            ),
        )
        kwargs.setdefault("help_text", _("18 characters; the last one may be the letter X."))
        _field_messages(kwargs, _("Enter the resident ID number."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        reject_control_characters(value)
        return parse_resident_id(value).number


class PhoneField(forms.CharField):
    """联系电话: a mainland mobile, or a landline with its area code; cleaned to E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 30})
        )
        kwargs.setdefault(
            "help_text", _("A mobile number, or a landline number with its area code, e.g. 0731-84567890.")
        )
        _field_messages(kwargs, _("Enter a phone number."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        reject_control_characters(value)
        return validate_phone(value)


class NameField(forms.CharField):
    """姓名: Chinese characters (with · in transliterated names) or Latin letters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "name", "maxlength": 60}))
        _field_messages(kwargs, _("Enter the name."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_person_name(value) if value else value


# --------------------------------------------------------------------------
# Cascading division selects
# --------------------------------------------------------------------------


CHOOSE_AGAIN = _("Choose again from the list: it changed with the level above.")


class DivisionSelect(forms.Select):
    """A select that tells wizard.js which level it is and which select it fills.

    It writes its HTML straight from its choices, as Django's select templates would
    (tests/forms_intake/test_wizard_rendering.py compares them): an address step has
    seven of these with a hundred or more options, and Django builds a dictionary per
    option before any template sees it.
    """

    def __init__(self, group, level, **kwargs):
        super().__init__(**kwargs)
        self.attrs.update({"data-division-group": group, "data-division-level": level})

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(renderer, WidgetRenderer) or self.grouped_choices():
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        options = []
        selected_one = False
        for plain, escaped, label in self.escaped_choices():
            # Django's Select marks only the first option with the value as selected.
            selected = not selected_one and plain in values
            selected_one |= selected
            options.append(f'\n  <option value="{escaped}"{" selected" if selected else ""}>{label}</option>\n')
        # escaped_choices() and _attrs() escape every value.
        return mark_safe(  # noqa: S308  # nosec B308 B703
            f'<select name="{conditional_escape(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>'
            f'{"".join(options)}\n</select>'
        )

    def grouped_choices(self):
        return any(isinstance(label, list | tuple) for _value, label in self.choices)

    def escaped_choices(self):
        """[(value, escaped value, escaped label)], kept while the choices and the language stay the same.

        Worked out when a select is built (_division_select), so the copies of it share them.
        """
        language = translation.get_language()
        cached = self.__dict__.get("_escaped")
        if cached is None or cached[0] is not self.choices or cached[1] != language:
            escaped = []
            for value, label in self.choices:
                value = "" if value is None else value
                escaped.append((str(value), conditional_escape(value), conditional_escape(label)))
            cached = self._escaped = (self.choices, language, escaped)
        return cached[2]


LEVEL_LABELS = {
    "province": _("省（自治区、直辖市）"),
    "city": _("市（州）"),
    "county": _("县（市、区）"),
    "town": _("镇（街道）"),
}
# Built selects, per (level, parent, language) and division index: see _division_select(). A
# county's townships take about 8 KB with their escaped options: the bound keeps a worker's
# share under about 8 MB whatever addresses are asked for.
_SELECTS = {"index": None, "fields": {}}
_SELECTS_LOCK = threading.Lock()
_SELECTS_MAX = 1024


def _division_select(group, level, parent):
    """The select of `level` under the code `parent` (None: nothing chosen above) for `group`, and its codes.

    Building a select with its choices is most of the cost of an address step, and every
    request builds several; the division table changes only on deploy, so each select is
    built once per division index (divisions.index()) and language, then copied per form.
    """
    field, codes = _built_select(level, parent)
    copied = copy.copy(field)
    copied.widget = copy.copy(field.widget)
    # Its own attributes (the group's name in place of the blank one: same order, same HTML); shared choices.
    copied.widget.attrs = {**field.widget.attrs, "data-division-group": group}
    return copied, codes


def _built_select(level, parent):
    index = divisions.index()
    key = (level, parent, translation.get_language())
    with _SELECTS_LOCK:
        if _SELECTS["index"] is not index:
            _SELECTS["index"] = index
            _SELECTS["fields"] = {}
        built = _SELECTS["fields"].get(key)
    if built is not None:
        return built
    options = divisions.options_for(level, parent) if level == "province" or parent else []
    placeholder = _("Choose…") if options else _("Choose the level above first")
    field = forms.ChoiceField(
        label=LEVEL_LABELS[level],
        required=False,
        choices=[("", placeholder)] + [(o.code, o.name) for o in options],
        widget=DivisionSelect("", level, attrs={"aria-required": "true"}),
        error_messages={"invalid_choice": CHOOSE_AGAIN},
    )
    # Required in clean() (a level may legitimately be empty), so say so in the label.
    field.show_as_required = True
    field.widget.escaped_choices()
    built = (field, frozenset(o.code for o in options))
    with _SELECTS_LOCK:
        fields = _SELECTS["fields"]
        if len(fields) >= _SELECTS_MAX:
            fields.clear()
        fields[key] = built
    return built


class DivisionFieldsMixin:
    """Adds province → city → county (→ town) selects for each address group of the form.

    `division_groups` maps a group prefix to its depth ("county" or "town").
    Choices of each select come from the value chosen above it (in the
    submitted or stored data, else the initial data), so without JavaScript
    the resident presses "Update the lists" to get the next level's choices.
    `clean()` checks that every chosen code is a child of the one above and
    puts the deepest chosen `Division` in `cleaned_data["<group>_division"]`.
    """

    division_groups: dict[str, str] = {}
    division_labels: dict[str, str] = {}

    def _value(self, name):
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else self.initial.get(name, "")
        return value if isinstance(value, str) else ""

    def add_division_fields(self):
        for group, depth in self.division_groups.items():
            levels = divisions.LEVEL_NAMES[: divisions.LEVEL_NAMES.index(depth) + 1]
            parent = None
            for level in levels:
                name = f"{group}_{level}"
                self.fields[name], codes = _division_select(group, level, parent)
                value = self._value(name)
                parent = value if value in codes else None

    def clean_divisions(self, cleaned_data):
        for group, depth in self.division_groups.items():
            levels = divisions.LEVEL_NAMES[: divisions.LEVEL_NAMES.index(depth) + 1]
            parent = None
            chosen = None
            for level in levels:
                name = f"{group}_{level}"
                if name in self.errors:
                    chosen = None
                    break
                value = cleaned_data.get(name) or ""
                options = divisions.options_for(level, parent) if level == "province" or parent else []
                codes = {o.code for o in options}
                if not value:
                    if options or level == "province":
                        self.add_error(name, ValidationError(_("Choose from the list."), code="required"))
                    chosen = None if (options or level == "province") else chosen
                    break
                if value not in codes:
                    self.add_error(name, ValidationError(CHOOSE_AGAIN, code="not_child"))
                    chosen = None
                    break
                chosen = value
                parent = value
            cleaned_data[f"{group}_division"] = divisions.get(chosen) if chosen else None
        return cleaned_data


# --------------------------------------------------------------------------
# Rendering the widgets
# --------------------------------------------------------------------------


def _attrs(attrs):
    """Django's widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        (f" {conditional_escape(name)}" if value is True
         else f' {conditional_escape(name)}="{conditional_escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """Django's widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget):
    """Django's widgets/input_option.html (a radio button or checkbox of a group, its label optionally around it)."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = f' for="{conditional_escape(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)}\n {conditional_escape(widget['label'])}</label>"


def _select(widget):
    """Django's widgets/select.html with its select_option.html."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _NotPlain
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _NotPlain(Exception):
    """A widget context the Python renderer does not cover: render it with the template."""


class WidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with the few widget templates of the wizard done in Python.

    Every step page renders dozens of inputs, options and radio buttons, and
    each went through three or four small templates (input, attrs, option…),
    a large share of the page's time. These functions write exactly the HTML
    of Django's own templates (tests compare both); any other template, and
    any unusual context, still goes through the templates.
    """

    WIDGETS = {
        "django/forms/widgets/input.html": _input,
        "django/forms/widgets/text.html": _input,
        "django/forms/widgets/hidden.html": _input,
        "django/forms/widgets/tel.html": _input,
        "django/forms/widgets/checkbox.html": _input,
        "django/forms/widgets/radio_option.html": _input_option,
        "django/forms/widgets/checkbox_option.html": _input_option,
        "django/forms/widgets/select.html": _select,
    }

    def render(self, template_name, context, request=None):
        function = self.WIDGETS.get(template_name)
        if function is not None and request is None and len(context) == 1 and "widget" in context:
            try:
                return function(context["widget"])
            except (_NotPlain, KeyError):
                pass
        return super().render(template_name, context, request=request)


WIDGET_RENDERER = WidgetRenderer()


class StepBoundField(forms.BoundField):
    """A step's field, with `wizard_html`: the field group of includes/field.html, written in Python.

    The wizard shows up to a dozen fields a page, and that template cost more than the
    widgets it wraps. `wizard_html` is exactly the template's HTML (the tests in
    tests/forms_intake/test_wizard_rendering.py render both): change them together.
    """

    @property
    def wizard_html(self):
        widget = self.field.widget
        if widget.is_hidden and not isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            return mark_safe(f"\n{self}\n\n")  # noqa: S308  # nosec B308 B703 - the widget's own HTML
        auto_id = conditional_escape(self.auto_id)
        errors = self.errors
        help_text = self.help_text
        group = " form-group--error" if errors else ""
        error_html = ""
        if errors:
            error_label = conditional_escape(gettext("Error:"))
            messages = "".join(
                f'<span class="visually-hidden">{error_label}</span> {conditional_escape(e)} ' for e in errors
            )
            error_html = f'<p class="field-error" id="{auto_id}_error">{messages}</p>'
        help_html = (
            f'<p class="hint" id="{auto_id}_helptext">{conditional_escape(help_text)}</p>' if help_text else ""
        )
        label = conditional_escape(self.label)
        if isinstance(widget, forms.RadioSelect):
            described = (f"{auto_id}_helptext" if help_text else "") + (f" {auto_id}_error" if errors else "")
            radios = "".join(
                f'\n            <div class="radios__item">{radio.tag()}'
                f'<label for="{conditional_escape(radio.id_for_label)}">'
                f"{conditional_escape(radio.choice_label)}</label></div>\n        "
                for radio in self
            )
            html = (
                f'\n\n<div class="form-group{group}">\n'
                f'    <fieldset class="fieldset" aria-describedby="{described}">\n'
                f'        <legend class="fieldset__legend">{label}</legend>\n'
                f"        {help_html}\n"
                f"        {error_html}\n"
                f'        <div class="radios">\n'
                f"        {radios}\n"
                f"        </div>\n"
                f"    </fieldset>\n"
                f"</div>\n\n"
            )
        elif isinstance(widget, forms.CheckboxInput):
            html = (
                f'\n\n<div class="form-group{group}">\n'
                f"    {error_html}\n"
                f'    <div class="checkbox">{self}<label for="{conditional_escape(self.id_for_label)}">{label}</label>'
                f"</div>\n"
                f"</div>\n\n"
            )
        else:
            optional = ""
            if not self.field.required and not getattr(self.field, "show_as_required", False):
                optional = f' <span class="optional">{conditional_escape(gettext("(optional)"))}</span>'
            html = (
                f'\n\n<div class="form-group{group}">\n'
                f'    <label class="label" for="{conditional_escape(self.id_for_label)}">{label}{optional}</label>\n'
                f"    {help_html}\n"
                f"    {error_html}\n"
                f"    {self}\n"
                f"</div>\n\n"
            )
        # Every value above is escaped, or is Django's own escaped widget HTML.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


# --------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------


class StepForm(forms.Form):
    """Base of every step: a topic heading, optional guidance and the wizard's extra arguments."""

    default_renderer = WIDGET_RENDERER
    bound_field_class = StepBoundField
    title = ""
    #: Optional grouping of the fields: [(legend, [field names])]; the template draws a fieldset per group.
    groups: list = []

    def __init__(self, *args, wizard_context=None, **kwargs):
        # What the wizard knows from other steps (birth date, ID number…), see wizard.py.
        self.wizard_context = wizard_context or {}
        super().__init__(*args, **kwargs)

    def fieldsets(self):
        """[(legend or None, [bound fields], has_divisions)] in display order."""
        if not self.groups:
            return [(None, list(self), False)]
        return [
            (legend, [self[name] for name in names if name in self.fields], any(n.endswith("_province") for n in names))
            for legend, names in self.groups
        ]


class FilerForm(StepForm):
    """Step 1: who is filing, and that they mean to register someone not yet insured."""

    title = _("Who is registering")
    filing_for = _radio(_("Who are you registering?"), FilingFor.choices)
    intent = forms.BooleanField(
        label=_("The person to be registered does not take part in any social insurance scheme yet "
                "and wants to register for universal social insurance."),
        error_messages={"required": _("Confirm this to continue, or contact your township office if unsure.")},
    )


class IdentityForm(StepForm):
    """Step 2: the registrant's name, ID number and phone number."""

    title = _("The person to be registered")
    name = NameField(label=_("姓名"))
    id_number = IdNumberField(label=_("身份证号码"))
    phone = PhoneField(label=_("联系电话"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.wizard_context.get("is_proxy"):
            # The proxy's own contact details are on the proxy step; don't offer theirs here.
            for name in ("name", "phone"):
                self.fields[name].widget.attrs["autocomplete"] = "off"


class ProxyForm(StepForm):
    """Step 3 (only when filing for another person): the proxy (代理人)."""

    title = _("About you, the proxy (代理人)")
    proxy_name = NameField(label=_("代理人姓名"))
    proxy_phone = PhoneField(label=_("代理人联系电话"))
    proxy_id_number = IdNumberField(label=_("代理人身份证号码"))
    proxy_relationship = _radio(_("与被代理人关系"), ProxyRelationship.choices)

    def clean_proxy_id_number(self):
        value = self.cleaned_data.get("proxy_id_number")
        registrant = self.wizard_context.get("id_number")
        if value and registrant and normalize_id_number(value) == normalize_id_number(registrant):
            raise ValidationError(
                _("This is the ID number of the person being registered. Enter your own ID number as the proxy."),
                code="same_as_registrant",
            )
        return value


class EmploymentForm(StepForm):
    """Step 4: 就业状态, with the employer's name when employed; checked against the age in the ID."""

    title = _("就业状态")
    employment_status = _radio(_("就业状态"), EmploymentStatus.choices)
    employer_name = _text(
        _("工作单位名称"), 100, required=False, help_text=_("Only if employed: the full name of the employer.")
    )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("employment_status")
        if status and is_employed(status):
            if not cleaned.get("employer_name", "").strip():
                message = _("Enter the name of the employer (工作单位名称).")
                self.add_error("employer_name", ValidationError(message, code="required"))
        elif status:
            cleaned["employer_name"] = ""
        birth_date = self.wizard_context.get("birth_date")
        if status and birth_date:
            today = _today()
            age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
            try:
                check_employment_status_for_age(status, age)
            except ValidationError as error:
                self.add_error("employment_status", error)
        return cleaned


class AddressForm(DivisionFieldsMixin, StepForm):
    """Step 5: 户口所在地 (to the county) and 常住所在地 (to the township, then village and street)."""

    title = _("Addresses")
    division_groups = {"hukou": "county", "residence": "town"}
    residence_village = _text(
        _("村（社区）"), 60, help_text=_("The village or residents' community."),
        required_message=_("Enter the village or community."),
    )
    residence_street = _text(
        _("街、路、巷门牌号"), 100, required=False, autocomplete="street-address",
        help_text=_("Street and house number, if any."),
    )

    field_order = [
        "hukou_province", "hukou_city", "hukou_county",
        "residence_province", "residence_city", "residence_county", "residence_town",
        "residence_village", "residence_street",
    ]
    groups = [
        (_("户口所在地"), field_order[:3]),
        (_("常住所在地"), field_order[3:]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_division_fields()
        self.order_fields(self.field_order)

    def clean(self):
        return self.clean_divisions(super().clean())


class WorkplaceForm(DivisionFieldsMixin, StepForm):
    """Step 6 (only when employed): 工作单位所在地."""

    title = _("工作单位所在地")
    division_groups = {"employer": "town"}
    groups = [
        (
            _("工作单位所在地"),
            ["employer_province", "employer_city", "employer_county", "employer_town", "employer_village"],
        )
    ]
    employer_village = _text(
        _("村（社区）"), 60, required=False, help_text=_("If the workplace is in a village or community.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_division_fields()
        self.order_fields(
            ["employer_province", "employer_city", "employer_county", "employer_town", "employer_village"]
        )

    def clean(self):
        return self.clean_divisions(super().clean())


class ReasonForm(StepForm):
    """Step 7: 未参保原因 and 社保卡服务银行."""

    title = _("Reason and bank")
    not_insured_reason = _radio(_("未参保原因"), NotInsuredReason.choices)
    not_insured_reason_other = _text(
        _("其他原因说明"), 200, required=False, help_text=_("Only if you chose 其他: describe the reason.")
    )
    service_bank = _radio(
        _("社保卡服务银行"), ServiceBank.choices, help_text=_("The bank that will issue the social security card.")
    )

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("not_insured_reason")
        if reason == NotInsuredReason.OTHER and not cleaned.get("not_insured_reason_other", "").strip():
            self.add_error(
                "not_insured_reason_other",
                ValidationError(_("Describe the reason, since you chose 其他."), code="required"),
            )
        elif reason and reason != NotInsuredReason.OTHER:
            cleaned["not_insured_reason_other"] = ""
        return cleaned


class UnitForm(StepForm):
    """Step 8: 登记单位, the employer (name and code) or the village/community (the residence by default)."""

    title = _("登记单位")
    unit_type = _radio(_("登记单位"), Submission.UnitType.choices)
    unit_name = _text(
        _("登记单位名称"), 100, required=False,
        help_text=_("The employer's name, or the name of the village or community."),
    )
    unit_code = forms.CharField(
        label=_("组织机构代码"),
        required=False,
        max_length=30,
        help_text=_("Employer only: the 18-character 统一社会信用代码 or the 9-character 组织机构代码."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "maxlength": 30}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        employed = self.wizard_context.get("employed")
        if not employed:
            # The employer cannot register someone who has none.
            self.fields["unit_type"].choices = [
                c for c in Submission.UnitType.choices if c[0] == Submission.UnitType.COMMUNITY
            ]
            self.fields["unit_code"].widget = forms.HiddenInput()
        self.initial.setdefault(
            "unit_type", Submission.UnitType.EMPLOYER if employed else Submission.UnitType.COMMUNITY
        )
        default_name = self.wizard_context.get("employer_name") if employed else self.wizard_context.get("village")
        self.initial.setdefault("unit_name", default_name or "")

    def clean(self):
        cleaned = super().clean()
        unit_type = cleaned.get("unit_type")
        name = (cleaned.get("unit_name") or "").strip()
        if unit_type == Submission.UnitType.EMPLOYER:
            if not name:
                self.add_error("unit_name", ValidationError(_("Enter the employer's name."), code="required"))
            code = cleaned.get("unit_code") or ""
            if not code.strip():
                message = _("Enter the employer's unified social credit code or organization code.")
                self.add_error("unit_code", ValidationError(message, code="required"))
            else:
                try:
                    cleaned["unit_code"] = validate_employer_code(code)
                except ValidationError as error:
                    self.add_error("unit_code", error)
        elif unit_type == Submission.UnitType.COMMUNITY:
            cleaned["unit_code"] = ""
            # Default to the residence's village or community.
            cleaned["unit_name"] = name or self.wizard_context.get("village", "")
        reject_control_characters(cleaned.get("unit_code") or "")
        return cleaned


class ReviewForm(StepForm):
    """Step 9: check your answers, then the electronic declaration in place of the signatures."""

    title = _("Check your answers")
    confirm_true = forms.BooleanField(
        label=_("I declare that the information given is true and complete."),
        error_messages={"required": _("Confirm that the information is true to submit the registration.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the human resources and social security departments process the personal information "
            "in this form for social insurance registration, as the Personal Information Protection Law allows."
        ),
        error_messages={"required": _("Give your consent to the processing of the information to submit it.")},
    )


class StatusLookupForm(forms.Form):
    """Status lookup: the reference number and the registrant's ID number."""

    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("As shown on your receipt, e.g. HN-7K3M-Q9PX-TW4."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 40}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=40,
        help_text=_("The ID number of the person registered."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 40}),
    )


STEP_FORMS = [
    ("filer", FilerForm),
    ("identity", IdentityForm),
    ("proxy", ProxyForm),
    ("employment", EmploymentForm),
    ("address", AddressForm),
    ("workplace", WorkplaceForm),
    ("reason", ReasonForm),
    ("unit", UnitForm),
    ("review", ReviewForm),
]
