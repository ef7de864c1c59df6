"""The step forms of the Annex 2 registration (one topic per step), shared by the wizard and staff entry.

Each form validates its own fields with the rules in ``forms_intake.rules``;
cross-step rules get what they need as constructor arguments (the
registrant's birth date, ID number, employment…), so the forms stay plain
Django forms that staff entry can reuse.

The Annex 2 fields of each step come from the schema (``forms_intake.rules.annex2``):
every schema field of the form's ``step`` is built here (``schema_form_field``) unless the
form declares it itself for a special widget or message (``schema_field(name, ...)``). The
forms keep their cross-field rules (``clean()``). Labels of Annex 2 fields are the form's
verbatim Chinese text (gettext msgids); other wording uses English msgids.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forms_intake.models.api import employer_name_by_code
from forms_intake.rules import annex2
from forms_intake.rules.annex2 import UnitType
from forms_intake.rules.choices import NotInsuredReason
from forms_intake.rules.eligibility import check_employment_for_birth_date, is_employed
from forms_intake.rules.employer_codes import validate_employer_code
from forms_intake.rules.validators import normalize_id_number
from forms_intake.services.divisions import LEVEL_NAMES
from forms_intake.steps.fields import (
    STEP_FORM_RENDERER,
    DivisionFieldsMixin,
    IdNumberField,
    NameField,
    PhoneField,
    TypedTextField,
    radio_field,
    reject_control_characters,
    text_field,
)


def schema_form_field(spec, **overrides):
    """The form field asking one schema field (None for divisions: ``DivisionFieldsMixin`` adds their selects).

    ``overrides`` go to the field's builder (``text_field``'s ``autocomplete``, ``required_message``...).
    """
    label, required = spec.form_label, spec.required
    if spec.kind == "division":
        return None
    if spec.kind == "name":
        return NameField(label=label, required=required, **overrides)
    if spec.kind == "id_number":
        return IdNumberField(label=label, required=required, **overrides)
    if spec.kind == "phone":
        return PhoneField(label=label, required=required, **overrides)
    if spec.kind == "choice" and spec.print_groups:
        # The paper's numbered lines (1、已就业 省内 省外 / 2、无单位 学龄前 …): one radio group under each heading.
        choices = [(value, spec.option_label(value)) for group in spec.print_groups for value in group.choices]
        field = radio_field(label, choices, help_text=spec.help_text, **overrides)
        field.choice_groups = [(group.heading, [str(value) for value in group.choices])
                               for group in spec.print_groups]
        return field
    if spec.kind == "choice":
        return radio_field(label, spec.choices.choices, help_text=spec.help_text, **overrides)
    if spec.kind == "bool":
        return forms.BooleanField(label=label, required=required, help_text=spec.help_text, **overrides)
    return text_field(label, spec.max_length or 100, required=required, help_text=spec.help_text, **overrides)


def schema_field(name, **overrides):
    """A form's own declaration of schema field ``name``, with builder overrides (labels stay the schema's)."""
    return schema_form_field(annex2.schema().by_name[name], **overrides)


def division_layout(step):
    """(field order, fieldset groups) of a step with address fields, from the schema.

    Each division field opens a group under its label (户口所在地…) with its selects down to its
    depth, followed by the fields after it in the schema, up to the next division field.
    """
    groups = []
    for spec in annex2.schema().step_fields(step):
        if spec.kind == "division":
            group = spec.name.removesuffix("_division")
            levels = LEVEL_NAMES[: LEVEL_NAMES.index(spec.depth) + 1]
            groups.append((spec.label, [f"{group}_{level}" for level in levels]))
        elif groups:
            groups[-1][1].append(spec.name)
        else:
            groups.append((None, [spec.name]))
    return [name for _legend, names in groups for name in names], groups


def step_context(needs, value_of):
    """A step form's ``wizard_context``: {key: value} of the schema's needs of the step (``Step.needs``).

    ``value_of(need)`` reads the earlier answer (None when unknown: the key is left out). The wizard
    reads its session, staff entry the other forms of its page.
    """
    context = {}
    for need in needs:
        value = value_of(need)
        if value is None:
            continue
        context[need.key] = need.derive(value) if need.derive else value
    return context


def _use_schema(form_class):
    """Give the form class the schema's fields of its step as ``base_fields``, once per schema.

    In the schema's order, the form's own declaration winning (a special widget or message),
    then the form's other fields. Worked out on the first form of each class (and again only if
    the schema is rebuilt, as tests do); every form then copies ``base_fields`` as Django does.
    """
    schema = annex2.schema()
    if form_class.__dict__.get("_schema") is schema:
        return
    declared = form_class.declared_fields
    fields = {}
    for spec in schema.step_fields(form_class.step):
        form_field = declared.get(spec.name) or schema_form_field(spec)
        if form_field is not None:
            fields[spec.name] = form_field
    fields.update((name, form_field) for name, form_field in declared.items() if name not in fields)
    for name in form_class.required_when:
        # Required in some cases (the form's clean() says which; the hint says when): never "(optional)".
        fields[name].show_as_required = True
    form_class.base_fields = fields
    form_class._schema = schema


class StepForm(forms.Form):
    """Base of every step: a topic heading, optional guidance and the wizard's extra arguments."""

    default_renderer = STEP_FORM_RENDERER
    #: The schema's step whose fields this form asks (its title comes from the schema too).
    step = ""
    title = ""
    #: Optional grouping of the fields: [(legend, [field names])]; the template draws a fieldset per group.
    groups: list = []
    #: Fields that clean() requires in some cases: labelled as required, not "(optional)".
    required_when: tuple = ()

    def __init__(self, *args, wizard_context=None, **kwargs):
        # What the wizard knows from other steps (birth date, ID number…), see wizard.py.
        self.wizard_context = wizard_context or {}
        _use_schema(type(self))
        super().__init__(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = annex2.schema().step_by_name.get(cls.__dict__.get("step", ""))
        if step is not None:
            cls.title = step.title

    def fieldsets(self):
        """[(legend or None, [bound fields], has_divisions)] in display order."""
        if not self.groups:
            return [(None, list(self), False)]
        sets = [
            (legend, [self[name] for name in names if name in self.fields], any(n.endswith("_province") for n in names))
            for legend, names in self.groups
        ]
        grouped = {name for _legend, names in self.groups for name in names}
        rest = [self[name] for name in self.fields if name not in grouped]
        return sets + [(None, rest, False)] if rest else sets


class FilerForm(StepForm):
    """Step 1: who is filing, and that they mean to register someone not yet insured."""

    step = "filer"
    intent = forms.BooleanField(
        label=_("The person to be registered does not take part in any social insurance scheme yet "
                "and wants to register for universal social insurance."),
        error_messages={"required": _("Confirm this to continue, or contact your township office if unsure.")},
    )


class IdentityForm(StepForm):
    """Step 2: the registrant's name, ID number and phone number."""

    step = "identity"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.wizard_context.get("is_proxy"):
            # The proxy's own contact details are on the proxy step; don't offer theirs here.
            for name in ("name", "phone"):
                self.fields[name].widget.attrs["autocomplete"] = "off"


class ProxyForm(StepForm):
    """Step 3 (only when filing for another person): the proxy (代理人)."""

    step = "proxy"

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

    step = "employment"
    required_when = ("employer_name",)

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("employment_status")
        if status and is_employed(status):
            if "employer_name" not in self.errors and not cleaned.get("employer_name", "").strip():
                message = _("Enter the name of the employer (工作单位名称).")
                self.add_error("employer_name", ValidationError(message, code="required"))
        elif status:
            cleaned["employer_name"] = ""
        try:
            check_employment_for_birth_date(status, self.wizard_context.get("birth_date"))
        except ValidationError as error:
            self.add_error("employment_status", error)
        return cleaned


class AddressForm(DivisionFieldsMixin, StepForm):
    """Step 5: 户口所在地 (to the county) and 常住所在地 (to the township, then village and street)."""

    step = "address"
    division_groups = annex2.schema().division_groups("address")
    residence_village = schema_field("residence_village", required_message=_("Enter the village or community."))
    residence_street = schema_field("residence_street", autocomplete="street-address")

    field_order, groups = division_layout("address")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_division_fields()
        self.order_fields(self.field_order)

    def clean(self):
        return self.clean_divisions(super().clean())


class WorkplaceForm(DivisionFieldsMixin, StepForm):
    """Step 6 (only when employed): 工作单位所在地."""

    step = "workplace"
    division_groups = annex2.schema().division_groups("workplace")
    field_order, groups = division_layout("workplace")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_division_fields()
        self.order_fields(self.field_order)

    def clean(self):
        return self.clean_divisions(super().clean())


class ReasonForm(StepForm):
    """Step 7: 未参保原因 and 社保卡服务银行."""

    step = "reason"
    required_when = ("not_insured_reason_other",)

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("not_insured_reason")
        other_typed = "not_insured_reason_other" in self.errors or cleaned.get("not_insured_reason_other", "").strip()
        if reason == NotInsuredReason.OTHER and not other_typed:
            self.add_error(
                "not_insured_reason_other",
                ValidationError(_("Describe the reason, since you chose 其他."), code="required"),
            )
        elif reason and reason != NotInsuredReason.OTHER:
            cleaned["not_insured_reason_other"] = ""
        return cleaned


class UnitForm(StepForm):
    """Step 8: 登记单位, the employer (name and code) or the village/community (the residence by default)."""

    step = "unit"
    required_when = ("unit_name", "unit_code")
    # 30 characters accepted: the code may be typed with spaces or dashes (validate_employer_code).
    unit_code = TypedTextField(
        label=annex2.schema().by_name["unit_code"].form_label,
        required=False,
        max_length=30,
        help_text=_("Employer only: the 18-character 统一社会信用代码 or the 9-character 组织机构代码."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "maxlength": 30}
        ),
    )

    class Media:
        # Fills in the employer's name from the registry when a valid code is typed (CSP-safe, optional).
        js = ["forms_intake/js/employer_lookup.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        employed = self.wizard_context.get("employed")
        if not employed:
            # The employer cannot register someone who has none.
            self.fields["unit_type"].choices = [
                c for c in UnitType.choices if c[0] == UnitType.COMMUNITY
            ]
            self.fields["unit_code"].widget = forms.HiddenInput()
        self.initial.setdefault(
            "unit_type", UnitType.EMPLOYER if employed else UnitType.COMMUNITY
        )
        default_name = self.wizard_context.get("employer_name") if employed else self.wizard_context.get("village")
        self.initial.setdefault("unit_name", default_name or "")

    def clean(self):
        cleaned = super().clean()
        unit_type = cleaned.get("unit_type")
        name = (cleaned.get("unit_name") or "").strip()
        if unit_type == UnitType.EMPLOYER:
            if not name and "unit_name" not in self.errors:
                self.add_error("unit_name", ValidationError(_("Enter the employer's name."), code="required"))
            code = cleaned.get("unit_code") or ""
            if "unit_code" in self.errors:
                pass  # its own message (e.g. a control character) says what is wrong
            elif not code.strip():
                message = _("Enter the employer's unified social credit code or organization code.")
                self.add_error("unit_code", ValidationError(message, code="required"))
            else:
                try:
                    cleaned["unit_code"] = validate_employer_code(code)
                except ValidationError as error:
                    self.add_error("unit_code", error)
                else:
                    self._check_employer(cleaned, name)
        elif unit_type == UnitType.COMMUNITY:
            cleaned["unit_code"] = ""
            # Default to the residence's village or community.
            cleaned["unit_name"] = name or self.wizard_context.get("village", "")
        reject_control_characters(cleaned.get("unit_code") or "")
        return cleaned


    def _check_employer(self, cleaned, name):
        """The pair against the employer registry (without JavaScript; employer_lookup.js fills the name)."""
        registered_name = employer_name_by_code(cleaned["unit_code"])
        if not registered_name:
            return  # not (yet) in the registry: the staff check it
        if _compact_name(name) != _compact_name(registered_name):
            message = _("This code belongs to “%(name)s”. Check the employer's name or the code.")
            self.add_error("unit_name", ValidationError(message, code="employer_mismatch",
                                                        params={"name": registered_name}))


def _compact_name(value) -> str:
    """An employer name compared without spaces, full-width forms folded (（） and () alike)."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


class ReviewForm(StepForm):
    """Step 9: check your answers, then the electronic declaration in place of the signatures."""

    step = "review"
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

    default_renderer = STEP_FORM_RENDERER

    reference = TypedTextField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("As shown on your receipt, e.g. HN-7K3M-Q9PX-TW4."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 40}),
    )
    id_number = TypedTextField(
        label=_("身份证号码"),
        max_length=40,
        help_text=_("The ID number of the person registered."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 40}),
    )


#: (step name, form class) in the schema's order, for formtools' form_list.
STEP_FORMS = [(step.name, globals()[step.form]) for step in annex2.schema().steps]
