"""The step forms of the Annex 2 registration (one topic per step), shared by the wizard and staff entry.

Each form validates its own fields with the rules in ``forms_intake.rules``;
cross-step rules get what they need as constructor arguments (the
registrant's birth date, ID number, employment…), so the forms stay plain
Django forms that staff entry can reuse.

Labels of Annex 2 fields are the form's verbatim Chinese text (gettext
msgids); other wording uses English msgids.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Submission
from forms_intake.rules.choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank
from forms_intake.rules.eligibility import check_employment_status_for_age
from forms_intake.rules.employer_codes import validate_employer_code
from forms_intake.rules.text import current_date
from forms_intake.rules.validators import normalize_id_number
from forms_intake.steps.fields import (
    WIDGET_RENDERER,
    DivisionFieldsMixin,
    FilingFor,
    IdNumberField,
    NameField,
    PhoneField,
    StepBoundField,
    is_employed,
    radio_field,
    reject_control_characters,
    text_field,
)


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
    filing_for = radio_field(_("Who are you registering?"), FilingFor.choices)
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
    proxy_relationship = radio_field(_("与被代理人关系"), ProxyRelationship.choices)

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
    employment_status = radio_field(_("就业状态"), EmploymentStatus.choices)
    employer_name = text_field(
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
            today = current_date()
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
    residence_village = text_field(
        _("村（社区）"), 60, help_text=_("The village or residents' community."),
        required_message=_("Enter the village or community."),
    )
    residence_street = text_field(
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
    employer_village = text_field(
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
    not_insured_reason = radio_field(_("未参保原因"), NotInsuredReason.choices)
    not_insured_reason_other = text_field(
        _("其他原因说明"), 200, required=False, help_text=_("Only if you chose 其他: describe the reason.")
    )
    service_bank = radio_field(
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
    unit_type = radio_field(_("登记单位"), Submission.UnitType.choices)
    unit_name = text_field(
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
