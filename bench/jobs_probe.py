"""The back office's report jobs and the export's audit trail, measured in process (bench/probe.py uses it).

* `report_jobs(client)`: the regional statistical analysis report of the province (seed item 19, division
  430000) and the province-wide summary report (item 22), each as XLSX and as PDF, started as staff start
  it (POST of the screen's form), its task run in this process as a worker runs it, then downloaded: the
  task's time, the job's state and the file's size.
* `audit_marks()` / `audit_counts(...)`: around one export, the export audit entries it wrote and the
  timeline events it added to the exported submissions (issue 15: one entry per export, no timeline event).

Django must be set up (bench/probe.py does it). Models are looked up by app label, screens by URL name.
"""

import time

from django.apps import apps
from django.db.models import Max
from django.urls import NoReverseMatch, reverse

#: (report, URL name of the screen, its form, the task's module and name).
REPORTS = [
    *[(f"regional analysis report, province (item 19), {fmt.upper()}", "forms_intake_regional_report",
       {"division_code": "430000", "file_format": fmt}, "forms_intake.services.regional_report",
       "build_regional_report") for fmt in ("xlsx", "pdf")],
    *[(f"province-wide summary report (item 22), {fmt.upper()}", "forms_intake_summary_report",
       {"file_format": fmt}, "forms_intake.services.summary_report", "build_summary_report")
      for fmt in ("pdf", "xlsx")],
]


def _size(response):
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def report_job(client, label, url_name, form, module, task_name):
    """One report job: start it through its screen, run its task (as a worker would), download the file."""
    import importlib

    try:
        url = reverse(url_name)
        task = getattr(importlib.import_module(module), task_name)
    except (NoReverseMatch, ImportError, AttributeError) as error:
        return {"report": label, "missing": f"no report job ({error})"}
    started = client.post(url, form, secure=True)
    location = started.get("Location", "")
    if started.status_code != 302 or "/jobs/" not in location:
        return {"report": label, "missing": f"starting it answered {started.status_code}, not the job's page"}
    job_id = location.rstrip("/").split("/")[-1]
    t0 = time.perf_counter()
    task.call(job_id)  # what a worker runs
    seconds = round(time.perf_counter() - t0, 1)
    job = apps.get_model("portal_jobs", "Job").objects.get(pk=job_id)
    download = client.get(reverse("forms_intake_jobs:download", args=[job_id]), secure=True)
    return {
        "report": label,
        "division": form.get("division_code", "430000"),
        "seconds": seconds,
        "state": job.state,
        "rows": (job.result or {}).get("rows"),
        "download_status": download.status_code,
        "content_type": download.get("Content-Type", ""),
        "bytes": _size(download) if download.status_code == 200 else 0,
    }


def report_jobs(client):
    """Every report job of REPORTS, for the provincial administrator logged in on `client`."""
    return [report_job(client, *report) for report in REPORTS]


def _max_pk(model):
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def audit_marks():
    """The last export audit entry and timeline event before an export."""
    return {
        "audit": _max_pk(apps.get_model("forms_intake", "ExportAudit")),
        "event": _max_pk(apps.get_model("forms_intake", "SubmissionEvent")),
    }


def audit_counts(marks, status):
    """What one export of the submissions in `status` wrote after `marks`: audit entries and timeline events."""
    audit = apps.get_model("forms_intake", "ExportAudit")
    event = apps.get_model("forms_intake", "SubmissionEvent")
    entries = list(audit.objects.filter(pk__gt=marks["audit"]).values("row_count", "via_job", "unmasked"))
    return {
        "audit_entries": len(entries),
        "audit_rows": [entry["row_count"] for entry in entries],
        "new_events": event.objects.filter(pk__gt=marks["event"], submission__status=status).count(),
    }
