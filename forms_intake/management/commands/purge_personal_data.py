"""Apply the retention policy: anonymise expired submissions, drop old login records and expired sessions.

Run daily (cron or a scheduled job). See forms_intake/retention.py for what is
removed and README "Security and privacy" for the settings. Prints counts only.
"""

from django.core.management.base import BaseCommand

from forms_intake.services import retention, tasks
from portal.jobs import runner
from portal.security import log_security_event


class Command(BaseCommand):
    help = "Remove personal data whose retention period has ended (idempotent; prints counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the submissions due, change nothing")
        parser.add_argument("--enqueue", action="store_true", help="run it as a background job on a worker")

    def handle(self, *args, dry_run, enqueue=False, **options):
        if enqueue:
            job, created = runner.start(tasks.purge_personal_data, user=None, kind="purge_personal_data",
                                        params={"dry_run": dry_run})
            self.stdout.write(f"job {job.pk} {'queued' if created else 'already queued or running'}")
            return
        counts = retention.run(dry_run=dry_run)
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
        if not dry_run:
            log_security_event("purge", **counts)
