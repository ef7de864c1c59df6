"""Fields and widgets of the Annex 2 step forms: ID, phone and name fields, the cascading division selects."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import jinja2
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.renderers import BaseRenderer
from django.template.backends.jinja2 import Jinja2 as Jinja2Backend
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
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


class TypedTextField(forms.CharField):
    """A CharField whose NUL and other control characters get our one plain message.

    Django's own check of NUL characters reads "不允许是用空字符串。" in Chinese (a wrong translation)
    and would come on top of ours: it is left out, ``reject_control_characters`` covers NUL.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        if reject_control_characters not in self.validators:
            self.validators.append(reject_control_characters)


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
    return TypedTextField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={
            "required": required_message or _("Answer this question."),
            "max_length": _("Shorten this answer to at most %(limit_value)d characters (it has %(show_value)d)."),
        },
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


class IdNumberField(TypedTextField):
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


class PhoneField(TypedTextField):
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


class NameField(TypedTextField):
    """姓名: Chinese characters (with · in transliterated names) or Latin letters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "name", "maxlength": 60}))
        _field_messages(kwargs, _("Enter the name."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and any(unicodedata.category(ch)[0] in "PS" and ch not in NAME_PUNCTUATION for ch in value):
            # "<script>" or "张三!": say what a name may contain, not the first rule it happens to break.
            raise ValidationError(
                _("A name can contain only Chinese characters or Latin letters, with · between the parts of a "
                  "transliterated name."),
                code="symbols",
            )
        return validate_person_name(value) if value else value


#: Punctuation a name may hold (validate_person_name has the rules of where): middle dots, hyphen, apostrophes, dot.
NAME_PUNCTUATION = frozenset("·•・‧．.-‐'’")


# --------------------------------------------------------------------------
# Cascading division selects
# --------------------------------------------------------------------------


CHOOSE_AGAIN = _("Choose again from the list: it changed with the level above.")


class DivisionSelect(forms.Select):
    """A select that tells wizard.js which address group and level it belongs to (Django's select template)."""

    def __init__(self, group, level, **kwargs):
        super().__init__(**kwargs)
        self.attrs.update({"data-division-group": group, "data-division-level": level})


LEVEL_LABELS = {
    "province": _("省（自治区、直辖市）"),
    "city": _("市（州）"),
    "county": _("县（市、区）"),
    "town": _("镇（街道）"),
}
_CHOICES_INDEX = [None]


def division_choices(level, parent):
    """The choices of the select `level` under the code `parent` (None: nothing chosen above), and its codes.

    An address step builds up to seven selects of a hundred or more options each per
    request; the division table changes only on deploy, so each select's choices are
    worked out once per division index (divisions.index()) and language.
    """
    index = divisions.index()
    if _CHOICES_INDEX[0] is not index:
        # A new table: forget the choices of the old one (and do not keep the old index alive).
        _division_choices.cache_clear()
        _CHOICES_INDEX[0] = index
    return _division_choices(index, level, parent, translation.get_language())


class NormalizedChoices(BaseChoiceIterator):
    """Choices already in Django's normalized form ((value, label) pairs of strings).

    Django normalizes a plain list again for the field and again for its widget, on every form:
    seven selects of a hundred options per address step. A choice iterator is taken as it is.
    """

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


@functools.lru_cache(maxsize=1024)
def _division_choices(index, level, parent, language):
    # `index` and `language` are part of the key only: options_for() reads the current ones.
    options = divisions.options_for(level, parent) if level == "province" or parent else []
    placeholder = gettext("Choose…") if options else gettext("Choose the level above first")
    choices = NormalizedChoices((("", placeholder),) + tuple((o.code, o.name) for o in options))
    return choices, frozenset(o.code for o in options)


def division_select(group, level, parent):
    """The select of `level` for the address group `group` under the code `parent`, and its codes."""
    choices, codes = division_choices(level, parent)
    field = forms.ChoiceField(
        label=LEVEL_LABELS[level],
        required=False,
        choices=choices,
        widget=DivisionSelect(group, level, attrs={"aria-required": "true"}),
        error_messages={"invalid_choice": CHOOSE_AGAIN},
    )
    # Required in clean() (a level may legitimately be empty), so say so in the label.
    field.show_as_required = True
    return field, codes


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
                self.fields[name], codes = division_select(group, level, parent)
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
                _choices, codes = division_choices(level, parent)
                if not value:
                    if codes or level == "province":
                        self.add_error(name, ValidationError(_("Choose from the list."), code="required"))
                    chosen = None if (codes or level == "province") else chosen
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
# Rendering: Django's widget templates through Django's Jinja2 form renderer
# --------------------------------------------------------------------------


def field_kind(bound_field):
    """How the field group template lays a field out: "radio", "checkbox", "hidden" or "input"."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if widget.is_hidden:
        return "hidden"
    return "input"


def jinja2_environment(**options):
    """The Jinja2 environment of the step forms: Django's options, with gettext (`_()`) and field_kind()."""
    options.pop("autoescape", None)  # Django's default is True: say so where bandit can see it
    environment = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
    environment.globals["field_kind"] = field_kind
    return environment


class StepFormRenderer(BaseRenderer):
    """The form renderer of the wizard's forms: Django's own Jinja2 widget templates.

    Measured against Django's default (template) renderer, rendering the steps' fields
    takes about half the time with Jinja2 (see the commit message for the figures). A field
    group (label, hint, errors, widget) is forms_intake/jinja2/forms_intake/includes/field.html.
    """

    field_template_name = "forms_intake/includes/field.html"

    @cached_property
    def engine(self):
        return Jinja2Backend(
            {
                "NAME": "forms_intake_steps",
                # Django's widget templates first, then the apps' jinja2/ folders (the field group).
                "DIRS": [Path(forms.__file__).parent / "jinja2"],
                "APP_DIRS": True,
                "OPTIONS": {"environment": "forms_intake.steps.fields.jinja2_environment"},
            }
        )

    def get_template(self, template_name):
        return self.engine.get_template(template_name)


STEP_FORM_RENDERER = StepFormRenderer()
