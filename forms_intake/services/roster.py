"""The comparison of seed item 17: staged population minus insured minus registered → the roster.

``compare()`` consumes the population rows of finished imports (``PopulationRecord`` is a staging
table) in one transaction, set-based in the database, joining on the keyed ID hash:

- each person (one ``id_number_hash``, however many sources name them) is classified once:
  deceased or moved out (civil affairs' life events) → counted, not kept; actively insured
  (``InsuredPerson``) → counted; registered (a ``Submission`` in any state but 不予登记) → counted;
  anyone else → a ``RosterEntry``, upserted by the hash so that it keeps its visits and status;
- an existing entry whose person is now insured, registered, deceased or moved out is *settled*: its
  status says so and its personal fields are emptied (data minimisation: only the keyed hash, the
  masked ID and the visit history stay);
- ``CoverageCount`` holds, per township (or county) queue code and village, the batch's people that
  are *not* on the roster; roster entries are counted live by their status (services/coverage.py), so
  a registration on the spot moves the coverage rate at once and nobody is counted twice. A batch is
  taken as the full population of the townships it covers: their counts are replaced, other
  townships' counts stay;
- the staged rows of the batch are then deleted.

``flag_already_insured_submissions()`` is the 已参保 check on the submissions (run by the same job).

Why raw SQL in this module: the comparison needs window functions over the staging table, a
temporary table of classified people, ``INSERT … SELECT … ON CONFLICT DO UPDATE`` and updates joined
to it; the ORM cannot say these set-based, and row-by-row work in Python would neither be fast nor
keep memory flat at millions of rows. Every statement runs on PostgreSQL and on SQLite (≥ 3.25; the
``make run`` default). Only table and column names come from code; values are bound parameters.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from forms_intake.models import (
    CoverageCount,
    DataImport,
    InsuredPerson,
    PopulationRecord,
    RosterEntry,
    Submission,
    SubmissionInsurance,
)
from forms_intake.models.outreach import InsuredStatus, LifeEvent
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from forms_intake.rules.routing import HUNAN_PREFIX, UNASSIGNED_QUEUE
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services.flags import FLAG_FIELDS

Status = RosterEntry.Status

#: Statuses of a roster row still being worked: a recomputation refreshes its address and phone.
OPEN_STATUSES = (Status.TO_VISIT, Status.REVISIT)
#: Masks are computed in Python (they need the plaintext) for this many new entries at a time.
MASK_BATCH = 2000
#: Source preference when several files name the same person: household registration first.
SOURCE_ORDER = ("police", "health", "civil_affairs")
#: A lock key for pg_advisory_xact_lock: one comparison at a time.
_LOCK_KEY = 4301_7017

PEOPLE = "roster_compare_people"
BATCH = "roster_compare_batch"


def _queue_case(column: str) -> str:
    """SQL for the queue code of a division code column: township (9), county (6), else NULL.

    Follows routing.scope_prefix: a 12-digit statistical code ("430102001003") belongs to its
    township; "430102000000" or "430102" is a county; a city or province is too coarse for a door.
    """
    c = "TRIM(" + column + ")"
    hunan = "SUBSTR(" + c + ", 1, 2) = '" + HUNAN_PREFIX + "'"
    return (
        "CASE WHEN " + hunan + " AND LENGTH(" + c + ") IN (9, 12) AND SUBSTR(" + c + ", 7, 3) <> '000' "
        "THEN SUBSTR(" + c + ", 1, 9) "
        "WHEN " + hunan + " AND LENGTH(" + c + ") IN (6, 9, 12) AND SUBSTR(" + c + ", 5, 2) <> '00' "
        "THEN SUBSTR(" + c + ", 1, 6) END"
    )


def _village_case(column: str) -> str:
    """SQL for the 12-digit village code of a division code column ('' when it names no village)."""
    c = "TRIM(" + column + ")"
    return (
        "CASE WHEN LENGTH(" + c + ") = 12 AND SUBSTR(" + c + ", 7, 3) <> '000' AND SUBSTR(" + c + ", 10, 3) <> '000' "
        "THEN " + c + " ELSE '' END"
    )


def _quoted(values) -> str:
    return ", ".join("'" + str(value) + "'" for value in values)


#: Everything the statements name: tables and fragments built from constants of the code, never data.
NAMES = {
    "population": PopulationRecord._meta.db_table,
    "insured": InsuredPerson._meta.db_table,
    "submission": Submission._meta.db_table,
    "roster": RosterEntry._meta.db_table,
    "coverage": CoverageCount._meta.db_table,
    "people": PEOPLE,
    "batch": BATCH,
    "source_rank": " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_ORDER)),
    "res_queue": _queue_case("p.residence_division"),
    "hukou_queue": _queue_case("p.hukou_division"),
    "res_village": _village_case("p.residence_division"),
    "hukou_village": _village_case("p.hukou_division"),
    "deceased": LifeEvent.DECEASED,
    "moved_out": LifeEvent.MOVED_OUT,
    "unassigned": UNASSIGNED_QUEUE,
    "open": _quoted(OPEN_STATUSES),
    "covered": _quoted([Status.INSURED_ELSEWHERE, Status.REGISTERED]),
    "s_insured": Status.INSURED,
    "s_registered": Status.REGISTERED,
    "s_deceased": Status.DECEASED,
    "s_moved_out": Status.MOVED_OUT,
    "s_to_visit": Status.TO_VISIT,
}

# One row per person of the batch: the representative row (no life event first, then the preferred
# source, then the newest), the class, the queue and village codes, and whether they are on the roster.
PEOPLE_SQL = """
    CREATE TEMPORARY TABLE {people} AS
    WITH ranked AS (
        SELECT p.id, p.id_number_hash,
               ROW_NUMBER() OVER (
                   PARTITION BY p.id_number_hash
                   ORDER BY CASE WHEN p.life_event = '' THEN 0 ELSE 1 END,
                            CASE p.source {source_rank} ELSE 9 END, p.id DESC
               ) AS rn,
               MAX(CASE WHEN p.life_event = '{deceased}' THEN 1 ELSE 0 END)
                   OVER (PARTITION BY p.id_number_hash) AS dead,
               MAX(CASE WHEN p.life_event = '{moved_out}' THEN 1 ELSE 0 END)
                   OVER (PARTITION BY p.id_number_hash) AS moved,
               {res_queue} AS res_queue, {hukou_queue} AS hukou_queue,
               {res_village} AS res_village, {hukou_village} AS hukou_village
        FROM {population} p
        WHERE p.data_import_id IN (SELECT id FROM {batch}) AND p.id_number_hash <> ''
    )
    SELECT r.id AS pop_id, r.id_number_hash AS hash,
           CASE WHEN r.dead = 1 THEN 'deceased'
                WHEN r.moved = 1 THEN 'moved_out'
                WHEN EXISTS (SELECT 1 FROM {insured} i
                             WHERE i.id_number_hash = r.id_number_hash AND i.status = %s) THEN 'insured'
                WHEN EXISTS (SELECT 1 FROM {submission} s
                             WHERE s.id_number_hash = r.id_number_hash AND s.status <> %s) THEN 'registered'
                ELSE 'unregistered' END AS cls,
           COALESCE(r.res_queue, r.hukou_queue, '{unassigned}') AS queue_code,
           CASE WHEN r.res_queue IS NOT NULL THEN r.res_village
                WHEN r.hukou_queue IS NOT NULL THEN r.hukou_village ELSE '' END AS village_code,
           CASE WHEN EXISTS (SELECT 1 FROM {roster} e WHERE e.id_number_hash = r.id_number_hash)
                THEN 1 ELSE 0 END AS on_roster
    FROM ranked r WHERE r.rn = 1
"""

# Settle existing entries of people now insured, registered, deceased or moved out, and empty their
# personal fields (the masked ID and the hash stay for the visit history). UPDATE … FROM joins the
# classified people once (PostgreSQL; SQLite since 3.33). A visit's 已在外地参保 or 已登记 stays.
SETTLE_SQL = """
    UPDATE {roster} SET
        status = CASE x.cls
            WHEN 'insured' THEN CASE WHEN {roster}.status IN ({covered}) THEN {roster}.status
                                     ELSE '{s_insured}' END
            WHEN 'registered' THEN '{s_registered}'
            WHEN 'deceased' THEN '{s_deceased}'
            ELSE '{s_moved_out}' END,
        id_number = '', name = '', birth_date = NULL, hukou_address = '', residence_address = '',
        hukou_division = '', residence_division = '', phone = '', phone_masked = '', updated_at = %s
    FROM {people} x
    WHERE x.hash = {roster}.id_number_hash AND x.cls <> 'unregistered' AND x.on_roster = 1
"""

# New entries for the unregistered; open ones get the newest address and phone. An entry settled by
# an earlier comparison as insured (or registered without a linked submission) opens again when the
# data no longer say so; one settled by a visit keeps its outcome and fields.
UPSERT_SQL = """
    INSERT INTO {roster} (id_number, id_number_hash, id_number_masked, name, birth_date,
                          hukou_division, hukou_address, residence_division, residence_address,
                          phone, phone_masked, queue_code, village_code, status, visit_count,
                          created_at, updated_at)
    SELECT p.id_number, x.hash, p.id_number_masked, p.name, p.birth_date, p.hukou_division, p.hukou_address,
           p.residence_division, p.residence_address, p.phone, p.phone_masked, x.queue_code, x.village_code,
           '{s_to_visit}', 0, %s, %s
    FROM {people} x JOIN {population} p ON p.id = x.pop_id
    WHERE x.cls = 'unregistered'
    ON CONFLICT (id_number_hash) DO UPDATE SET
        id_number = excluded.id_number, name = excluded.name, birth_date = excluded.birth_date,
        hukou_division = excluded.hukou_division, hukou_address = excluded.hukou_address,
        residence_division = excluded.residence_division, residence_address = excluded.residence_address,
        phone = excluded.phone, phone_masked = excluded.phone_masked, queue_code = excluded.queue_code,
        village_code = excluded.village_code, updated_at = excluded.updated_at,
        status = CASE WHEN {roster}.status IN ({open}) THEN {roster}.status ELSE '{s_to_visit}' END
    WHERE {roster}.status IN ({open}, '{s_insured}')
       OR ({roster}.status = '{s_registered}' AND {roster}.submission_id IS NULL)
"""

# Counts of the batch's people who are not on the roster, per queue code and village.
COVERAGE_SQL = """
    INSERT INTO {coverage} (division_code, village_code, population, insured, registered,
                            deceased_or_moved, computed_at)
    SELECT queue_code, village_code,
           SUM(CASE WHEN cls IN ('insured', 'registered') THEN 1 ELSE 0 END),
           SUM(CASE WHEN cls = 'insured' THEN 1 ELSE 0 END),
           SUM(CASE WHEN cls = 'registered' THEN 1 ELSE 0 END),
           SUM(CASE WHEN cls IN ('deceased', 'moved_out') THEN 1 ELSE 0 END), %s
    FROM {people} WHERE on_roster = 0 AND cls <> 'unregistered'
    GROUP BY queue_code, village_code
"""
MASK_SQL = "UPDATE {roster} SET id_number_masked = %s, phone_masked = %s WHERE id = %s"
CLASS_COUNTS_SQL = "SELECT cls, on_roster, COUNT(*) FROM {people} GROUP BY cls, on_roster"
CLEAR_COVERAGE_SQL = "DELETE FROM {coverage} WHERE division_code IN (SELECT DISTINCT queue_code FROM {people})"
DELETE_STAGED_SQL = "DELETE FROM {population} WHERE data_import_id IN (SELECT id FROM {batch})"
# 已参保: the insurance found for each flagged submission, once each.
MATCHES_SQL = """
    INSERT INTO {matches} (submission_id, insurance_type, insured_place, found_at)
    SELECT DISTINCT s.id, i.insurance_type, i.insured_place, %s
    FROM {submission} s JOIN {insured} i ON i.id_number_hash = s.id_number_hash AND i.status = %s
    WHERE s.flag_already_insured
    ON CONFLICT (submission_id, insurance_type, insured_place) DO NOTHING
"""


def _sql(template: str) -> str:
    """A statement with the names of NAMES filled in (values are always bound parameters)."""
    return template.format_map(NAMES)


def ready_imports():
    """Population imports whose rows are staged and complete (a running or failed import is left alone)."""
    return DataImport.objects.filter(kind=DataImport.Kind.POPULATION, state=DataImport.State.DONE)


def compare(progress=None) -> dict:
    """Run the comparison on the staged population of finished imports; returns counts and timings.

    ``progress(step, message)`` is called between the statements (the job's progress bar).
    """
    progress = progress or (lambda step, message: None)
    started = time.monotonic()
    now = timezone.now()
    counts = {"population_rows": 0, "people": 0}
    batch = list(ready_imports().filter(
        pk__in=PopulationRecord.objects.values("data_import_id")).values_list("pk", flat=True))
    if not batch:
        counts.update(flag_already_insured_submissions())
        counts["seconds"] = round(time.monotonic() - started, 3)
        return counts
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        for statement in ("DROP TABLE IF EXISTS {people}", "DROP TABLE IF EXISTS {batch}",
                          "CREATE TEMPORARY TABLE {batch} (id bigint PRIMARY KEY)"):
            cursor.execute(_sql(statement))
        cursor.executemany(_sql("INSERT INTO {batch} (id) VALUES (%s)"), [(pk,) for pk in batch])
        counts["population_rows"] = PopulationRecord.objects.filter(data_import_id__in=batch).count()
        progress(1, "Classifying the population…")
        cursor.execute(_sql(PEOPLE_SQL), [InsuredStatus.ACTIVE, SubmissionStatus.REJECTED])
        cursor.execute(_sql("CREATE INDEX {people}_hash ON {people} (hash)"))
        if postgresql:
            cursor.execute(_sql("ANALYZE {people}"))
        cursor.execute(_sql(CLASS_COUNTS_SQL))
        for cls, on_roster, n in cursor.fetchall():
            counts[cls] = counts.get(cls, 0) + n
            counts["people"] += n
            if on_roster and cls != "unregistered":
                counts["settled"] = counts.get("settled", 0) + n
        progress(2, "Settling roster entries…")
        cursor.execute(_sql(SETTLE_SQL), [now])
        progress(3, "Updating the roster…")
        cursor.execute(_sql(UPSERT_SQL), [now, now])
        progress(4, "Counting coverage…")
        cursor.execute(_sql(CLEAR_COVERAGE_SQL))
        cursor.execute(_sql(COVERAGE_SQL), [now])
        progress(5, "Removing the staged rows…")
        cursor.execute(_sql(DELETE_STAGED_SQL))
        cursor.execute(_sql("DROP TABLE {people}"))
        cursor.execute(_sql("DROP TABLE {batch}"))
    progress(6, "Masking new roster entries…")
    counts["masked"] = mask_new_entries()
    progress(7, "Checking registrations against the insured…")
    counts.update(flag_already_insured_submissions())
    counts["seconds"] = round(time.monotonic() - started, 3)
    if counts["seconds"]:
        counts["rows_per_second"] = round(counts["population_rows"] / counts["seconds"])
    return counts


def mask_new_entries() -> int:
    """Fill the masked ID and phone of entries that lack them (they need the plaintext: done in Python).

    Imports store both masks with the staged rows and the upsert copies them, so this only finds rows
    staged before the masks were stored (or made otherwise): nothing to decrypt after a fresh import.

    Walks the entries by primary key in batches, so memory stays flat whatever the roster's size.
    """
    done, last = 0, 0
    pending = RosterEntry.objects.filter(
        Q(id_number_masked="") & ~Q(id_number="") | Q(phone_masked="") & ~Q(phone="")
    )
    while True:
        rows = list(pending.filter(pk__gt=last).order_by("pk").only("pk", "id_number", "phone")[:MASK_BATCH])
        if not rows:
            return done
        values = [(mask_id_number(row.id_number), mask_phone(row.phone) if row.phone else "", row.pk) for row in rows]
        # One prepared statement run per row (psycopg pipelines executemany): bulk_update's CASE over
        # thousands of ids was 30 times slower on PostgreSQL.
        with connection.cursor() as cursor:
            cursor.executemany(_sql(MASK_SQL), values)
        done += len(rows)
        last = rows[-1].pk


# --------------------------------------------------------------------------
# 已参保: submissions whose person is actively insured
# --------------------------------------------------------------------------

def _other_flags_expression():
    """``has_flags`` of a row whose 已参保 flag is being cleared: the OR of its other flags."""
    q = Q()
    for name in FLAG_FIELDS:
        if name != "flag_already_insured":
            q |= Q(**{name: True})
    return ExpressionWrapper(q, output_field=BooleanField())


def flag_already_insured_submissions() -> dict:
    """Set 已参保 (``flag_already_insured`` + ``has_flags``) and the insurance found on every submission
    whose person is actively insured; clear it where the insurance is no longer active.

    Plain UPDATEs through the ORM, so that PostgreSQL's tally triggers see them like any other write.
    """
    active = InsuredPerson.objects.filter(status=InsuredStatus.ACTIVE).values("id_number_hash")
    with transaction.atomic():
        flagged = (
            Submission.objects.filter(flag_already_insured=False, id_number_hash__in=active)
            .update(flag_already_insured=True, has_flags=True)
        )
        # SET sees the old row: has_flags is computed from the other flags only.
        cleared = Submission.objects.filter(flag_already_insured=True).exclude(id_number_hash__in=active).update(
            flag_already_insured=False, has_flags=_other_flags_expression()
        )
        SubmissionInsurance.objects.filter(submission__flag_already_insured=False).delete()
        SubmissionInsurance.objects.exclude(
            Exists(InsuredPerson.objects.filter(
                status=InsuredStatus.ACTIVE, id_number_hash=OuterRef("submission__id_number_hash"),
                insurance_type=OuterRef("insurance_type"), insured_place=OuterRef("insured_place")))
        ).delete()
        _insert_insurance_matches()
    return {"submissions_flagged": flagged, "submissions_cleared": cleared}


def _insert_insurance_matches() -> None:
    """SubmissionInsurance rows (type, place) for each flagged submission, once each (set-based)."""
    with connection.cursor() as cursor:
        cursor.execute(MATCHES_SQL.format_map({**NAMES, "matches": SubmissionInsurance._meta.db_table}),
                       [timezone.now(), InsuredStatus.ACTIVE])


def insurance_for(id_number_hash: str) -> list[tuple[str, str]]:
    """(insurance type, place) of the active insurance of one person (for a new submission's flag)."""
    if not id_number_hash:
        return []
    return list(
        InsuredPerson.objects.filter(id_number_hash=id_number_hash, status=InsuredStatus.ACTIVE)
        .values_list("insurance_type", "insured_place").distinct()
    )
