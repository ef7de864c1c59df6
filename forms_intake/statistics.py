"""Statistics of registrations by administrative region (seed item 19), aggregated in SQL.

Every function takes a queryset that is already scoped to the user's divisions
(scope.scoped_submissions) and returns plain rows; one GROUP BY query each.
``report()`` returns everything the report page shows: on PostgreSQL in ONE
query (GROUP BY GROUPING SETS, a single index-only scan of
``submission_queue_cover_idx``), elsewhere with the per-breakdown queries.
Division drill-down follows the prefix form of queue codes (routing.py):
province "43" → cities "4301" → counties "430102" → townships "430102001".
"""

from __future__ import annotations

from datetime import date

from django.db import connections, transaction
from django.db.models import Case, Count, IntegerField, Min, Q, Value, When
from django.db.models.functions import Substr

from .choices import EmploymentStatus, NotInsuredReason, ServiceBank
from .routing import UNASSIGNED_QUEUE, scope_prefix
from .states import SubmissionStatus
from .validators import _today

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
    from .models import Division

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


def _age_band_conditions(today: date | None = None):
    """One Q on birth_date per age band (AGE_BANDS order)."""
    today = today or _today()

    def years_ago(years):
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    conditions = []
    for _label, low, high in AGE_BANDS:
        condition = Q(birth_date__lte=years_ago(low))
        if high is not None:
            # Younger than high + 1 years: born after the date high+1 years ago.
            condition &= Q(birth_date__gt=years_ago(high + 1))
        conditions.append(condition)
    return conditions


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
        "employment_status": EmploymentStatus.choices,
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


def report(queryset, parent_prefix: str, today: date | None = None):
    """(by_division rows, summary) of the report page, equal to calling both functions.

    On PostgreSQL one query: GROUP BY GROUPING SETS reads the scope once (an
    index-only scan: every column is in ``submission_queue_cover_idx``),
    where the separate queries read one million rows seven times (~5 s).
    Other databases (SQLite in development and tests) run the separate queries.
    """
    # An empty scope (queryset.none()) cannot be compiled to SQL; the separate queries handle it.
    if connections[queryset.db].vendor != "postgresql" or queryset.query.is_empty():
        return by_division(queryset, parent_prefix), summary(queryset)
    parent_prefix = scope_prefix(parent_prefix)
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
    result = {}
    for field, choices in _summary_choices(queryset).items():
        labels = dict(choices)
        ranked = sorted(counts[field].items(), key=lambda item: (-item[1], item[0]))
        result[field] = [(value, labels.get(value, value), n) for value, n in ranked]
    result["age_band"] = [(label, counts["band"].get(index, 0)) for index, (label, _l, _h) in enumerate(AGE_BANDS)]
    return divisions, result


def state_counts(queryset):
    """Counts per state and the oldest waiting item, in ONE grouped query (the dashboard panel).

    Returns ({status: n}, oldest created_at of WAITING_STATES or None).
    """
    counts, oldest = {}, None
    # COUNT(*), not COUNT(id): every column read is in submission_queue_cover_idx, so PostgreSQL
    # answers from the index alone (an index-only scan) instead of visiting each row.
    for row in queryset.values("status").annotate(n=Count("*"), oldest=Min("created_at")).order_by():
        counts[row["status"]] = row["n"]
        if row["status"] in WAITING_STATES and row["oldest"] and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    return counts, oldest
