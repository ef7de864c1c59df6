"""Background jobs in the back office: large exports as jobs, and 我的任务 (my jobs) with progress and download.

An export of more than EXPORT_JOB_THRESHOLD rows asks for confirmation and then
runs as a job (portal.jobs) on a worker: the same view that streams small
exports is rebuilt in the worker from the listing's URL name and query string,
so fields, headings, masking, filters and scope are exactly the listing's. The
file is encrypted at rest with FIELD_ENCRYPTION_KEYS, downloadable only by the
user who started it, until it expires (JOBS_RESULT_TTL); each download is a
security event. docs/jobs.md has the whole story.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_tasks import task
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.backoffice.exports import AuditedExport
from forms_intake.backoffice.filters import ID_SEARCH_PARAM
from forms_intake.rules.crypto import get_fernet
from portal.db_router import read_replica
from portal.jobs import files, runner
from portal.jobs.models import Job, JobState
from portal.security import log_security_event

EXPORT_KIND = "registrations_export"
#: The listings whose large exports run as jobs: the queue, my items and the reviewer's two lists.
EXPORT_VIEWS = (
    "forms_intake_submission:index",
    "forms_intake_submission:mine",
    "forms_intake_review:to_check",
    "forms_intake_review:registered",
)
EXPORT_FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Query parameters that never reach a job: paging, and the export switch (the job sets it).
DROPPED_PARAMS = ("p", "export")
VIEW_PERMISSION = "forms_intake.view_submission"

#: What each kind of job is called on 我的任务.
KIND_LABELS = {
    EXPORT_KIND: _("Export of registrations"),
    "rebuild_submission_tally": _("Recount of the statistics tally"),
    "purge_personal_data": _("Retention purge"),
    "outreach_comparison": _("Comparison of population, insured and registered data"),
    "regional_report": _("Regional statistical analysis report"),
    "summary_report": _("Province-wide summary report"),
    "registrations_print": _("Registration forms as one PDF"),  # bulk_print_job.py
}
#: The content type of a job's file by its result's format.
RESULT_TYPES = {**EXPORT_FORMATS, "pdf": "application/pdf"}


def job_threshold() -> int:
    return int(getattr(settings, "EXPORT_JOB_THRESHOLD", 2000))


def export_params(request, spreadsheet_format) -> dict:
    """What identifies an export: the listing, its filters and search, the format and the language."""
    query = request.GET.copy()
    for name in DROPPED_PARAMS:
        query.pop(name, None)
    return {
        "view": request.resolver_match.view_name,
        "query": "&".join(sorted(query.urlencode().split("&"))) if query else "",
        "format": spreadsheet_format,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def export_job_response(view, request, spreadsheet_format):
    """For the queue's export: a confirmation page when the export is large enough for a job, else None.

    An ID-number search is never a job: it reads one person's rows, and its hash
    lives in the session, which a worker does not have.
    """
    match = request.resolver_match
    if match is None or match.view_name not in EXPORT_VIEWS or request.GET.get(ID_SEARCH_PARAM):
        return None
    if spreadsheet_format not in EXPORT_FORMATS:
        return None
    # A bounded count: deciding "large" must not count a million rows (COUNT over a LIMIT subquery).
    threshold = job_threshold()
    if view.get_queryset().order_by()[: threshold + 1].count() <= threshold:
        return None
    params = export_params(request, spreadsheet_format)
    context = {
        "threshold": threshold,
        "params": params,
        "spreadsheet_format": spreadsheet_format,
        "back_url": f"{request.path}?{params['query']}" if params["query"] else request.path,
        "page_title": _("Large export"),
        "header_icon": "download",
    }
    return TemplateResponse(request, "forms_intake/admin/export_job_confirm.html", context)


def build_export_view(params, user):
    """The listing view of an export, set up as for a GET of its export URL by `user` (used by the worker)."""
    if params.get("view") not in EXPORT_VIEWS or params.get("format") not in EXPORT_FORMATS:
        raise runner.JobRefused("This export cannot run as a job.")
    url = reverse(params["view"])
    try:
        match = resolve(url)
    except Resolver404 as exc:
        raise runner.JobRefused("This export cannot run as a job.") from exc
    query = QueryDict(params.get("query", ""), mutable=True)
    query["export"] = params["format"]
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = url
    request.GET = query
    request.user = user
    request.session = {}  # no ID-number search reaches a job (export_job_response)
    request.resolver_match = match
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    return view


def write_export(context):
    """The export job: the listing's rows, audited, written encrypted chunk by chunk with progress."""
    job, params = context.job, context.params
    user = job.user
    if user is None or not user.is_active or not user.has_perm(VIEW_PERMISSION):
        raise runner.JobRefused("You no longer have access to the registrations.")
    # The rows are read on the replica when it is fit for it (portal/db_router.py); writes stay on the primary.
    with translation.override(params.get("language") or settings.LANGUAGE_CODE), read_replica("export job"):
        view = build_export_view(params, user)
        queryset = view.get_queryset()
        context.set_total(queryset.count())
        spreadsheet_format = params["format"]
        rows = context.counting(AuditedExport(queryset, user, spreadsheet_format, view=view, via_job=True), every=200)
        part = context.part_path()
        with files.encrypted_writer(part, get_fernet()) as out:
            if spreadsheet_format == "csv":
                for line in view.stream_csv(rows):
                    out.write(line if isinstance(line, bytes) else line.encode("utf-8"))
            else:
                # openpyxl needs the whole workbook to zip it: a few MB for 50,000 rows, in memory only.
                buffer = BytesIO()
                view.write_xlsx(rows, buffer)
                out.write(buffer.getvalue())
    suffix = f".{spreadsheet_format}.enc"
    return {"file": part, "suffix": suffix, "rows": rows.count,
            "filename": f"{view.get_filename()}.{spreadsheet_format}", "format": spreadsheet_format}


@task()
def export_registrations(job_id):
    """Task: run the export job `job_id` (its parameters are in the Job row, never in the queue)."""
    return runner.run(job_id, write_export)


# ---- views ----


@require_POST
@permission_required(VIEW_PERMISSION, raise_exception=True)
def start_export_view(request):
    """Start (or rejoin) the export job described by the confirmation form; then show its progress."""
    spreadsheet_format = request.POST.get("format", "")
    view_name = request.POST.get("view", "")
    if view_name not in EXPORT_VIEWS or spreadsheet_format not in EXPORT_FORMATS:
        return TemplateResponse(
            request, "forms_intake/admin/job_error.html",
            {"page_title": _("Large export"), "message": _("This export cannot be started. Go back to the "
                                                          "list and use its export button again.")},
            status=400,
        )
    params = {
        "view": view_name,
        "query": request.POST.get("query", "")[:2000],
        "format": spreadsheet_format,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    job, _created = runner.start(export_registrations, user=request.user, kind=EXPORT_KIND, params=params,
                                 message=str(_("Waiting for a worker…")))
    return redirect("forms_intake_jobs:detail", pk=job.pk)


def own_job_or_404(request, pk) -> Job:
    """A job of the signed-in user (anyone else's is 'not found', never 'forbidden')."""
    return get_object_or_404(Job, pk=pk, user=request.user)


def _recover(job):
    # A job whose worker died is queued again the next time its owner looks at it.
    if job.is_active and runner.requeue_stalled(job):
        job.refresh_from_db()
    return job


def job_download_available(job, now=None) -> bool:
    now = now or timezone.now()
    return job.state == JobState.DONE and bool(job.result_file) and (job.expires_at is None or job.expires_at > now)


class MyJobsView(WagtailAdminTemplateMixin, TemplateView):
    """我的任务: the user's jobs, newest first, with their state and download links."""

    template_name = "forms_intake/admin/jobs.html"
    page_title = _("My jobs")
    header_icon = "tasks"
    LIMIT = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = list(Job.objects.filter(user=self.request.user)[: self.LIMIT])
        now = timezone.now()
        context["jobs"] = [
            {"job": job, "label": KIND_LABELS.get(job.kind, job.kind), "download": job_download_available(job, now)}
            for job in jobs
        ]
        context["refresh"] = any(job.is_active for job in jobs)
        return context


class JobDetailView(WagtailAdminTemplateMixin, TemplateView):
    """One job: a progress bar that refreshes while it runs, then its result and download link."""

    template_name = "forms_intake/admin/job_detail.html"
    header_icon = "tasks"

    def get_page_title(self):
        return KIND_LABELS.get(self.job.kind, self.job.kind)

    def get(self, request, *args, pk, **kwargs):
        self.job = _recover(own_job_or_404(request, pk))
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(),
                {"url": reverse("forms_intake_jobs:index"), "label": _("My jobs")},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(job=self.job, download=job_download_available(self.job), refresh=self.job.is_active)
        return context


def progress_view(request, pk):
    """The job's progress as JSON (for a script that polls; the page itself refreshes without one)."""
    job = _recover(own_job_or_404(request, pk))
    return JsonResponse({
        "state": job.state, "done": job.done, "total": job.total, "percent": job.percent,
        "message": job.message, "download": job_download_available(job),
        "download_url": reverse("forms_intake_jobs:download", args=[job.pk]) if job_download_available(job) else "",
    })


def download_view(request, pk):
    """The result file, decrypted as it streams, for the job's own user until it expires; audited."""
    job = own_job_or_404(request, pk)
    if not job_download_available(job):
        message = (_("This download has expired. Start the export again from the list.")
                   if job.state in (JobState.DONE, JobState.EXPIRED) else _("This job has no file to download."))
        return TemplateResponse(request, "forms_intake/admin/job_error.html",
                                {"page_title": _("Download"), "message": message}, status=410)
    path = files.files_dir() / job.result_file
    if not path.is_file():
        raise Http404("file gone")
    filename = job.result.get("filename") or job.result_file
    content_type = RESULT_TYPES.get(job.result.get("format"), "application/octet-stream")
    response = StreamingHttpResponse(files.decrypted_chunks(path, get_fernet()), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    log_security_event("export_download", request, job=str(job.pk), rows=job.result.get("rows", 0),
                       format=str(job.result.get("format", ""))[:10])
    return response


def admin_urls():
    """The URLs of 我的任务 and the export job (registered by forms_intake.wagtail_hooks)."""
    urls = [
        path("", MyJobsView.as_view(), name="index"),
        path("<uuid:pk>/", JobDetailView.as_view(), name="detail"),
        path("<uuid:pk>/progress/", progress_view, name="progress"),
        path("<uuid:pk>/download/", download_view, name="download"),
        path("export/", start_export_view, name="start_export"),
    ]
    return urls
