"""Count the submissions afresh into the tally (SubmissionTally) that the statistics and queue counts read.

The tally is kept by PostgreSQL triggers in the same transaction as every write
(migration 0006), so it never needs this in normal operation. Use it after
anything that bypassed the triggers (a restore with triggers disabled, a
manual `ALTER TABLE … DISABLE TRIGGER`): writes to the submissions wait while it
counts, exactly as during the migration.
"""

from django.core.management.base import BaseCommand, CommandError

from forms_intake.services import tasks
from portal.jobs import runner


class Command(BaseCommand):
    help = "Recount every submission into the statistics tally (PostgreSQL; prints the number of tally rows)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="run it as a background job on a worker")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            job, created = runner.start(tasks.rebuild_submission_tally, user=None, kind="rebuild_submission_tally",
                                        params={})
            self.stdout.write(f"job {job.pk} {'queued' if created else 'already queued or running'}")
            return
        try:
            rows = tasks.rebuild_tally()
        except tasks.TallyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"tally rows: {rows}")
