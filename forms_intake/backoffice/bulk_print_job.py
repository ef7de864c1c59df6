"""Printing many selected forms as one PDF on a worker (portal.jobs), as large exports run.

Up to ``INLINE_PDF_FORMS`` forms the PDF is rendered in the request (~0.4 s a form); more (up to
``bulk_actions.MAX_PDF_FORMS``) become a job: the task carries the job's id only, the ids stay in the
job's parameters, and the worker renders the forms again within the user's divisions at that moment
(a form that left them is not printed), records a ``print`` per form it renders, and writes the PDF
encrypted at rest; only that user downloads it from 我的任务, until it expires (docs/jobs.md).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django_tasks import task

from forms_intake.backoffice.policy import REVEAL
from forms_intake.models import Submission
from forms_intake.rules.crypto import get_fernet
from forms_intake.services import audit
from forms_intake.services.bulk_pdf import PRINT_RELATED, forms_filename, render_many_pdf
from forms_intake.services.scope import scoped_submissions
from portal.jobs import files, runner

PRINT_KIND = "registrations_print"
#: The most forms rendered inside a request; a larger selection is printed by a worker.
INLINE_PDF_FORMS = 20


def start_print_job(request, submissions):
    """Start (or rejoin) the job printing `submissions`; returns the Job."""
    params = {
        "ids": [submission.pk for submission in submissions],
        "host": request.get_host(),  # the printable template's links resolve against it (static files only)
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    job, _created = runner.start(print_forms, user=request.user, kind=PRINT_KIND, params=params,
                                 total=len(submissions), message="")
    return job


def worker_request(user, host):
    """A request for rendering the printable template in the worker (user, host; no session)."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = "/"
    request.META = {"HTTP_HOST": host, "SERVER_NAME": host.split(":")[0], "SERVER_PORT": "80"}
    request.user = user
    request.session = {}
    return request


def write_forms_pdf(context):
    """The print job: the selected forms still in the user's scope, one page each, audited, encrypted."""
    job, params = context.job, context.params
    user = job.user
    if user is None or not user.is_active or not user.has_perm(REVEAL):
        raise runner.JobRefused("You may no longer print registration forms.")
    ids = [int(pk) for pk in params.get("ids", [])]
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        submissions = list(scoped_submissions(user, Submission.objects.select_related(*PRINT_RELATED))
                           .filter(pk__in=ids).order_by("created_at", "pk"))
        if not submissions:
            raise runner.JobRefused("None of the selected registrations is in your divisions any more.")
        context.set_total(len(submissions))
        content = render_many_pdf(worker_request(user, params.get("host") or "localhost"), submissions)
    for submission in submissions:
        audit.record(submission, "print", user, from_status=submission.status, to_status=submission.status,
                     note="PDF")
    context.progress(len(submissions), force=True)
    part = context.part_path()
    with files.encrypted_writer(part, get_fernet()) as out:
        out.write(content)
    return {"file": part, "suffix": ".pdf.enc", "rows": len(submissions), "format": "pdf",
            "filename": forms_filename(len(submissions))}


@task()
def print_forms(job_id):
    """Task: run the print job `job_id` (its parameters are in the Job row, never in the queue)."""
    return runner.run(job_id, write_forms_pdf)
