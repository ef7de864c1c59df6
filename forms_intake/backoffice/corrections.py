"""Staff corrections of a submission's answers (the viewset's edit view), audited field by field."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.models import EditView

from forms_intake.backoffice.policy import ScopedObjectMixin
from forms_intake.rules.choices import EmploymentStatus, NotInsuredReason, ServiceBank
from forms_intake.services import transitions

# --------------------------------------------------------------------------
# Corrections (edit view) and re-routing
# --------------------------------------------------------------------------


class CorrectionForm(forms.Form):
    """Fields staff may correct (seed item 18). Blank ID/phone fields keep the stored value."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(
        label=_("身份证号码"), required=False, max_length=30,
        help_text=_("Leave blank to keep the current number."),
    )
    phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=30, help_text=_("Leave blank to keep the current number.")
    )
    employment_status = forms.ChoiceField(label=_("就业状态"), choices=EmploymentStatus.choices)
    employer_name = forms.CharField(label=_("工作单位名称"), required=False, max_length=100)
    residence_village = forms.CharField(label=_("村（社区）"), required=False, max_length=60)
    residence_street = forms.CharField(label=_("街、路、巷门牌号"), required=False, max_length=100)
    not_insured_reason = forms.ChoiceField(label=_("未参保原因"), choices=NotInsuredReason.choices)
    not_insured_reason_other = forms.CharField(label=_("其他原因说明"), required=False, max_length=200)
    service_bank = forms.ChoiceField(label=_("社保卡服务银行"), choices=ServiceBank.choices)
    unit_name = forms.CharField(label=_("登记单位名称"), required=False, max_length=100)
    unit_code = forms.CharField(label=_("组织机构代码"), required=False, max_length=18)
    note = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=_("For example: the resident brought their hukou booklet to the counter."),
    )

    def clean_name(self):
        from forms_intake.rules.validators import validate_person_name

        return validate_person_name(self.cleaned_data["name"])

    def clean_id_number(self):
        from forms_intake.rules.validators import parse_resident_id

        value = self.cleaned_data["id_number"]
        return parse_resident_id(value).number if value.strip() else ""

    def clean_phone(self):
        from forms_intake.rules.validators import normalize_phone

        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_unit_code(self):
        from forms_intake.rules.employer_codes import validate_employer_code

        value = self.cleaned_data["unit_code"]
        return validate_employer_code(value) if value.strip() else ""

    def clean(self):
        from forms_intake.rules.eligibility import check_employment_status_for_age
        from forms_intake.rules.validators import parse_resident_id

        cleaned = super().clean()
        status, number = cleaned.get("employment_status"), cleaned.get("id_number")
        born = parse_resident_id(number).birth_date if number else getattr(self, "birth_date", None)
        if status and born:
            from forms_intake.rules.text import current_date

            today = current_date()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            try:
                check_employment_status_for_age(status, age)
            except ValidationError as error:
                self.add_error("employment_status", error)
        if cleaned.get("not_insured_reason") == NotInsuredReason.OTHER and not cleaned.get("not_insured_reason_other"):
            self.add_error("not_insured_reason_other", _("Describe the other reason."))
        return cleaned


class CorrectionView(ScopedObjectMixin, EditView):
    """The viewset's edit view: a correction form whose changes go through transitions.correct (audited)."""

    template_name = "forms_intake/admin/correct.html"
    form_class = CorrectionForm
    permission_required = "change"

    def get_form_class(self):
        return CorrectionForm

    def get_form_kwargs(self):
        kwargs = {"initial": self.get_initial(), "prefix": None}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        return kwargs

    def get_form(self, form_class=None):
        form = CorrectionForm(**self.get_form_kwargs())
        form.birth_date = self.object.birth_date
        return form

    def get_initial(self):
        return {name: getattr(self.object, name) for name in CorrectionForm.base_fields if
                name not in ("id_number", "phone", "note")}

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not transitions.can_correct(self.object, request.user):
            messages.error(request, _("You cannot correct this registration now."))
            return redirect("forms_intake_submission:inspect", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submission=self.object)
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        values = {k: v for k, v in form.cleaned_data.items() if k != "note" and not (
            k in ("id_number", "phone") and not v)}
        changed = transitions.correct(self.object, request.user, values, note=form.cleaned_data["note"])
        if changed:
            messages.success(request, _("Corrections saved and recorded in the timeline."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("forms_intake_submission:inspect", self.object.pk)


