"""Statistics of registrations by administrative region (seed item 19), aggregated in SQL.

Every function takes a queryset that is already scoped to the user's divisions
(scope.scoped_submissions) and returns plain rows; one GROUP BY query each.
``report()`` returns everything the report page shows. On PostgreSQL:

- for a whole scope at county level or above (no other filter), from
  ``SubmissionTally``, the per-county counts that triggers keep in the same
  transaction as every write (models.py, migration 0006): a few thousand rows
  instead of a million, exact, in ONE query;
- otherwise (a county's townships, a date filter) in ONE query over the rows
  (GROUP BY GROUPING SETS, a single index-only scan of ``submission_queue_cover_idx``).

Elsewhere (SQLite) with the per-breakdown queries.
Division drill-down follows the prefix form of queue codes (routing.py):
province "43" → cities "4301" → counties "430102" → townships "430102001".
"""

from __future__ import annotations

from datetime import date

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case, CharField, Count, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Substr

from forms_intake.models import Division, SocialSecurityCard, SubmissionTally
from forms_intake.rules import annex2
from forms_intake.rules.choices import NotInsuredReason, ServiceBank
from forms_intake.rules.routing import UNASSIGNED_QUEUE, scope_prefix
from forms_intake.rules.states import SubmissionStatus
from forms_intake.rules.text import current_date
from forms_intake.services.scope import prefix_q

#: Age bands (label, lowest age, highest age inclusive or None), from the birth date (taken from the ID).
AGE_BANDS = [
    ("0–6", 0, 6),
    ("7–17", 7, 17),
    ("18–35", 18, 35),
    ("36–59", 36, 59),
    ("60+", 60, None),
]

#: States counted as "waiting" for the age of the oldest item.
WAITING_STATES = (SubmissionStatus.SUBMITTED, SubmissionStatus.CLAIMED, SubmissionStatus.AWAITING_REVIEW)


def child_prefix_length(prefix: str) -> int:
    """How many characters of the queue code name the next level down from ``prefix``."""
    return {2: 4, 4: 6}.get(len(prefix), 12)


def division_code_for_prefix(prefix: str) -> str:
    """The Division primary key of a prefix ("4301" → "430100", "43" → "430000")."""
    if len(prefix) == 2:
        return prefix + "0000"
    if len(prefix) == 4:
        return prefix + "00"
    return prefix


def by_division(queryset, parent_prefix: str):
    """Counts per child division of ``parent_prefix`` (and per state), largest first.

    Rows: {"prefix", "code", "name", "total", <status>: n...}. Rows whose queue
    code is the parent itself (e.g. county-level queues, the provincial
    待分派 queue) are reported under the parent's own prefix.
    """
    parent_prefix = scope_prefix(parent_prefix)
    length = child_prefix_length(parent_prefix)
    # Substr keeps shorter codes whole, so "43" stays "43" at the city level.
    rows = (
        queryset.annotate(child=Substr("queue_code", 1, length))
        .values("child", "status")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _division_rows(rows, parent_prefix)


def _division_rows(rows, parent_prefix):
    """Division table from (child prefix, status, n) rows: see by_division."""

    table: dict[str, dict] = {}
    for row in rows:
        entry = table.setdefault(row["child"], {"prefix": row["child"], "total": 0})
        entry[row["status"]] = entry.get(row["status"], 0) + row["n"]
        entry["total"] += row["n"]
    names = dict(
        Division.objects.filter(code__in=[division_code_for_prefix(p) for p in table]).values_list("code", "name")
    )
    result = []
    for prefix, entry in table.items():
        entry["code"] = division_code_for_prefix(prefix)
        if prefix == UNASSIGNED_QUEUE:
            entry["name"] = None  # the template says "provincial queue"
        else:
            entry["name"] = names.get(entry["code"], prefix)
        entry["drillable"] = len(prefix) < 9 and prefix != parent_prefix
        for status in SubmissionStatus.values:
            entry.setdefault(status, 0)
        result.append(entry)
    result.sort(key=lambda e: (-e["total"], e["prefix"]))
    return result


def by_field(queryset, field: str, choices=None):
    """Counts per value of ``field``: [(value, label, n)], largest first."""
    rows = queryset.values(field).annotate(n=Count("*")).order_by("-n", field)
    labels = dict(choices) if choices else {}
    return [(row[field], labels.get(row[field], row[field]), row["n"]) for row in rows]


def _age_band_bounds(today: date | None = None):
    """(born after, born on or before) per age band (AGE_BANDS order); None: no lower bound."""
    today = today or current_date()

    def years_ago(years):
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    # Younger than high + 1 years: born after the date high+1 years ago.
    return [(None if high is None else years_ago(high + 1), years_ago(low)) for _label, low, high in AGE_BANDS]


def _age_band_conditions(today: date | None = None):
    """One Q on birth_date per age band (AGE_BANDS order)."""
    conditions = []
    for after, until in _age_band_bounds(today):
        condition = Q(birth_date__lte=until)
        if after is not None:
            condition &= Q(birth_date__gt=after)
        conditions.append(condition)
    return conditions


def age_band_condition(index: int, today: date | None = None) -> Q:
    """The Q on birth_date of one age band (AGE_BANDS index), e.g. for the queue's filter."""
    return _age_band_conditions(today)[index]


def with_zero_divisions(rows, parent_prefix: str):
    """``by_division`` rows plus the child divisions of ``parent_prefix`` without any registration."""
    parent_prefix = scope_prefix(parent_prefix)
    if len(parent_prefix) >= 9:
        return rows
    seen = {row["code"] for row in rows}
    children = Division.objects.filter(parent_id=division_code_for_prefix(parent_prefix)).exclude(code__in=seen)
    zero = [
        {"prefix": scope_prefix(code), "code": code, "name": name, "total": 0, "drillable": level < 4,
         **dict.fromkeys(SubmissionStatus.values, 0)}
        for code, name, level in children.order_by("code").values_list("code", "name", "level")
    ]
    return [*rows, *zero]


def by_age_band(queryset, today: date | None = None):
    """Counts per age band in one query (conditional aggregation on birth_date)."""
    aggregates = {
        f"band{index}": Count("pk", filter=condition)
        for index, condition in enumerate(_age_band_conditions(today))
    }
    counts = queryset.aggregate(**aggregates)
    return [(label, counts[f"band{index}"]) for index, (label, _low, _high) in enumerate(AGE_BANDS)]


def _summary_choices(queryset):
    return {
        "status": SubmissionStatus.choices,
        "employment_status": annex2.schema().by_name["employment_status"].labelled_choices,
        "not_insured_reason": NotInsuredReason.choices,
        "service_bank": ServiceBank.choices,
        "gender": queryset.model._meta.get_field("gender").choices,
    }


def summary(queryset):
    """Everything the statistics report shows except the division table."""
    result = {field: by_field(queryset, field, choices) for field, choices in _summary_choices(queryset).items()}
    result["age_band"] = by_age_band(queryset)
    return result


#: report()'s grouping sets. Small breakdowns share a set (their cross-product has a few dozen
#: groups) because each set costs one hash lookup per row: three sets scan and hash a million
#: rows about twice as fast as one set per breakdown. Marginal counts are summed in Python.
_SETS = (("child", "status", "gender"), ("employment_status", "not_insured_reason"), ("service_bank", "band"))
_COLUMNS = tuple(name for group in _SETS for name in group)


def report(queryset, parent_prefix: str, today: date | None = None, *, prefixes=None):
    """(by_division rows, summary) of the report page, equal to calling both functions.

    ``prefixes``: the queue-code prefixes whose union ``queryset`` is, when it is
    nothing else (no date or other filter; see ``scope_prefixes``). On PostgreSQL,
    when they are all at county level or above and the division table lists
    counties or cities, the counts come from ``SubmissionTally`` (``_tally_report``).
    Otherwise one query: GROUP BY GROUPING SETS reads the scope once (an
    index-only scan: every column is in ``submission_queue_cover_idx``),
    where the separate queries read one million rows seven times (~5 s).
    Other databases (SQLite in development and tests) run the separate queries.
    """
    # An empty scope (queryset.none()) cannot be compiled to SQL; the separate queries handle it.
    if connections[queryset.db].vendor != "postgresql" or queryset.query.is_empty():
        return by_division(queryset, parent_prefix), summary(queryset)
    parent_prefix = scope_prefix(parent_prefix)
    if _tally_answers(prefixes) and child_prefix_length(parent_prefix) <= TALLY_PREFIX_LENGTH:
        return _tally_report(queryset, prefixes, parent_prefix, today)
    band = Case(
        *[When(condition, then=Value(index)) for index, condition in enumerate(_age_band_conditions(today))],
        default=None,
        output_field=IntegerField(),
    )
    inner = (
        queryset.annotate(child=Substr("queue_code", 1, child_prefix_length(parent_prefix)), band=band)
        .values(*_COLUMNS)
        .order_by()
    )
    inner_sql, params = inner.query.sql_with_params()
    sets = ", ".join("(" + ", ".join(group) + ")" for group in _SETS)
    markers = ", ".join(f"GROUPING({group[0]})" for group in _SETS)
    sql = (
        # Column names and grouping sets are module constants; every value travels as a parameter.
        f"SELECT {', '.join(_COLUMNS)}, {markers}, COUNT(*) "  # noqa: S608  # nosec B608
        f"FROM ({inner_sql}) AS scoped GROUP BY GROUPING SETS ({sets})"
    )
    counts = {name: {} for name in _COLUMNS}
    division_rows: dict[tuple, int] = {}
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        # Without multi-column statistics the planner guesses ~100,000 groups where there are a few
        # hundred, and sorts a million rows on disk instead of hashing them (3 s instead of 1 s).
        # The hash tables really need well under 1 MB; the larger limit only corrects the guess.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
            markers_row, n = row[len(_COLUMNS): -1], row[-1]
            group = _SETS[list(markers_row).index(0)]
            for name in group:
                counts[name][values[name]] = counts[name].get(values[name], 0) + n
            if group is _SETS[0]:
                key = (values["child"], values["status"])
                division_rows[key] = division_rows.get(key, 0) + n
    divisions = _division_rows(
        [{"child": child, "status": status, "n": n} for (child, status), n in division_rows.items()], parent_prefix
    )
    bands = [counts["band"].get(index, 0) for index in range(len(AGE_BANDS))]
    return divisions, _summary_result(queryset, counts, bands)


def _summary_result(queryset, counts, bands):
    """summary()'s structure from {field: {value: n}} and the age-band counts (AGE_BANDS order)."""
    result = {}
    for field, choices in _summary_choices(queryset).items():
        labels = dict(choices)
        ranked = sorted(((v, n) for v, n in counts[field].items() if n), key=lambda item: (-item[1], item[0]))
        result[field] = [(value, labels.get(value, value), n) for value, n in ranked]
    result["age_band"] = [(label, n) for (label, _low, _high), n in zip(AGE_BANDS, bands, strict=True)]
    return result


# --- the tally (SubmissionTally) -----------------------------------------------------------------

#: SubmissionTally counts per the first six characters of the queue code: it answers any scope
#: at county level or above ("43", "4301", "430102"), never a township's.
TALLY_PREFIX_LENGTH = 6
#: The tallied columns (migration 0006's trigger counts the same ones) and the year of birth.
TALLY_FIELDS = ("status", "gender", "employment_status", "not_insured_reason", "service_bank")


def scope_prefixes(allowed, parent_prefix: str) -> list[str]:
    """The queue-code prefixes whose union is ``scoped_submissions(user).filter(prefix_q(parent_prefix))``.

    ``allowed`` is ``scope.user_prefixes(user)`` (None: unrestricted). An empty list: nothing.
    """
    parent_prefix = scope_prefix(parent_prefix)
    if allowed is None or any(parent_prefix.startswith(prefix) for prefix in allowed):
        return [parent_prefix]
    return [prefix for prefix in allowed if prefix.startswith(parent_prefix)]


def _tally_answers(prefixes) -> bool:
    return bool(prefixes) and all(len(prefix) <= TALLY_PREFIX_LENGTH for prefix in prefixes)


def _tally_scope(prefixes):

    condition = Q()
    for prefix in prefixes:
        condition |= prefix_q(prefix, field="county")
    return SubmissionTally.objects.filter(condition)


def tally_count(prefixes, statuses=None, *, using=DEFAULT_DB_ALIAS):
    """How many submissions lie under ``prefixes`` (in ``statuses``, if given), from the tally;
    None when the tally cannot answer (a township prefix, or not PostgreSQL)."""
    if connections[using].vendor != "postgresql" or not _tally_answers(prefixes):
        return None
    rows = _tally_scope(prefixes).using(using).filter(dimension="status")
    if statuses:
        rows = rows.filter(value__in=list(statuses))
    return int(rows.aggregate(n=Sum("n"))["n"] or 0)


def _tally_report(queryset, prefixes, parent_prefix, today):
    """report() from SubmissionTally, in one query (one snapshot).

    Divisions, states and the other breakdowns are sums of tally rows. Age bands need the
    birth date, of which the tally keeps the year: a band boundary's year is counted from
    the rows, only its part on one side of the boundary day (an index-only range scan of
    ``submission_birth_date_idx``), from the year's start or back from its end, whichever
    is shorter: about a month of births per band on average.
    """
    length = child_prefix_length(parent_prefix)
    text = CharField()
    tallied = (
        _tally_scope(prefixes).using(queryset.db)
        .annotate(child=Substr("county", 1, length)).values("child", "dimension", "value")
        .annotate(n=Sum("n")).order_by()
    )
    band_bounds = _age_band_bounds(today)
    # Births counted from the rows, per distinct boundary ("born on or before D"): from 1 January
    # to D, or (when D is in the second half of its year) after D to 31 December, subtracted.
    boundaries = sorted({bound for bounds in band_bounds for bound in bounds if bound is not None})
    partial = {}
    for index, boundary in enumerate(boundaries):
        if _from_january(boundary):
            span = Q(birth_date__gte=boundary.replace(month=1, day=1), birth_date__lte=boundary)
        else:
            span = Q(birth_date__gt=boundary, birth_date__lte=boundary.replace(month=12, day=31))
        partial[boundary] = queryset.filter(span).order_by().annotate(
            child=Value("", output_field=text), dimension=Value("births", output_field=text),
            value=Value(str(index), output_field=text),
        ).values("child", "dimension", "value").annotate(n=Count("*"))
    counts = {name: {} for name in TALLY_FIELDS}
    division_rows, years, births = [], {}, {}
    for row in tallied.union(*partial.values(), all=True):
        n = int(row["n"])
        if row["dimension"] == "births":
            births[boundaries[int(row["value"])]] = n
        elif row["dimension"] == "birth_year":
            years[int(row["value"])] = years.get(int(row["value"]), 0) + n
        elif n:
            field = counts[row["dimension"]]
            field[row["value"]] = field.get(row["value"], 0) + n
            if row["dimension"] == "status":
                division_rows.append({"child": row["child"], "status": row["value"], "n": n})

    def born_until(boundary):  # births on or before `boundary`
        if _from_january(boundary):
            earlier = sum(n for year, n in years.items() if year < boundary.year)
            return earlier + births.get(boundary, 0)
        return sum(n for year, n in years.items() if year <= boundary.year) - births.get(boundary, 0)

    bands = [born_until(until) - (born_until(after) if after else 0) for after, until in band_bounds]
    return _division_rows(division_rows, parent_prefix), _summary_result(queryset, counts, bands)


def _from_january(boundary: date) -> bool:
    """Whether a boundary's births are counted from 1 January (else back from 31 December)."""
    return boundary.timetuple().tm_yday <= 183


def state_counts(queryset, *, prefixes=None):
    """Counts per state and the oldest waiting item (the dashboard panel).

    Returns ({status: n}, oldest created_at of WAITING_STATES or None). ``prefixes`` as in
    ``report()``: when the tally can answer (PostgreSQL, county level or above), the counts
    come from it and the oldest item from one index probe per waiting state; otherwise ONE
    grouped query over the rows.
    """
    counts = _tally_state_counts(queryset, prefixes)
    if counts is not None:
        # Each probe reads submission_waiting_idx (status, created_at) from the oldest item of
        # that state until one lies in the scope; the three travel as one UNION query.
        firsts = [queryset.filter(status=status).order_by("created_at").values("created_at")[:1]
                  for status in WAITING_STATES]
        oldest = min((row["created_at"] for row in firsts[0].union(*firsts[1:], all=True)), default=None)
        return counts, oldest
    counts, oldest = {}, None
    # COUNT(*), not COUNT(id): every column read is in submission_queue_cover_idx, so PostgreSQL
    # answers from the index alone (an index-only scan) instead of visiting each row.
    for row in queryset.values("status").annotate(n=Count("*"), oldest=Min("created_at")).order_by():
        counts[row["status"]] = row["n"]
        if row["status"] in WAITING_STATES and row["oldest"] and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    return counts, oldest


# --- social security cards (seed item 16) ---------------------------------------------------------


def scoped_cards(prefixes):
    """The cards handed out under ``prefixes`` (``scope_prefixes``; empty: none), by the card's township."""
    if not prefixes:
        return SocialSecurityCard.objects.none()
    condition = Q()
    for prefix in prefixes:
        condition |= prefix_q(prefix, field="township_code")
    return SocialSecurityCard.objects.filter(condition)


def cards_by_division(cards, parent_prefix: str) -> dict[str, dict[str, int]]:
    """Cards issued, and of them collected, per child division of ``parent_prefix``, in ONE grouped query.

    {child prefix: {"cards_issued": n, "cards_collected": n}}, the child taken from the card's township (the
    counter that hands it out, as on the card batches screen), so a card counts where it is collected even
    if the registration was re-routed since.
    """
    if cards.query.is_empty():
        return {}
    length = child_prefix_length(scope_prefix(parent_prefix))
    rows = (
        cards.annotate(child=Substr("township_code", 1, length)).values("child")
        .annotate(issued=Count("*"), collected=Count("pk", filter=Q(collected_at__isnull=False))).order_by()
    )
    return {row["child"]: {"cards_issued": row["issued"], "cards_collected": row["collected"]} for row in rows}


def _tally_state_counts(queryset, prefixes):
    """{status: n} (non-zero only) from the tally, or None when it cannot answer."""
    if queryset.query.is_empty() or connections[queryset.db].vendor != "postgresql" or not _tally_answers(prefixes):
        return None
    rows = _tally_scope(prefixes).using(queryset.db).filter(dimension="status").values("value").annotate(n=Sum("n"))
    return {row["value"]: int(row["n"]) for row in rows.order_by() if row["n"]}
