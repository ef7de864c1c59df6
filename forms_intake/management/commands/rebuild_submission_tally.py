"""Count the submissions afresh into the tally (SubmissionTally) that the statistics and queue counts read.

The tally is kept by PostgreSQL triggers in the same transaction as every write
(migration 0006), so it never needs this in normal operation. Use it after
anything that bypassed the triggers (a restore with triggers disabled, a
manual `ALTER TABLE … DISABLE TRIGGER`): writes to the submissions wait while it
counts, exactly as during the migration.
"""

from importlib import import_module

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# The counting statements as the migration ran them (a migration's SQL is frozen with it).
TALLY_MIGRATION = import_module("forms_intake.migrations.0006_submission_tally")


class Command(BaseCommand):
    help = "Recount every submission into the statistics tally (PostgreSQL; prints the number of tally rows)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The tally is kept on PostgreSQL only; other databases count the rows directly.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE forms_intake_submission IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("DELETE FROM forms_intake_submissiontally")
            cursor.execute(TALLY_MIGRATION.UPSERT.replace("{deltas}", TALLY_MIGRATION.EXISTING))
            cursor.execute("SELECT count(*) FROM forms_intake_submissiontally")
            rows = cursor.fetchone()[0]
        self.stdout.write(f"tally rows: {rows}")
