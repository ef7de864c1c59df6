"""Background tasks of the registrations app on Django's tasks framework (run by `manage.py jobs_worker`).

Each task takes the id of a portal.jobs Job and runs through `runner.run`, so it
shows its progress, survives a killed worker and completes once. The export
task needs the listing view and lives with it in forms_intake/backoffice/jobs.py;
the two here are the maintenance commands', started with `--enqueue`. `deliver_webhooks` sends the
outbox's webhook deliveries (services/deliveries.py; no Job: it is kicked after each change and re-enqueues
itself for the next retry).
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.db import connections, transaction
from django_tasks import task

from forms_intake.models import DataImport
from forms_intake.services import deliveries, imports, retention, roster
from portal.jobs import runner
from portal.security import log_security_event

# The counting statements as the migration ran them (a migration's SQL is frozen with it).
TALLY_MIGRATION = import_module("forms_intake.migrations.0006_submission_tally")


class TallyUnavailable(runner.JobRefused):
    """The tally is kept on PostgreSQL only."""


def rebuild_tally(using="default") -> int:
    """Recount every submission into the tally (writes to submissions wait meanwhile); returns the tally rows."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise TallyUnavailable("The tally is kept on PostgreSQL only; other databases count the rows directly.")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE forms_intake_submission IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DELETE FROM forms_intake_submissiontally")
        cursor.execute(TALLY_MIGRATION.UPSERT.replace("{deltas}", TALLY_MIGRATION.EXISTING))
        cursor.execute("SELECT count(*) FROM forms_intake_submissiontally")
        return cursor.fetchone()[0]


def _rebuild(context):
    context.progress(0, message="Counting…", force=True)
    return {"tally_rows": rebuild_tally()}


def _purge(context):
    dry_run = bool(context.params.get("dry_run"))
    context.progress(0, message="Purging…", force=True)
    counts = retention.run(dry_run=dry_run)
    if not dry_run:
        log_security_event("purge", **counts)
    return counts


@task()
def rebuild_submission_tally(job_id):
    """Task: recount the statistics tally (see `manage.py rebuild_submission_tally --enqueue`)."""
    return runner.run(job_id, _rebuild)


@task()
def purge_personal_data(job_id):
    """Task: apply the retention policy once (see `manage.py purge_personal_data --enqueue`)."""
    return runner.run(job_id, _purge)


# ---- imports of insured, population and employer files (forms_intake/services/imports.py) ----

IMPORT_JOB_KIND = "outreach_import"


def _import(context):
    data_import = DataImport.objects.filter(pk=context.params.get("import_id")).first()
    if data_import is None or data_import.state not in (DataImport.State.QUEUED, DataImport.State.RUNNING):
        raise runner.JobRefused("This import is no longer waiting to run.")
    user = context.job.user
    if user is not None and not (user.is_active and user.has_perm(imports.IMPORT_PERMISSION)):
        DataImport.objects.filter(pk=data_import.pk).update(state=DataImport.State.FAILED,
                                                            message="The uploader may no longer import data.")
        raise runner.JobRefused("You may no longer import data.")
    try:
        result = imports.run_import(data_import, progress=context)
    except imports.ImportRefused as exc:
        raise runner.JobRefused(str(exc)) from None
    if data_import.kind in (DataImport.Kind.INSURED, DataImport.Kind.POPULATION):
        # The roster is recomputed after each import of people (one waiting comparison is shared).
        result["comparison_job"] = str(enqueue_comparison(user).pk)
    return result


@task()
def import_outreach_data(job_id):
    """Task: import one uploaded file (its DataImport id is in the Job's parameters)."""
    return runner.run(job_id, _import)


def start_import(data_import, user):
    """Start the job that imports ``data_import``; returns the Job (also linked from the import)."""
    job, _created = runner.start(import_outreach_data, user=user, kind=IMPORT_JOB_KIND,
                                 params={"import_id": data_import.pk}, message="Waiting for a worker…")
    DataImport.objects.filter(pk=data_import.pk).update(job_id=str(job.pk))
    data_import.job_id = str(job.pk)
    return job


@task()
def deliver_webhooks():
    """Task: deliver the webhook deliveries due now; enqueue itself again for the next retry, if any."""
    while True:
        counts = deliveries.deliver_due()
        if not counts["delivered"] and not counts["failed"]:
            break
    nxt = counts.get("next_attempt_at")
    if nxt is not None and deliver_webhooks.get_backend().supports_defer:
        deliver_webhooks.using(run_after=nxt).enqueue()
    return {key: value for key, value in counts.items() if key != "next_attempt_at"}


def kick_deliveries():
    """After a commit that wrote deliveries: ask a worker to send them (never in the request itself)."""
    try:
        deliver_webhooks.enqueue()
    except Exception:  # the outbox keeps the deliveries; the next kick or retry sends them
        logging.getLogger(__name__).exception("Could not enqueue webhook deliveries")


# ---- the roster comparison (issue 12, seed item 17) ----

COMPARISON_KIND = "outreach_comparison"
#: The comparison's steps (services/roster.compare reports each): the progress bar's total.
COMPARISON_STEPS = 7


def _compare(context):
    context.set_total(COMPARISON_STEPS, message="Comparing…")
    return roster.compare(progress=lambda step, message: context.progress(step, message=message, force=True))


@task()
def compare_population(job_id):
    """Task: population minus insured minus registered → the roster, coverage counts, 已参保 flags."""
    return runner.run(job_id, _compare)


def enqueue_comparison(user=None):
    """Start the comparison as a job, or return the one already waiting (imports call this when done).

    One job at a time per starter: several imports finishing together share one comparison.
    """
    job, _created = runner.start(compare_population, user=user, kind=COMPARISON_KIND, params={},
                                 total=COMPARISON_STEPS, message="Waiting for a worker…")
    return job
