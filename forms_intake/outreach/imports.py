"""Admin screens of data imports: the upload form, the list of imports with progress, the error report.

Only users with ``forms_intake.import_outreach_data`` (the provincial administrator role, superusers)
see these screens; anyone else gets 403. Each upload runs as a job (forms_intake.services.tasks), whose
progress page (我的任务) belongs to the uploader. Downloading an error report is a security event; the
report names rows, columns and reasons only, never a value from the file.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.models import DataImport
from forms_intake.models.outreach import PopulationSource
from forms_intake.services import imports, tasks
from portal.jobs.models import Job
from portal.security import log_security_event

LIST_LIMIT = 100


class ImporterRequiredMixin:
    """403 for anyone without the import permission (the screens hold no scoped data, only files' fates)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(imports.IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UploadForm(forms.Form):
    """Kind, source and file of an upload."""

    kind = forms.ChoiceField(label=_("Kind of data"), choices=DataImport.Kind.choices)
    source = forms.CharField(
        label=_("Source"),
        max_length=32,
        required=False,
        help_text=_(
            "Population: 公安户籍, 民政 or 卫计 (police, civil_affairs, health). Insured persons: the business "
            "system, e.g. 企业养老. A newer file of the same kind and source replaces the older one."
        ),
    )
    file = forms.FileField(label=_("File (CSV in UTF-8 or GB18030, or XLSX)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in imports.UPLOAD_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self):
        cleaned = super().clean()
        source = (cleaned.get("source") or "").strip()
        if cleaned.get("kind") == DataImport.Kind.POPULATION:
            folded = source.casefold()
            matches = [value for value, label in PopulationSource.choices if folded in (value, str(label).casefold())]
            if not matches:
                self.add_error("source", _("Choose the population source: 公安户籍, 民政 or 卫计."))
            else:
                source = matches[0]
        cleaned["source"] = source
        return cleaned


class UploadView(ImporterRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Upload a file; a new content starts an import job, a known content is recorded as a duplicate."""

    template_name = "forms_intake/outreach/imports_upload.html"
    form_class = UploadForm
    page_title = _("Upload data")
    header_icon = "upload"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data_import = imports.receive_upload(
            upload.chunks(),
            kind=form.cleaned_data["kind"],
            source=form.cleaned_data["source"],
            file_name=upload.name,
            user=self.request.user,
        )
        if data_import.state == DataImport.State.DUPLICATE:
            messages.warning(self.request, data_import.message)
        else:
            tasks.start_import(data_import, self.request.user)
            messages.success(self.request, _("The file was received; its import runs in the background."))
        log_security_event("outreach_upload", self.request, data_import=data_import.pk, kind=data_import.kind)
        return redirect("forms_intake_imports:index")


class ImportListView(ImporterRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """The imports, newest first: state, counts, progress of the running ones and the error reports."""

    template_name = "forms_intake/outreach/imports_list.html"
    page_title = _("Data imports")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(DataImport.objects.select_related("uploaded_by")[:LIST_LIMIT])
        job_ids = [row.job_id for row in rows if row.job_id]
        jobs = {str(job.pk): job for job in Job.objects.filter(pk__in=job_ids)}
        context["imports"] = [
            {
                "data_import": row,
                "job": jobs.get(row.job_id),
                # The progress page is the uploader's own (我的任务).
                "own_job": row.uploaded_by_id == self.request.user.pk and row.job_id in jobs,
            }
            for row in rows
        ]
        context["refresh"] = any(row.state in (DataImport.State.QUEUED, DataImport.State.RUNNING) for row in rows)
        context["upload_url"] = reverse("forms_intake_imports:upload")
        return context


def error_report_view(request, pk):
    """The error report of an import as CSV (UTF-8 with BOM); audited."""
    if not request.user.has_perm(imports.IMPORT_PERMISSION):
        raise PermissionDenied
    data_import = get_object_or_404(DataImport, pk=pk)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in imports.error_report_lines(data_import)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{data_import.pk}-errors.csv"'
    log_security_event(
        "outreach_error_report", request, data_import=data_import.pk, rows=data_import.rows_rejected
    )
    return response


def admin_urls():
    """Registered under /admin/outreach/imports/ by forms_intake.wagtail_hooks."""
    return [
        path("", ImportListView.as_view(), name="index"),
        path("upload/", UploadView.as_view(), name="upload"),
        path("<int:pk>/errors.csv", error_report_view, name="errors"),
    ]
