"""Retention of personal data: how long each kind of record keeps it, and the purge that removes it.

PIPL Art. 47 requires deleting personal information once its purpose is
fulfilled. The policy lives in settings:

    RETENTION_DAYS = {"rejected": 180, "returned": 365}

A submission in one of these states whose last change (`updated_at`) is older
than the number of days is *anonymised*: every personal field (name, ID and
phone numbers with their hashes and masked copies, proxy details, addresses,
free text) is emptied and the birth date is reduced to its year, while the
row itself stays, so statistics by division, state, reason and age band keep
their counts. States not listed (registered and card issued records, which the
social-insurance rules require to be kept, and open work) are never purged.

Personal data also lives outside the row, and goes too: the timeline's notes and
before/after `changes`, Wagtail log entries' `data`, the search index (when
submissions are indexed), export files left in `RETENTION_EXPORT_DIRS`, staff
sign-in records (django-axes: usernames and addresses, `RETENTION_LOGIN_RECORD_DAYS`)
and abandoned wizard drafts, which are session data: expired sessions are
deleted (Django's `clearsessions`). The outreach wing's data has its own periods
(services/outreach_retention.py, run from here).

Everything here is idempotent: an anonymised row has an empty `id_number_hash`
and is never selected again. Only counts are reported or logged.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.management import call_command
from django.db import transaction
from django.db.models.functions import TruncYear
from django.utils import timezone

from forms_intake.models import Submission, SubmissionEvent, SubmissionLogEntry
from forms_intake.rules import annex2
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import outreach_retention, saved_drafts, verification
from portal.jobs import files as job_files

#: Default policy when settings.RETENTION_DAYS is not set (days since the last change).
DEFAULT_RETENTION_DAYS = {
    SubmissionStatus.REJECTED: 180,
    SubmissionStatus.RETURNED: 365,
}
#: States whose records are kept (the registration itself is the legal record).
KEPT_STATES = {SubmissionStatus.REGISTERED, SubmissionStatus.CARD_ISSUED}

def personal_fields() -> dict:
    """{column: emptied value} of anonymisation: the schema's personal fields with their hashes and
    masked copies, the message to the resident and the wizard's idempotency key."""
    emptied = {}
    for spec in annex2.schema().personal:
        for column in (spec.name, spec.hash_column, spec.masked_column):
            if column:
                emptied[column] = ""
    return {**emptied, "resident_message": "", "idempotency_key": None}


#: Fields emptied by anonymisation (all fields that can identify a person); the birth date is cut to its year.
PERSONAL_FIELDS = personal_fields()

BATCH_SIZE = 500


def retention_days() -> dict[str, int]:
    """The configured policy {state: days}; kept states are refused."""
    policy = dict(getattr(settings, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    kept = KEPT_STATES & set(policy)
    if kept:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"RETENTION_DAYS must not purge records that are kept: {sorted(kept)}")
    unknown = set(policy) - set(SubmissionStatus.values)
    if unknown:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"RETENTION_DAYS names unknown states: {sorted(unknown)}")
    return policy


def due_for_purge(now=None):
    """Submissions whose retention has run out and that still hold personal data."""
    now = now or timezone.now()
    result = Submission.objects.none()
    for state, days in retention_days().items():
        result = result | Submission.objects.filter(status=state, updated_at__lt=now - timedelta(days=int(days)))
    return result.exclude(id_number_hash="")


def anonymise(ids) -> int:
    """Remove the personal data of these submissions everywhere it lives; returns the rows changed."""
    ids = list(ids)
    if not ids:
        return 0
    with transaction.atomic():
        # update() skips save(): updated_at keeps the date the retention was counted from.
        changed = (
            Submission.objects.filter(pk__in=ids)
            .exclude(id_number_hash="")
            .update(**personal_fields(), birth_date=TruncYear("birth_date"))
        )
        SubmissionEvent.objects.filter(submission_id__in=ids).update(note="", changes={})
        SubmissionLogEntry.objects.filter(submission_id__in=ids).update(data={})
        _clean_generic_log_entries(ids)
        _reindex(ids)
    return changed


def _clean_generic_log_entries(ids):
    # Entries written before submissions had their own log model (or by other code paths).
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    content_type = ContentType.objects.get_for_model(Submission)
    ModelLogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in ids]).update(data={})


def _reindex(ids):
    from wagtail.search import index

    if issubclass(Submission, index.Indexed):
        for submission in Submission.objects.filter(pk__in=ids):
            index.insert_or_update_object(submission)


def purge_export_files(now=None) -> int:
    """Delete export files: jobs' result files past their expiry (JOBS_FILES_DIR, portal.jobs), and files
    older than RETENTION_EXPORT_DAYS in RETENTION_EXPORT_DIRS; returns how many."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=int(getattr(settings, "RETENTION_EXPORT_DAYS", 7)))).timestamp()
    removed = job_files.purge_files(now)
    for directory in getattr(settings, "RETENTION_EXPORT_DIRS", []):
        root = Path(directory)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def purge_login_records(now=None) -> int:
    """Delete django-axes records (usernames, addresses, user agents) older than the retention."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = now or timezone.now()
    cutoff = now - timedelta(days=int(getattr(settings, "RETENTION_LOGIN_RECORD_DAYS", 90)))
    removed = 0
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        removed += model.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return removed


def purge_sessions(now=None) -> int:
    """Delete expired sessions (abandoned wizard drafts) and stale sign-in index rows."""
    from portal.staff_sessions.models import UserSession

    now = now or timezone.now()
    engine = import_module(settings.SESSION_ENGINE)
    call_command("clearsessions", verbosity=0)
    # Database-backed engines (db, cached_db, portal/session_store.py) can list the live sessions.
    if issubclass(engine.SessionStore, DatabaseSessionStore):
        live = engine.SessionStore.get_model_class().objects.filter(expire_date__gt=now).values("session_key")
        return UserSession.objects.exclude(session_key__in=live).delete()[0]
    cutoff = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(created_at__lt=cutoff).delete()[0]


def run(now=None, dry_run=False) -> dict[str, int]:
    """Apply the whole retention policy once; returns counts (safe to run any number of times)."""
    now = now or timezone.now()
    due = list(due_for_purge(now).order_by("pk").values_list("pk", flat=True))
    counts = {"submissions_due": len(due), "submissions_anonymised": 0}
    if dry_run:
        return counts
    for start in range(0, len(due), BATCH_SIZE):
        counts["submissions_anonymised"] += anonymise(due[start : start + BATCH_SIZE])
    counts["export_files_deleted"] = purge_export_files(now)
    counts["login_records_deleted"] = purge_login_records(now)
    counts["stale_session_index_rows_deleted"] = purge_sessions(now)
    # One-time SMS codes past their expiry and their hour of send limits (keyed hashes only).
    counts["verification_codes_deleted"] = verification.purge_expired(now)
    # Registrations saved to come back to later, past their 7 days (encrypted answers).
    counts["saved_drafts_deleted"] = saved_drafts.purge_expired(now)
    # Outreach data (imported rows, roster and visits, suspect records): services/outreach_retention.py.
    counts.update(outreach_retention.purge(now))
    return counts
