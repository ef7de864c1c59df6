"""Apply the retention policy: anonymise expired submissions, drop old login records and expired sessions.

Run daily (cron or a scheduled job). See forms_intake/retention.py for what is
removed and README "Security and privacy" for the settings. Prints counts only.
"""

from django.core.management.base import BaseCommand

from forms_intake.services import retention
from portal.security import log_security_event


class Command(BaseCommand):
    help = "Remove personal data whose retention period has ended (idempotent; prints counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the submissions due, change nothing")

    def handle(self, *args, dry_run, **options):
        counts = retention.run(dry_run=dry_run)
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
        if not dry_run:
            log_security_event("purge", **counts)
