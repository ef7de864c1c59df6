"""Suspect insured records (疑点信息, seed item 15): found during imports, verified by division clerks.

The five rules and where they run:

- invalid ID number (check digit or birth date) and age impossible for the insurance type: on each row
  of an insured file as it is read (``SuspectCollector.check_insured_row``; ages in rules/outreach_rules.py);
- same ID under different names, and 重复参保 (the same insurance type active in two places): in the
  database once the file's rows are written, over the new file and the current files of other sources
  (``find_in_database``), then the file is read once more for the few people found, because only the
  file has their ID numbers and names (``after_rows``);
- insured but reported dead by civil affairs: a join of current population and insured rows, after
  either import (``compare_deceased``).

Each suspect is a SuspectRecord (one per rule and person: re-imports add nothing) routed to the
employer's division (employer registry, by employer code) or the insured place's township or county,
and scoped like submissions: a clerk sees the records of their divisions only, 404 elsewhere.
"""

from __future__ import annotations

from django.db.models import Case, Count, Max, Q, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log as wagtail_log

from forms_intake.models import DataImport, Employer, InsuredPerson, PopulationRecord, SuspectRecord
from forms_intake.models.outreach import InsuredStatus, LifeEvent
from forms_intake.rules import outreach_columns as spec
from forms_intake.rules.employer_codes import normalize_employer_code
from forms_intake.rules.outreach_rules import DUPLICATE_STATUSES, age_impossible, age_on, suspect_queue
from forms_intake.rules.personal_data import id_hash, mask_id_number, mask_name
from forms_intake.rules.validators import normalize_id_number
from forms_intake.services.scope import prefix_q, user_prefixes

Rule = SuspectRecord.Rule
VIEW_PERMISSION = "forms_intake.view_suspectrecord"
CHANGE_PERMISSION = "forms_intake.change_suspectrecord"
RESULT_ACTION = "forms_intake.suspect_result"
_INSERT_BATCH = 1000
_QUERY_CHUNK = 500


def current_import_ids(kind: str, exclude_source=None) -> list[int]:
    """The latest finished import of each source of ``kind``: the only rows readers may use."""
    done = DataImport.objects.filter(kind=kind, state=DataImport.State.DONE)
    if exclude_source is not None:
        done = done.exclude(source=exclude_source)
    return [row["latest"] for row in done.values("source").annotate(latest=Max("pk")).order_by()]


def employer_divisions(codes) -> dict[str, str]:
    """Employer code → division code, from the current employer registry."""
    codes = sorted({code for code in codes if code})
    found: dict[str, str] = {}
    current = current_import_ids(spec.EMPLOYER)
    for start in range(0, len(codes), _QUERY_CHUNK):
        chunk = codes[start : start + _QUERY_CHUNK]
        rows = Employer.objects.filter(
            Q(credit_code__in=chunk) | Q(organization_code__in=chunk), data_import_id__in=current
        )
        for credit, organization, division in rows.values_list("credit_code", "organization_code", "division_code"):
            for code in (credit, organization):
                if code and division:
                    found.setdefault(code, division)
    return found


class SuspectCollector:
    """Suspect records of one import, buffered and written in batches (one per rule and person)."""

    def __init__(self, data_import, today):
        self.data_import = data_import
        self.today = today
        self.pending: list[dict] = []
        self.keys: set[tuple[str, str]] = set()
        self.created = 0

    def add(self, rule, id_number, name, details, employer_code="", insured_place=""):
        number_hash = id_hash(id_number)
        if (rule, number_hash) in self.keys:
            return
        self.keys.add((rule, number_hash))
        self.pending.append(
            {
                "rule": rule,
                "id_number": id_number,
                "id_number_hash": number_hash,
                "name": (name or "")[:100],
                "details": details,
                "employer_code": employer_code or "",
                "insured_place": insured_place or "",
            }
        )
        if len(self.pending) >= _INSERT_BATCH:
            self.flush()

    def check_insured_row(self, clean, problems):
        """The per-row rules of an insured file: an invalid ID number, an age the insurance type excludes."""
        reasons = dict(problems)
        employer, place = clean.get("employer_code") or "", clean.get("insured_place") or ""
        insurance_type = clean.get("insurance_type") or ""
        if reasons.get("id_number") in ("id_checksum", "id_birth_date") and len(clean["id_number_raw"]) == 18:
            self.add(
                Rule.INVALID_ID,
                clean["id_number_raw"],
                clean.get("name") or "",
                {"reason": reasons["id_number"], "insurance_type": insurance_type},
                employer,
                place,
            )
        elif not problems and age_impossible(insurance_type, clean["id_number"].birth_date, self.today):
            self.add(
                Rule.AGE_IMPOSSIBLE,
                clean["id_number"].number,
                clean["name"],
                {"insurance_type": insurance_type, "age": age_on(clean["id_number"].birth_date, self.today)},
                employer,
                place,
            )

    def flush(self):
        if not self.pending:
            return
        divisions = employer_divisions(row["employer_code"] for row in self.pending)
        records = [
            SuspectRecord(
                rule=row["rule"],
                id_number=row["id_number"],
                id_number_hash=row["id_number_hash"],
                id_number_masked=mask_id_number(row["id_number"]),
                name=row["name"],
                details=row["details"],
                queue_code=suspect_queue(divisions.get(row["employer_code"], ""), row["insured_place"]),
                data_import=self.data_import,
            )
            for row in self.pending
        ]
        SuspectRecord.objects.bulk_create(records, ignore_conflicts=True)
        self.created += len(records)
        self.pending = []


def _already_flagged(rule, hashes) -> set[str]:
    hashes = sorted(hashes)
    flagged: set[str] = set()
    for start in range(0, len(hashes), _QUERY_CHUNK):
        chunk = hashes[start : start + _QUERY_CHUNK]
        flagged.update(
            SuspectRecord.objects.filter(rule=rule, id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
        )
    return flagged


def find_in_database(data_import) -> dict[str, list]:
    """ID hashes of the new insured file that the cross-row rules flag: {hash: [(rule, details)]}.

    Compared over the new file and the current files of the other sources (the older file of the
    same source is being replaced). People already flagged for a rule are left out.
    """
    scope = InsuredPerson.objects.filter(
        data_import_id__in=[*current_import_ids(spec.INSURED, exclude_source=data_import.source), data_import.pk]
    )
    # One grouped scan each (no semi-join): groups that include a row of the new file.
    in_new_file = Max(Case(When(data_import_id=data_import.pk, then=Value(1)), default=Value(0)))
    found: dict[str, list] = {}
    names = {
        row["id_number_hash"]: row["names"]
        for row in scope.values("id_number_hash")
        .annotate(names=Count("name_hash", distinct=True), mine=in_new_file)
        .filter(names__gt=1, mine=1)
        .order_by()
    }
    flagged = _already_flagged(Rule.NAME_MISMATCH, names)
    for number_hash, count in names.items():
        if number_hash not in flagged:
            found.setdefault(number_hash, []).append((Rule.NAME_MISMATCH, {"names_count": count}))
    duplicates = [
        (row["id_number_hash"], row["insurance_type"])
        for row in scope.filter(status__in=DUPLICATE_STATUSES)
        .values("id_number_hash", "insurance_type")
        .annotate(places=Count("insured_place", distinct=True), mine=in_new_file)
        .filter(places__gt=1, mine=1)
        .order_by()
    ]
    flagged = _already_flagged(Rule.DUPLICATE_INSURANCE, {number_hash for number_hash, _type in duplicates})
    wanted = {key for key in duplicates if key[0] not in flagged}
    hashes = sorted({number_hash for number_hash, _type in wanted})
    places: dict[tuple, set] = {}
    for start in range(0, len(hashes), _QUERY_CHUNK):
        rows = scope.filter(id_number_hash__in=hashes[start : start + _QUERY_CHUNK], status__in=DUPLICATE_STATUSES)
        for number_hash, insurance_type, place in rows.values_list("id_number_hash", "insurance_type", "insured_place"):
            if (number_hash, insurance_type) in wanted:
                places.setdefault((number_hash, insurance_type), set()).add(place)
    for (number_hash, insurance_type), seen in sorted(places.items()):
        found.setdefault(number_hash, []).append(
            (Rule.DUPLICATE_INSURANCE, {"insurance_type": insurance_type, "places": sorted(seen)})
        )
    return found


def after_rows(data_import, collector: SuspectCollector, reread) -> int:
    """Run the cross-row rules of an insured import; ``reread()`` yields the file's records again."""
    if data_import.kind != spec.INSURED:
        return 0
    found = find_in_database(data_import)
    if not found:
        return 0
    people: dict[str, dict] = {}
    for _number, cells in reread():
        number = normalize_id_number(cells.get("id_number", ""))
        number_hash = id_hash(number)
        if number_hash not in found:
            continue
        person = people.setdefault(
            number_hash,
            {
                "id_number": number,
                "names": set(),
                "employer_code": normalize_employer_code(cells.get("employer_code")),
                "insured_place": cells.get("insured_place", "").strip(),
            },
        )
        person["names"].add(cells.get("name", "").strip())
    for number_hash, person in people.items():
        names = sorted(person["names"])
        for rule, details in found[number_hash]:
            if rule == Rule.NAME_MISMATCH:
                details = {**details, "names_in_file": [mask_name(name) for name in names]}
            collector.add(
                rule,
                person["id_number"],
                names[0] if names else "",
                details,
                person["employer_code"],
                person["insured_place"],
            )
    collector.flush()
    return len(people)


def compare_deceased() -> int:
    """Insured but reported dead (民政): current population rows marked deceased, actively insured. Returns new."""
    insured = InsuredPerson.objects.filter(
        data_import_id__in=current_import_ids(spec.INSURED), status=InsuredStatus.ACTIVE
    )
    dead = PopulationRecord.objects.filter(
        data_import_id__in=current_import_ids(spec.POPULATION),
        life_event=LifeEvent.DECEASED,
        id_number_hash__in=insured.values("id_number_hash"),
    ).exclude(id_number_hash__in=SuspectRecord.objects.filter(rule=Rule.INSURED_DECEASED).values("id_number_hash"))
    collector = SuspectCollector(None, timezone.localdate())
    people = []
    for record in dead.only("id_number", "id_number_hash", "name", "source").iterator(chunk_size=_QUERY_CHUNK):
        people.append(record)
        if len(people) >= _QUERY_CHUNK:
            _add_deceased(collector, insured, people)
            people = []
    _add_deceased(collector, insured, people)
    collector.flush()
    return collector.created


def _add_deceased(collector, insured, people):
    """The insured-but-dead suspects of a chunk of population records: one query for the chunk's insurance."""
    if not people:
        return
    insurance: dict[str, list] = {}
    rows = insured.filter(id_number_hash__in=[record.id_number_hash for record in people]).order_by("pk")
    for number_hash, *row in rows.values_list("id_number_hash", "insurance_type", "insured_place", "employer_code"):
        insurance.setdefault(number_hash, []).append(row)
    for record in people:
        rows = insurance.get(record.id_number_hash)
        if not rows:
            continue
        collector.add(
            Rule.INSURED_DECEASED,
            record.id_number,
            record.name,
            {"insurance_types": sorted({row[0] for row in rows}), "source": record.source},
            rows[0][2],
            rows[0][1],
        )


# ---- the clerk's side: scope, counts, results ----


def scoped_suspects(user, queryset=None):
    """Suspect records under the user's divisions (all for superusers, none without the permission)."""
    queryset = SuspectRecord.objects.all() if queryset is None else queryset
    if not user.has_perm(VIEW_PERMISSION):
        return queryset.none()
    prefixes = user_prefixes(user)
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    q = Q()
    for prefix in prefixes:
        q |= prefix_q(prefix)
    return queryset.filter(q)


def get_scoped_suspect_or_404(user, pk) -> SuspectRecord:
    try:
        return scoped_suspects(user).get(pk=int(pk))
    except (TypeError, ValueError, SuspectRecord.DoesNotExist):
        raise Http404 from None


def counts_per_division(queryset):
    """[{queue_code, total, open}] of a (scoped) queryset, by division."""
    return list(
        queryset.order_by()
        .values("queue_code")
        .annotate(total=Count("id"), open=Count("id", filter=Q(result="")))
        .order_by("queue_code")
    )


def record_result(record: SuspectRecord, user, result: str, note: str = "") -> SuspectRecord:
    """The clerk's verification result, audited in Wagtail's log (result and note; no ID number)."""
    if result not in SuspectRecord.Result.values or result == SuspectRecord.Result.OPEN:
        raise ValueError("unknown result")
    previous = record.result
    record.result, record.result_note = result, note[:300]
    record.handled_by, record.handled_at = user, timezone.now()
    record.save(update_fields=["result", "result_note", "handled_by", "handled_at"])
    wagtail_log(
        instance=record,
        action=RESULT_ACTION,
        user=user,
        data={"from": previous, "to": result, "note": record.result_note},
    )
    return record


def register_log_actions(actions):
    """Called from the ``register_log_actions`` hook."""
    actions.register_action(RESULT_ACTION, _("Suspect record verified"), _("Suspect record verified"))
