"""Generate realistic Annex 2 submissions in bulk, for load tests and the benchmark (never in production).

    manage.py generate_submissions 1000000            # one million rows
    manage.py generate_submissions 5000 --seed 7      # reproducible small run

Every row is what the wizard would store: a valid resident ID number (GB 11643
check digit) whose region and birth date agree with the hukou county and the
age, a valid mobile number, real Hunan division codes from the Division table
(`load_divisions` first), the queue from `routing.route_submission`, keyed
hashes, masked copies and Fernet-encrypted ID and phone numbers. Distributions
of status, employment, reason, bank, age, channel, proxies and suspect flags
follow the shape of a registration campaign (see `WEIGHTS`).

Speed: Fernet encryption and the Python that builds rows are the cost, so two
worker processes build rows (`--workers`) while the main process streams them
into PostgreSQL with COPY (psycopg 3); on SQLite (development) it falls back
to `bulk_create`. Suspect flags are decided while generating (a re-used ID, a
phone shared by three people…) rather than queried row by row as the wizard
does, which would take hours at this scale.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction

from forms_intake.management.synthetic_submissions import (
    _CONTEXT,
    HISTORICAL_COUNTY_CANDIDATES,
    _build_chunk,
)
from forms_intake.models import Division, Submission, SubmissionTally
from forms_intake.rules import routing


class Command(BaseCommand):
    help = "Generate N realistic submissions in bulk (load tests and benchmarks; refuses in production)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="how many submissions to create")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same people)")
        parser.add_argument("--workers", type=int, default=2, help="processes building rows (default 2)")
        parser.add_argument("--batch-size", type=int, default=10_000, help="rows per COPY/transaction")
        parser.add_argument("--allow-production", action="store_true", help="needed with production settings")

    def handle(self, *args, count, seed, workers, batch_size, allow_production, **options):
        from django.conf import settings

        if settings.PORTAL_ENVIRONMENT == "production" and not allow_production:
            raise CommandError("This creates fake registrations: pass --allow-production to really do it here.")
        if count <= 0:
            raise CommandError("count must be positive.")
        self.verbosity = options.get("verbosity", 1)
        self._last_tenth = 0
        _CONTEXT.clear()
        _CONTEXT.update(self._context())
        as_copy = connection.vendor == "postgresql"
        started = time.monotonic()
        batch_size = max(1, min(batch_size, count))
        tasks = [
            (i, min(batch_size, count - i * batch_size), seed, as_copy)
            for i in range((count + batch_size - 1) // batch_size)
        ]
        created = 0
        if workers > 1 and len(tasks) > 1:
            # Children build rows only and never touch the database; close our
            # connection first (unless inside a transaction, e.g. in tests) so
            # that no child inherits a live socket.
            if not connection.in_atomic_block:
                connection.close()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for task, chunk in zip(tasks, pool.imap(_build_chunk, tasks), strict=True):
                    created += self._store(task, chunk, as_copy)
                    self._progress(created, count, started)
        else:
            for task in tasks:
                created += self._store(task, _build_chunk(task), as_copy)
                self._progress(created, count, started)
        if as_copy:
            # After a bulk load: planner statistics, and the visibility map that lets
            # the queue's counts use index-only scans (autovacuum would get there later).
            # The tally's rows were rewritten once per batch by its triggers: reclaim the old versions.
            with connection.cursor() as cursor:
                for model in (Submission, SubmissionTally):
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM ANALYZE {table}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Created {created} submissions in {elapsed:.1f}s ({created / elapsed:.0f} rows/s).")
        )

    def _context(self):
        hunan = list(
            Division.objects.filter(code__startswith=routing.HUNAN_PREFIX, level__gte=Division.Level.COUNTY)
            .values_list("code", "level", "parent_id")
            .order_by("code")
        )
        counties = {code for code, level, _parent in hunan if level == Division.Level.COUNTY}
        townships = [
            (code, parent) for code, level, parent in hunan if level == Division.Level.TOWNSHIP and parent in counties
        ]
        if not townships:
            raise CommandError("No Hunan townships in the Division table: run `manage.py load_divisions` first.")
        elsewhere = list(
            Division.objects.exclude(code__startswith=routing.HUNAN_PREFIX)
            .filter(level=Division.Level.TOWNSHIP)
            .values_list("code", flat=True)[:500]
        ) or [code for code, _county in townships[:1]]
        all_counties = set(Division.objects.filter(level=Division.Level.COUNTY).values_list("code", flat=True))
        wanted = [t for t, _c in townships] + list(counties) + elsewhere
        levels = dict(Division.objects.filter(code__in=wanted).values_list("code", "level"))
        columns = [f.column for f in Submission._meta.concrete_fields if not f.primary_key]
        now = datetime.now(UTC)
        return {
            "townships": townships,
            "elsewhere": elsewhere,
            "levels": levels,
            "historical": [code for code in HISTORICAL_COUNTY_CANDIDATES if code not in all_counties],
            "columns": columns,
            "encrypted": ("id_number", "phone", "proxy_phone", "proxy_id_number"),
            "today": now.date(),
            "now": now,
        }

    def _store(self, task, chunk, as_copy):
        """Write one chunk in its own transaction; on a reference collision, rebuild it once with new draws."""
        for attempt in range(3):
            try:
                with transaction.atomic():
                    return self._write(chunk, as_copy)
            except IntegrityError:
                # Reference numbers are random: a collision with an existing row has
                # odds of about 1 in 1,200 per million. Draw the chunk again.
                if attempt == 2:
                    raise
                index, count, seed, _as_copy = task
                chunk = _build_chunk((index, count, seed + 7919 * (attempt + 1), as_copy))
        return 0

    def _write(self, chunk, as_copy):
        if as_copy:
            columns = ", ".join(connection.ops.quote_name(c) for c in _CONTEXT["columns"])
            sql = f"COPY {connection.ops.quote_name(Submission._meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
            with connection.cursor() as cursor:
                # Bulk load: a crash may lose the last batches, never corrupt them.
                cursor.execute("SET LOCAL synchronous_commit = off")
                with cursor.copy(sql) as copy:
                    copy.write(chunk)
            return chunk.count(b"\n")
        Submission.objects.bulk_create([Submission(**row) for row in chunk], batch_size=500)
        return len(chunk)

    def _progress(self, created, count, started):
        # About ten progress lines per run (every batch with -v2).
        tenth = created * 10 // count
        if self.verbosity >= 2 or (self.verbosity >= 1 and tenth > self._last_tenth):
            self._last_tenth = tenth
            elapsed = time.monotonic() - started
            self.stdout.write(f"  {created:>9,} / {count:,}  ({elapsed:.0f}s)")
