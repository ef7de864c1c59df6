"""Door-to-door progress and the coverage rate per city, county, township and village.

Two sources, never overlapping (services/roster.py): ``CoverageCount`` holds the people of the last
comparison who are *not* on the roster (found insured or registered; the deceased and moved out), and
the roster entries are counted live by their status. So the numbers move as soon as a clerk records a
visit, and nobody is counted twice:

- insured = counted insured + entries settled 已参保 or 已在外地参保;
- registered = counted registered + entries 已登记 (on the spot, or found later);
- population = counted insured and registered + every entry but the deceased, moved out and unknown;
- coverage rate = (insured + registered) ÷ population;
- to visit = open entries (待走访, 待再访); visited = entries with at least one visit; settled = the rest.

Drill-down: a parent prefix ("43", "4301", "430102", "430102001") groups its children by the next
code length (city 4, county 6, township 9, village 12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Substr

from forms_intake.models import CoverageCount, Division, RosterEntry
from forms_intake.rules.routing import scope_prefix
from forms_intake.services import visits

Status = RosterEntry.Status

#: Code length of the children of a prefix of each length.
CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12}
INSURED_STATUSES = (Status.INSURED, Status.INSURED_ELSEWHERE)
OUT_STATUSES = (Status.DECEASED, Status.MOVED_OUT, Status.NO_SUCH_PERSON)


@dataclass
class Progress:
    """The numbers of one division (or of the whole scope)."""

    code: str = ""
    name: str = ""
    population: int = 0
    insured: int = 0
    registered: int = 0
    to_visit: int = 0
    visited: int = 0
    settled: int = 0
    on_roster: int = 0
    children: list = field(default_factory=list)

    @property
    def covered(self) -> int:
        return self.insured + self.registered

    @property
    def rate(self) -> float | None:
        """Coverage rate in percent (one decimal); None without population."""
        if not self.population:
            return None
        return round(self.covered * 100 / self.population, 1)

    def add(self, other: Progress) -> None:
        for name in ("population", "insured", "registered", "to_visit", "visited", "settled", "on_roster"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _sum(expression):
    return Coalesce(Sum(expression), 0)


def _status_count(statuses):
    return Count("pk", filter=Q(status__in=statuses))


def allowed_parent(user, requested: str) -> str | None:
    """The drill-down prefix to show: the requested one when inside the user's scope, else the scope's top.

    None when the user has no roster scope at all.
    """
    prefixes = visits.roster_prefixes(user)
    if prefixes == []:
        return None
    requested = scope_prefix(requested or "")
    if requested and (prefixes is None or any(requested.startswith(p) for p in prefixes)):
        return requested
    if prefixes is None or len(prefixes) != 1:
        return "43" if prefixes is None else _common(prefixes)
    return prefixes[0]


def _common(prefixes):
    common = prefixes[0]
    for prefix in prefixes[1:]:
        while not prefix.startswith(common):
            common = common[:-1]
    return common[: max((n for n in (2, 4, 6, 9) if n <= len(common)), default=2)] or "43"


def _keyed(queryset, code_field: str, length: int):
    """``queryset`` grouped by the first ``length`` characters of ``code_field`` (as ``key``)."""
    key = F(code_field) if length == 12 else Substr(code_field, 1, length)
    return queryset.annotate(key=key).values("key").order_by("key")


def progress(user, parent: str) -> Progress:
    """Totals of ``parent`` (in the user's scope) with one row per child division: two grouped queries."""
    length = CHILD_LENGTH.get(len(parent), 12)
    counts = CoverageCount.objects.filter(visits.prefix_q(parent, "division_code"))
    scope = visits.scope_filter(user, "division_code")
    if scope is not None:
        counts = counts.filter(scope)
    entries = visits.scoped_entries(user).filter(visits.prefix_q(parent, "queue_code"))
    rows: dict[str, Progress] = {}
    count_field, entry_field = ("village_code", "village_code") if length == 12 else ("division_code", "queue_code")
    for row in _keyed(counts, count_field, length).annotate(
        n_insured=_sum("insured"), n_registered=_sum("registered")
    ):
        item = rows.setdefault(row["key"], Progress(code=row["key"]))
        item.insured += row["n_insured"]
        item.registered += row["n_registered"]
        item.population += row["n_insured"] + row["n_registered"]
    for row in _keyed(entries, entry_field, length).annotate(
        n=Count("pk"),
        n_insured=_status_count(INSURED_STATUSES),
        n_registered=_status_count([Status.REGISTERED]),
        n_out=_status_count(OUT_STATUSES),
        n_open=_status_count(visits.OPEN),
        n_visited=Count("pk", filter=Q(visit_count__gt=0)),
    ):
        item = rows.setdefault(row["key"], Progress(code=row["key"]))
        item.insured += row["n_insured"]
        item.registered += row["n_registered"]
        item.population += row["n"] - row["n_out"]
        item.to_visit += row["n_open"]
        item.visited += row["n_visited"]
        item.settled += row["n"] - row["n_open"]
        item.on_roster += row["n"]
    total = Progress(code=parent, name=division_name(parent))
    names = _names(rows) if length <= 9 else {}
    for code in sorted(rows):
        item = rows[code]
        item.name = names.get(code, "")
        total.add(item)
        total.children.append(item)
    return total


def _division_code(prefix: str) -> str:
    return prefix + "0000" if len(prefix) == 2 else prefix + "00" if len(prefix) == 4 else prefix


def _names(rows) -> dict[str, str]:
    codes = {code: _division_code(code) for code in rows}
    found = dict(Division.objects.filter(code__in=codes.values()).values_list("code", "name"))
    return {code: found.get(key, "") for code, key in codes.items()}


def division_name(prefix: str) -> str:
    return Division.objects.filter(code=_division_code(prefix)).values_list("name", flat=True).first() or ""


def rate_for(user) -> Progress | None:
    """The totals of the user's whole roster scope (the dashboard's coverage line), None without scope."""
    parent = allowed_parent(user, "")
    return None if parent is None else rate_for_division(user, parent)


def rate_for_division(user, parent: str) -> Progress:
    """The totals of ``parent`` in the user's scope: two aggregates without grouping (dashboard, report)."""
    counts = CoverageCount.objects.filter(visits.prefix_q(parent, "division_code"))
    scope = visits.scope_filter(user, "division_code")
    if scope is not None:
        counts = counts.filter(scope)
    counted = counts.aggregate(insured=_sum("insured"), registered=_sum("registered"))
    entries = visits.scoped_entries(user).filter(visits.prefix_q(parent, "queue_code")).aggregate(
        n=Count("pk"), n_insured=_status_count(INSURED_STATUSES), n_registered=_status_count([Status.REGISTERED]),
        n_out=_status_count(OUT_STATUSES), n_open=_status_count(visits.OPEN),
        n_visited=Count("pk", filter=Q(visit_count__gt=0)),
    )
    return Progress(
        code=parent, name=division_name(parent),
        insured=counted["insured"] + entries["n_insured"], registered=counted["registered"] + entries["n_registered"],
        population=counted["insured"] + counted["registered"] + entries["n"] - entries["n_out"],
        to_visit=entries["n_open"], visited=entries["n_visited"], settled=entries["n"] - entries["n_open"],
        on_roster=entries["n"],
    )
