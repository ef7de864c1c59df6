"""Spreadsheet exports of the queue (CSV/XLSX through Wagtail's export), masked unless permitted, audited.

What Excel and WPS on a Chinese Windows need to open the file as it is: a UTF-8 byte-order mark and
``charset=utf-8`` on the CSV, times in Beijing time (``TIME_ZONE``, what the admin shows), the labels staff
read instead of codes (the Annex 2 schema's choices, 是/否 for flags), and a formula guard on free-text
cells of the CSV only (XLSX cells are typed: a text cell is never evaluated).

Every export is recorded once, in ``ExportAudit`` (who, when, filter, row count, masked or not), and in
the security log (portal/security.py, per request); the exported submissions' timelines are left alone.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from forms_intake.models import ExportAudit, Submission
from forms_intake.rules import annex2
from forms_intake.rules.reference import is_valid_reference_number

#: Cell values starting with these would run as formulas in Excel or WPS (CSV only).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A phone number as stored (E.164): its leading "+" is a number's sign of origin, not a formula.
E164 = re.compile(r"\+\d{6,15}")
#: Exports read rows in chunks of this size (a server-side cursor on PostgreSQL): memory stays flat.
EXPORT_CHUNK = 2000
#: Kept for the name other modules know; the chunk size of the export's cursor.
EXPORT_AUDIT_BATCH = EXPORT_CHUNK
#: The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only when the file starts with it.
CSV_BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

#: Processing columns before and after the Annex 2 columns (computed ones are read by ``export_value``).
EXPORT_HEAD = ["reference", "status_label", "queue_code"]
EXPORT_TAIL = ["channel", "handler_name", "handled_at", "reviewer_name", "reviewed_at", "has_flags", "created_at"]
#: Columns holding a phone number (masked or not): exempt from the formula guard when they match E.164.
PHONE_KINDS = ("phone",)


def export_fields():
    """The export's columns: the schema's exported Annex 2 fields (masked copies, choice labels) in order."""
    return [*EXPORT_HEAD, *(f.export_column for f in annex2.schema().exported), *EXPORT_TAIL]


def export_headings():
    """{column: heading} of the Annex 2 columns: the schema's labels."""
    return {f.export_column: f.label for f in annex2.schema().exported}


def schema_columns():
    """{export column: schema Field}, including the unmasked column names (``id_number``, ``phone``)."""
    columns = {}
    for spec in annex2.schema().exported:
        columns[spec.export_column] = spec
        columns[spec.name] = spec
    return columns


#: The columns as of import (``export_fields()`` reads the schema each time).
EXPORT_FIELDS = export_fields()

#: Encrypted columns the list never shows: not read, so never decrypted.
ENCRYPTED_FIELDS = annex2.schema().encrypted


def yes_no(value):
    """是/否 (Yes/No in the user's language) for a boolean cell."""
    return _("Yes") if value else _("No")


def local_time(value):
    """An aware datetime as naive Beijing time (``TIME_ZONE``), to the second: what the admin shows."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    return value


def cell_value(spec, item, column):
    """The value of one Annex 2 column of ``item``: choice labels, division names, Beijing time."""
    value = getattr(item, column) if hasattr(item, column) else getattr(item, spec.name)
    if spec.choices is not None and column in (spec.name, f"{spec.name}_label"):
        value = spec.choice_label(getattr(item, spec.name))
    elif spec.kind == "division":
        value = "" if value is None else str(value)
    elif spec.kind == "bool":
        value = yes_no(value)
    return local_time(value)


def csv_guard(column, value, phone_columns):
    """A leading quote before free text that Excel/WPS would evaluate as a formula (CSV only).

    A phone column's E.164 number keeps its "+": it is a phone number, not a formula.
    """
    if not isinstance(value, str) or value[:1] not in FORMULA_PREFIXES:
        return value
    if column in phone_columns and E164.fullmatch(value):
        return value
    return "'" + value


def phone_columns():
    """The export columns (masked or not) that hold phone numbers."""
    names = set()
    for spec in annex2.schema().exported:
        if spec.kind in PHONE_KINDS:
            names.update({spec.name, spec.export_column})
    return names


def recorded_filter(params):
    """The export's filter as recorded: the query parameters, a name search replaced by a marker.

    A reference number is kept (it identifies no person); a name typed into the search is not stored.
    """
    recorded = {}
    for key in params:
        if key in ("export", "p"):
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        if key == "q":
            values = [v if is_valid_reference_number(v) else "[name search]" for v in values if v]
        if values:
            recorded[key] = values
    return recorded


class AuditedExport:
    """Iterates an export queryset in chunks and records the export once (``ExportAudit``).

    Works as the queryset of Wagtail's spreadsheet export (which only iterates
    it and reads ``.model``), so CSV stays streamed and memory stays flat. The
    entry is written when the first row is read (an interrupted download is still
    recorded) and its row count when the last one has been read.
    """

    def __init__(self, queryset, user, spreadsheet_format, *, view=None, via_job=False):
        self.queryset = queryset
        self.model = queryset.model
        self.user = user
        self.format = spreadsheet_format
        self.view = view
        self.via_job = via_job

    def details(self):
        view = self.view
        params = getattr(getattr(view, "request", None), "GET", {}) if view is not None else {}
        return {
            "listing": getattr(view, "audit_listing", "registrations") if view is not None else "registrations",
            "filters": recorded_filter(params),
            "unmasked": bool(getattr(view, "unmasked", False)),
        }

    def __iter__(self):
        entry = ExportAudit.objects.create(user=self.user, format=self.format, via_job=self.via_job, **self.details())
        count = 0
        for row in self.queryset.iterator(chunk_size=EXPORT_CHUNK):
            count += 1
            yield row
        ExportAudit.objects.filter(pk=entry.pk).update(row_count=count, finished_at=timezone.now())


def submission_content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Submission)
