"""Statistics of registrations by administrative region (seed item 19), aggregated in SQL.

Every function takes a queryset that is already scoped to the user's divisions
(scope.scoped_submissions) and returns plain rows; one GROUP BY query each.
Division drill-down follows the prefix form of queue codes (routing.py):
province "43" → cities "4301" → counties "430102" → townships "430102001".
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Min, Q
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
    from .models import Division

    parent_prefix = scope_prefix(parent_prefix)
    length = child_prefix_length(parent_prefix)
    # Substr keeps shorter codes whole, so "43" stays "43" at the city level.
    rows = (
        queryset.annotate(child=Substr("queue_code", 1, length))
        .values("child", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
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
    rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)
    labels = dict(choices) if choices else {}
    return [(row[field], labels.get(row[field], row[field]), row["n"]) for row in rows]


def by_age_band(queryset, today: date | None = None):
    """Counts per age band in one query (conditional aggregation on birth_date)."""
    today = today or _today()

    def years_ago(years):
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    aggregates = {}
    for index, (_label, low, high) in enumerate(AGE_BANDS):
        condition = Q(birth_date__lte=years_ago(low))
        if high is not None:
            # Younger than high + 1 years: born after the date high+1 years ago.
            condition &= Q(birth_date__gt=years_ago(high + 1))
        aggregates[f"band{index}"] = Count("pk", filter=condition)
    counts = queryset.aggregate(**aggregates)
    return [(label, counts[f"band{index}"]) for index, (label, _low, _high) in enumerate(AGE_BANDS)]


def summary(queryset):
    """Everything the statistics report shows except the division table."""
    return {
        "status": by_field(queryset, "status", SubmissionStatus.choices),
        "employment_status": by_field(queryset, "employment_status", EmploymentStatus.choices),
        "not_insured_reason": by_field(queryset, "not_insured_reason", NotInsuredReason.choices),
        "service_bank": by_field(queryset, "service_bank", ServiceBank.choices),
        "gender": by_field(queryset, "gender", queryset.model._meta.get_field("gender").choices),
        "age_band": by_age_band(queryset),
    }


def state_counts(queryset):
    """Counts per state and the oldest waiting item, in ONE grouped query (the dashboard panel).

    Returns ({status: n}, oldest created_at of WAITING_STATES or None).
    """
    counts, oldest = {}, None
    for row in queryset.values("status").annotate(n=Count("pk"), oldest=Min("created_at")).order_by():
        counts[row["status"]] = row["n"]
        if row["status"] in WAITING_STATES and row["oldest"] and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    return counts, oldest
