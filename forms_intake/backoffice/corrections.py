"""Staff corrections of a submission's answers (the viewset's edit view), audited field by field."""

from __future__ import annotations

import copy
from functools import lru_cache

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.models import EditView

from forms_intake.backoffice.policy import ScopedObjectMixin
from forms_intake.rules import annex2
from forms_intake.rules.choices import NotInsuredReason
from forms_intake.rules.eligibility import check_employment_for_birth_date
from forms_intake.rules.employer_codes import validate_employer_code
from forms_intake.rules.validators import normalize_phone, parse_resident_id
from forms_intake.services import transitions
from forms_intake.steps.forms import schema_form_field

# --------------------------------------------------------------------------
# Corrections (edit view) and re-routing
# --------------------------------------------------------------------------


KEEP_CURRENT = _("Leave blank to keep the current number.")


def _correction_field(spec):
    """The correction form's field for a schema field: the step form's field where it fits.

    ID and phone numbers may be left blank (the stored number stays); choices are a select.
    """
    if spec.kind in ("id_number", "phone"):
        return forms.CharField(label=spec.label, required=False, max_length=30, help_text=KEEP_CURRENT)
    if spec.kind == "choice":
        return forms.ChoiceField(label=spec.label, choices=spec.choices.choices)
    if spec.name == "unit_code":
        return forms.CharField(label=spec.label, required=False, max_length=spec.max_length)
    field = schema_form_field(spec)
    field.label = spec.label
    field.required = spec.kind == "name"
    field.widget.is_required = field.required
    return field


@lru_cache(maxsize=4)
def _correction_fields(schema):
    return {spec.name: _correction_field(spec) for spec in schema.staff_correctable}


def correctable_fields():
    """Names of the fields staff may correct (the schema's ``staff_correctable``), in order."""
    return list(_correction_fields(annex2.schema()))


class CorrectionForm(forms.Form):
    """Fields staff may correct (seed item 18), from the schema. Blank ID/phone fields keep the stored value."""

    note = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=_("For example: the resident brought their hukou booklet to the counter."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {name: copy.deepcopy(field) for name, field in _correction_fields(annex2.schema()).items()}
        self.fields = {**fields, "note": self.fields["note"]}

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return parse_resident_id(value).number if value.strip() else ""

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_unit_code(self):
        value = self.cleaned_data["unit_code"]
        return validate_employer_code(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        status, number = cleaned.get("employment_status"), cleaned.get("id_number")
        born = parse_resident_id(number).birth_date if number else getattr(self, "birth_date", None)
        try:
            check_employment_for_birth_date(status, born)
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
        return {name: getattr(self.object, name) for name in correctable_fields() if
                name not in ("id_number", "phone")}

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


