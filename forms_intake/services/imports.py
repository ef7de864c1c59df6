"""Importing insured, population and employer files (seed items 5, 15, 17): read, check, write, swap.

How an upload becomes data:

1. ``receive_upload`` streams the uploaded file into a private directory (JOBS_FILES_DIR/imports,
   mode 0700, files 0600) while hashing it. A file whose content (sha256) was already imported, or is
   being imported, becomes a ``duplicate`` import and changes nothing.
2. ``run_import`` (a job: forms_intake.services.tasks.import_outreach_data) reads it as a stream:
   CSV in UTF-8 (with or without BOM) or GB18030 (UTF-8 is tried strictly first), or XLSX (openpyxl,
   read-only). Columns are found by header name (rules/outreach_columns.py). Each row is checked; a bad
   row goes into the import's error list (row number, column, reason — never the value) and never into
   the tables, and the import goes on.
3. Good rows are written in batches of BATCH_ROWS tagged with the new DataImport (``COPY`` on
   PostgreSQL, ``bulk_create`` elsewhere), so memory stays flat whatever the file's size. Readers only
   ever use the rows of *current* imports (``current_import_ids``): rows of a running, failed or
   killed import are invisible.
4. At the end, one transaction deletes the rows of the older import of the same kind and source and
   marks the new one done. A failure removes the new import's partial rows; a killed worker's rows are
   removed when the job runs again. Either way the previous data stays intact.
5. The raw file is deleted once the import is over (done or failed).

Insured files keep only the minimised fields (hashes, type, place, status, employer code); the suspect
rules that need names or ID numbers run during the import (services/suspects.py).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import logging
import os
import uuid
from datetime import date, datetime
from pathlib import Path

import openpyxl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from forms_intake.models import DataImport, Employer, InsuredPerson, PopulationRecord, SuspectRecord
from forms_intake.models.api import forget_employer_names
from forms_intake.rules import outreach_columns as spec
from forms_intake.rules.crypto import EncryptedTextField, encrypt_many, lookup_hash
from forms_intake.rules.personal_data import id_hash, mask_id_number, mask_phone
from forms_intake.services import suspects
from portal.jobs import files
from portal.jobs.runner import JobLost

logger = logging.getLogger(__name__)

BATCH_ROWS = 10_000
#: Bad rows kept in DataImport.errors (and so in the error report); the count goes on beyond.
MAX_STORED_ERRORS = 50_000
UPLOAD_SUFFIXES = (".csv", ".xlsx")
IMPORT_PERMISSION = "forms_intake.import_outreach_data"
_ACTIVE_OR_DONE = (DataImport.State.QUEUED, DataImport.State.RUNNING, DataImport.State.DONE)

#: What each kind writes: the model and its fields in row order.
TABLES = {
    spec.INSURED: (
        InsuredPerson,
        ("id_number_hash", "name_hash", "insurance_type", "insured_place", "status", "employer_code", "data_import_id"),
    ),
    spec.POPULATION: (
        PopulationRecord,
        (
            "id_number",
            "id_number_hash",
            "id_number_masked",
            "name",
            "birth_date",
            "hukou_division",
            "hukou_address",
            "residence_division",
            "residence_address",
            "phone",
            "phone_masked",
            "source",
            "life_event",
            "data_import_id",
        ),
    ),
    spec.EMPLOYER: (Employer, ("credit_code", "organization_code", "name", "division_code", "data_import_id")),
}


class ImportRefused(Exception):
    """The file cannot be imported at all (unreadable, a required column missing); the message is shown."""


# ---- the private upload directory ----


def uploads_dir() -> Path:
    root = files.files_dir() / "imports"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def upload_path(data_import) -> Path:
    suffix = Path(data_import.file_name).suffix.lower()
    return uploads_dir() / f"{data_import.pk}{suffix if suffix in UPLOAD_SUFFIXES else '.csv'}"


def receive_upload(chunks, *, kind, source, file_name, user=None) -> DataImport:
    """Store an uploaded file (an iterable of bytes chunks) and create its DataImport.

    The import is ``duplicate`` (and the file dropped) when the same content of the same kind was
    already imported or is being imported; otherwise ``queued`` until a job runs it.
    """
    incoming = uploads_dir() / f"incoming-{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    fd = os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    sha = digest.hexdigest()
    duplicate = DataImport.objects.filter(kind=kind, sha256=sha, state__in=_ACTIVE_OR_DONE).first()
    data_import = DataImport.objects.create(
        kind=kind,
        source=source,
        file_name=Path(file_name).name[:200],
        sha256=sha,
        uploaded_by=user,
        state=DataImport.State.DUPLICATE if duplicate else DataImport.State.QUEUED,
        message=_("Same content as import #%(pk)s: nothing changed.") % {"pk": duplicate.pk} if duplicate else "",
    )
    if duplicate:
        incoming.unlink(missing_ok=True)
    else:
        os.replace(incoming, upload_path(data_import))
    return data_import


# ---- reading files ----


def sniff_csv(path: Path) -> tuple[str, int]:
    """(encoding, number of lines): UTF-8 if the whole file decodes strictly, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8, lines = True, 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return ("utf-8-sig" if utf8 else "gb18030"), lines


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class SourceFile:
    """A CSV or XLSX file read row by row: ``total`` (an estimate) and ``rows()`` of (number, cells)."""

    def __init__(self, path: Path):
        self.path = path
        self.is_xlsx = path.suffix.lower() == ".xlsx"
        if self.is_xlsx:
            self.encoding, self.total = None, self._xlsx_total()
        else:
            self.encoding, lines = sniff_csv(path)
            self.total = max(lines - 1, 0)

    def _open_xlsx(self):
        try:
            return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise ImportRefused(_("The file could not be read as an XLSX workbook.")) from exc

    def _xlsx_total(self) -> int:
        workbook = self._open_xlsx()
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 0)
        finally:
            workbook.close()

    def rows(self):
        """Yield (row number as a spreadsheet shows it, [cell texts]), the header row included."""
        if self.is_xlsx:
            workbook = self._open_xlsx()
            try:
                for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                    yield number, [_cell_text(value) for value in values]
            finally:
                workbook.close()
            return
        errors = "strict" if self.encoding.startswith("utf-8") else "replace"
        with open(self.path, encoding=self.encoding, errors=errors, newline="") as handle:
            try:
                for number, cells in enumerate(csv.reader(handle), start=1):
                    yield number, cells
            except csv.Error as exc:
                raise ImportRefused(_("The file is not a readable CSV file.")) from exc


def records(source: SourceFile, kind: str):
    """Yield (row number, {column key: text}) for each non-empty data row; raises ImportRefused on a bad header."""
    positions = None
    for number, cells in source.rows():
        if not any(cell.strip() for cell in cells if cell):
            continue
        if positions is None:
            try:
                positions = spec.match_headers(kind, cells)
            except spec.HeaderError as exc:
                names = ", ".join(f"{c.zh} ({c.en})" for c in exc.missing + exc.repeated)
                if exc.missing:
                    raise ImportRefused(
                        _("Required columns missing from the header row: %(names)s.") % {"names": names}
                    ) from None
                raise ImportRefused(_("Columns named twice in the header row: %(names)s.") % {"names": names}) from None
            continue
        yield number, {key: cells[index] if index < len(cells) else "" for key, index in positions.items()}
    if positions is None:
        raise ImportRefused(_("The file has no header row."))


# ---- writing rows ----


class Sink:
    """Buffers rows of one table and writes them in batches: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model, fields, batch=None):
        self.model, self.fields, self.batch = model, fields, batch or BATCH_ROWS
        self.rows: list[tuple] = []
        self.written = 0
        model_fields = {field.attname: field for field in model._meta.concrete_fields}
        self.encrypted = [i for i, name in enumerate(fields) if isinstance(model_fields[name], EncryptedTextField)]
        self.columns = [model_fields[name].column for name in fields]

    def add(self, row: tuple) -> bool:
        """Add a row; True when a batch was written."""
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()
            return True
        return False

    def flush(self):
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.fields, row, strict=True))) for row in self.rows]
            )
        self.written += len(self.rows)
        self.rows = []

    def _copy(self):
        rows = self.rows
        if self.encrypted:
            # One pass of Fernet per encrypted column of the batch (crypto.encrypt_many), not one call per value.
            columns = [list(column) for column in zip(*rows, strict=True)]
            for index in self.encrypted:
                columns[index] = encrypt_many(columns[index])
            rows = zip(*columns, strict=True)
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


# ---- the import ----


class _NoProgress:
    def set_total(self, total, message=""):
        pass

    def progress(self, done, message="", force=False):
        pass


class _Run:
    """One import run: the file's rows checked, written and counted; suspects collected."""

    def __init__(self, data_import: DataImport, progress):
        self.data_import = data_import
        self.kind = data_import.kind
        self.progress = progress
        self.today = timezone.localdate()
        model, fields = TABLES[self.kind]
        self.sink = Sink(model, fields)
        self.seen = self.rejected = 0
        self.errors: list[list] = []
        self.suspects = suspects.SuspectCollector(data_import, self.today)

    def reject(self, number, problems):
        self.rejected += 1
        for key, reason in problems:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append([number, key, reason])

    def row_values(self, clean) -> tuple:
        pk = self.data_import.pk
        if self.kind == spec.INSURED:
            return (
                id_hash(clean["id_number"].number),
                lookup_hash(clean["name"]),
                clean["insurance_type"],
                clean["insured_place"],
                clean["status"],
                clean["employer_code"] or "",
                pk,
            )
        if self.kind == spec.POPULATION:
            resident = clean["id_number"]
            phone = clean["phone"] or ""
            return (
                resident.number,
                id_hash(resident.number),
                mask_id_number(resident.number),
                clean["name"],
                resident.birth_date,
                clean["hukou_division"] or "",
                clean["hukou_address"] or "",
                clean["residence_division"] or "",
                clean["residence_address"] or "",
                phone,
                mask_phone(phone) if phone else "",
                self.data_import.source,
                clean["life_event"] or "",
                pk,
            )
        code = clean["employer_code"]
        return (
            code if len(code) == 18 else "",
            code if len(code) != 18 else "",
            clean["name"],
            clean["division_code"] or "",
            pk,
        )

    def run(self, source: SourceFile):
        self.progress.set_total(source.total, _("Reading the file…"))
        for number, cells in records(source, self.kind):
            self.seen += 1
            clean, problems = spec.check_row(self.kind, cells, self.today)
            if self.kind == spec.INSURED:
                self.suspects.check_insured_row(clean, problems)
            if problems:
                self.reject(number, problems)
            elif self.sink.add(self.row_values(clean)):
                self.report()
        self.sink.flush()
        self.suspects.flush()
        if connection.vendor == "postgresql":
            # Fresh statistics: the suspect queries that follow would otherwise plan for an empty table.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(self.sink.model._meta.db_table)}")
        self.report(force=True)

    def report(self, force=False):
        DataImport.objects.filter(pk=self.data_import.pk).update(
            rows_total=self.seen, rows_imported=self.sink.written, rows_rejected=self.rejected
        )
        self.progress.progress(self.seen, force=force)


def _discard_rows(data_import):
    """Remove what a run of this import wrote (its rows, its open suspect records)."""
    model, _fields = TABLES[data_import.kind]
    model.objects.filter(data_import=data_import).delete()
    SuspectRecord.objects.filter(data_import=data_import, result="").delete()


def _swap(data_import, run: _Run):
    """Make the new rows current: delete the older import's rows of this kind and source, in one transaction."""
    model, _fields = TABLES[data_import.kind]
    with transaction.atomic():
        older = list(
            DataImport.objects.select_for_update()
            .filter(kind=data_import.kind, source=data_import.source, state=DataImport.State.DONE)
            .exclude(pk=data_import.pk)
            .values_list("pk", flat=True)
        )
        model.objects.filter(data_import_id__in=older).delete()
        DataImport.objects.filter(pk__in=older).update(
            message=_("Replaced by import #%(pk)s.") % {"pk": data_import.pk}
        )
        DataImport.objects.filter(pk=data_import.pk).update(
            state=DataImport.State.DONE,
            rows_total=run.seen,
            rows_imported=run.sink.written,
            rows_rejected=run.rejected,
            errors=run.errors,
            finished_at=timezone.now(),
            message=_("%(imported)s rows imported, %(rejected)s rejected.")
            % {"imported": run.sink.written, "rejected": run.rejected},
        )
    if data_import.kind == spec.EMPLOYER:
        # The rows came by COPY/bulk insert (no post_save): names cached before this import are stale.
        transaction.on_commit(forget_employer_names)


def run_import(data_import: DataImport, progress=None) -> dict:
    """Import the stored file of ``data_import`` (queued, or left running by a killed worker); returns counts.

    Any error leaves the previous data as it was: the import is marked failed, its own rows removed,
    and the exception raised again (ImportRefused carries a message for the user).
    """
    progress = progress or _NoProgress()
    path = upload_path(data_import)
    _discard_rows(data_import)  # a killed earlier run's rows
    DataImport.objects.filter(pk=data_import.pk).update(state=DataImport.State.RUNNING, message="")
    run = _Run(data_import, progress)
    try:
        if not path.is_file():
            raise ImportRefused(_("The uploaded file is no longer there: upload it again."))
        run.run(SourceFile(path))
        progress.progress(run.seen, _("Checking suspect records…"), force=True)
        suspects.after_rows(data_import, run.suspects, lambda: records(SourceFile(path), data_import.kind))
        _swap(data_import, run)
    except JobLost:
        raise  # a later run holds the job now: it starts by removing this run's rows
    except Exception as exc:
        message = (
            str(exc)
            if isinstance(exc, ImportRefused)
            else _("The import failed; the previous data is unchanged. Please try again or contact the administrator.")
        )
        logger.error("import %s (%s) failed: %s", data_import.pk, data_import.kind, type(exc).__name__)
        _discard_rows(data_import)
        DataImport.objects.filter(pk=data_import.pk).update(
            state=DataImport.State.FAILED,
            message=message[:500],
            finished_at=timezone.now(),
            errors=run.errors,
            rows_total=run.seen,
            rows_rejected=run.rejected,
            rows_imported=0,
        )
        path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    suspects.compare_deceased()
    logger.info(
        "import %s (%s): %s rows, %s imported, %s rejected",
        data_import.pk,
        data_import.kind,
        run.seen,
        run.sink.written,
        run.rejected,
    )
    return {"import": data_import.pk, "rows": run.seen, "imported": run.sink.written, "rejected": run.rejected}


def import_file(path, *, kind, source="", user=None) -> DataImport:
    """Import a file now, without a job (the seed and commands); a known content is a duplicate."""
    path = Path(path)
    with open(path, "rb") as handle:
        data_import = receive_upload(
            iter(lambda: handle.read(1 << 20), b""), kind=kind, source=source, file_name=path.name, user=user
        )
    if data_import.state == DataImport.State.QUEUED:
        with contextlib.suppress(ImportRefused):  # the import records why; the caller reads it
            run_import(data_import)
        data_import.refresh_from_db()
    return data_import


# ---- the error report ----


def error_report_lines(data_import):
    """The error report as CSV lines (UTF-8 with BOM, for Excel): row number, column, reason; no values."""

    class _Line:
        def write(self, text):
            return text

    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([_("Row"), _("Column"), _("Reason")])
    for number, key, reason in data_import.errors:
        yield writer.writerow([number, spec.column_label(data_import.kind, key), str(spec.REASONS.get(reason, reason))])
    missing = data_import.rows_rejected - len({row[0] for row in data_import.errors})
    if missing > 0:
        yield writer.writerow(["", "", _("%(count)s more rejected rows are not listed.") % {"count": missing}])
