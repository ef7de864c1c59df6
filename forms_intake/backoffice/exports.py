"""Spreadsheet exports of the queue (CSV/XLSX through Wagtail's export), masked unless permitted, audited."""

from __future__ import annotations

from itertools import islice

from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.services import audit

#: Cell values starting with these would run as formulas in Excel or WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Exports read rows in chunks of this size (a server-side cursor on PostgreSQL) and record one
#: timeline event per exported registration per chunk: memory stays flat whatever the export's size.
EXPORT_AUDIT_BATCH = 2000


#: Processing columns before and after the Annex 2 columns (computed ones are read by the queue's to_row_dict).
EXPORT_HEAD = ["reference", "status_label", "queue_code"]
EXPORT_TAIL = ["channel", "handler_name", "handled_at", "reviewer_name", "reviewed_at", "has_flags", "created_at"]


def export_fields():
    """The export's columns: the schema's exported Annex 2 fields (masked copies, choice labels) in order."""
    return [*EXPORT_HEAD, *(f.export_column for f in annex2.schema().exported), *EXPORT_TAIL]


def export_headings():
    """{column: heading} of the Annex 2 columns: the schema's labels."""
    return {f.export_column: f.label for f in annex2.schema().exported}


#: The columns as of import (``export_fields()`` reads the schema each time).
EXPORT_FIELDS = export_fields()

#: Encrypted columns the list never shows: not read, so never decrypted.
ENCRYPTED_FIELDS = annex2.schema().encrypted


class AuditedExport:
    """Iterates an export queryset in chunks, recording an 'export' event for every row it yields.

    Works as the queryset of Wagtail's spreadsheet export (which only iterates
    it and reads ``.model``), so CSV stays streamed and memory stays flat.
    """

    def __init__(self, queryset, user, spreadsheet_format):
        self.queryset = queryset
        self.model = queryset.model
        self.user = user
        self.note = spreadsheet_format

    def __iter__(self):
        from django.utils import timezone

        from forms_intake.models import SubmissionEvent, SubmissionLogEntry

        iterator = self.queryset.iterator(chunk_size=EXPORT_AUDIT_BATCH)
        now = timezone.now()
        content_type = submission_content_type()
        while True:
            batch = list(islice(iterator, EXPORT_AUDIT_BATCH))
            if not batch:
                return
            SubmissionEvent.objects.bulk_create(
                SubmissionEvent(submission=s, action="export", user=self.user, note=self.note, from_status=s.status,
                                to_status=s.status)
                for s in batch
            )
            SubmissionLogEntry.objects.bulk_create(
                SubmissionLogEntry(submission=s, content_type=content_type, label=s.reference,
                                   action=audit.PREFIX + "export", user=self.user, timestamp=now,
                                   data={"note": self.note})
                for s in batch
            )
            yield from batch


def submission_content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Submission)


