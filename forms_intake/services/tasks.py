"""Background tasks of the registrations app on Django's tasks framework (run by `manage.py jobs_worker`).

Each task takes the id of a portal.jobs Job and runs through `runner.run`, so it
shows its progress, survives a killed worker and completes once. The export
task needs the listing view and lives with it in forms_intake/backoffice/jobs.py;
the two here are the maintenance commands', started with `--enqueue`.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connections, transaction
from django_tasks import task

from forms_intake.services import retention
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
