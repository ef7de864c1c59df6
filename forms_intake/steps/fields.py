"""Fields and widgets of the Annex 2 step forms: ID, phone and name fields, the cascading division selects."""

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

from forms_intake.rules.choices import EmploymentStatus
from forms_intake.rules.validators import parse_resident_id, validate_person_name, validate_phone
from forms_intake.services import divisions

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


def text_field(label, max_length, *, required=True, help_text="", autocomplete=None, required_message=None, **attrs):
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


def radio_field(label, choices, *, help_text=""):
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


