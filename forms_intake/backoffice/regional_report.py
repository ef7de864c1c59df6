"""The regional statistical analysis report (seed item 19): choose a division, a job builds the XLSX.

GET shows the form (a division code within the user's divisions); POST starts the job
(forms_intake/services/regional_report.py) and opens its progress page under 我的任务, where the file is
downloaded by the user who started it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.services import regional_report


class RegionalReportForm(forms.Form):
    division_code = forms.CharField(
        label=_("Division code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("A division within your own, e.g. 430000 (the province), 430100 (a city), 430102 (a county)."),
    )

    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "XLSX"), ("pdf", "PDF")], initial="xlsx", widget=forms.RadioSelect
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_division_code(self):
        code = self.cleaned_data["division_code"].strip()
        self.division = regional_report.report_divisions(self.user).filter(code=code).first()
        if self.division is None:
            raise forms.ValidationError(_("This is not a division within your own divisions."))
        return code


class RegionalReportView(WagtailAdminTemplateMixin, FormView):
    template_name = "forms_intake/admin/regional_report.html"
    form_class = RegionalReportForm
    page_title = _("Regional statistical analysis report")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(regional_report.VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        job, _created = regional_report.start(self.request.user, form.division, form.cleaned_data["file_format"])
        return redirect("forms_intake_jobs:detail", job.pk)
