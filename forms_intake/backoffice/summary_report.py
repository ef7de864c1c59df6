"""The province-wide summary report (seed item 22): provincial staff choose PDF or XLSX, a job builds it.

POST starts the job (forms_intake/services/summary_report.py) and opens its progress page under 我的任务,
where the file is downloaded by the user who started it. Anyone else is refused (403); the job checks again.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.services import summary_report


class SummaryReportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")], initial="pdf", widget=forms.RadioSelect
    )


class SummaryReportView(WagtailAdminTemplateMixin, FormView):
    template_name = "forms_intake/admin/summary_report.html"
    form_class = SummaryReportForm
    page_title = _("Province-wide summary report")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not summary_report.is_provincial(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        job, _created = summary_report.start(self.request.user, form.cleaned_data["file_format"])
        return redirect("forms_intake_jobs:detail", job.pk)


class SummaryReportMenuItem(MenuItem):
    """Shown to provincial staff only."""

    def is_shown(self, request):
        return summary_report.is_provincial(request.user)
