"""The receipt's promise (10 working days) in the back office: days waiting, overdue items, overdue counts.

Working days are a pure rule (rules/working_days.py). Because the working days an item has waited
only grow the earlier it was submitted, "overdue" is one comparison on ``created_at`` (the
submission time, in ``submission_waiting_idx`` (status, created_at)): counting and sorting are
database work, never a loop over rows.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Division
from forms_intake.rules import working_days
from forms_intake.rules.routing import UNASSIGNED_QUEUE, scope_prefix
from forms_intake.services import statistics
from forms_intake.services.scope import prefix_q

#: The states in which the office owes the resident an answer (the queue opens on these).
WAITING_STATES = tuple(statistics.WAITING_STATES)


def today() -> datetime.date:
    return timezone.localdate()


def overdue_cutoff(day: datetime.date | None = None) -> datetime.datetime:
    """Items submitted before this moment (Beijing time) are overdue on ``day``."""
    first_not_overdue = working_days.last_day_not_overdue(day or today())
    return timezone.make_aware(datetime.datetime.combine(first_not_overdue, datetime.time.min))


def overdue_q(day: datetime.date | None = None) -> Q:
    return Q(status__in=WAITING_STATES, created_at__lt=overdue_cutoff(day))


def waiting(submission, day: datetime.date | None = None):
    """(working days waited, overdue) of one submission; (None, False) once it is no longer waiting."""
    if submission.status not in WAITING_STATES:
        return None, False
    days = working_days.working_days_waiting(timezone.localdate(submission.created_at), day or today())
    return days, days > working_days.PROMISED_WORKING_DAYS


def overdue_by_division(queryset, prefixes, day: datetime.date | None = None):
    """Overdue counts per division of the scope: [{"code", "name", "n"}], largest first, non-zero only.

    ``queryset``: already scoped to the user. ``prefixes``: the user's scope prefixes (None:
    unrestricted). One scope: per division one level down; several: per scope division.
    """
    overdue = queryset.filter(overdue_q(day)).order_by()
    if prefixes is None:
        prefixes = [""]
    counts: dict[str, int] = {}
    for parent in prefixes:
        parent = scope_prefix(parent)
        length = statistics.child_prefix_length(parent) if parent and len(prefixes) == 1 else len(parent) or 4
        rows = overdue.filter(prefix_q(parent)) if parent else overdue
        for row in rows.annotate(child=Substr("queue_code", 1, length)).values("child").annotate(n=Count("*")):
            counts[row["child"]] = counts.get(row["child"], 0) + row["n"]
    # The provincial 待分派 queue keeps its own code (the queue's division filter knows it).
    codes = {prefix: prefix if prefix == UNASSIGNED_QUEUE else statistics.division_code_for_prefix(prefix)
             for prefix in counts}
    names = dict(Division.objects.filter(code__in=codes.values()).values_list("code", "name"))
    result = []
    for prefix, n in counts.items():
        name = _("Provincial queue (待分派)") if prefix == UNASSIGNED_QUEUE else names.get(codes[prefix], prefix)
        result.append({"code": codes[prefix], "name": name, "n": n})
    result.sort(key=lambda row: (-row["n"], row["code"]))
    return result


#: How long the dashboard's overdue counts are reused (the cut-off moves once a day; items leave as they are done).
OVERDUE_CACHE_SECONDS = 300


def cached_overdue_by_division(queryset, prefixes, day: datetime.date | None = None):
    """``overdue_by_division`` of a user's scope (``queryset`` is the scope of ``prefixes``), kept 5 minutes.

    Measured on PostgreSQL at 200,000 rows (100,000 waiting): a province's count is ~170 ms, about 5×
    that at a million; a township's a few ms. The dashboard is every staff user's home page.
    """
    day = day or today()
    scope = "*" if prefixes is None else ",".join(sorted(prefixes))
    key = f"forms_intake:overdue:{day.isoformat()}:{translation.get_language()}:{scope}"
    rows = cache.get(key)
    if rows is None:
        rows = [{**row, "name": str(row["name"])} for row in overdue_by_division(queryset, prefixes, day)]
        cache.set(key, rows, OVERDUE_CACHE_SECONDS)
    return rows


def holiday_data_notice(day: datetime.date | None = None) -> str:
    """For administrators: the holiday data has ended, so working days count Monday–Friday only.

    Shown from 1 December of the data's last year (in time to upgrade ``chinesecalendar`` once the
    State Council publishes the next year's holidays) and every day after it.
    """
    day = day or today()
    last = working_days.holiday_data_last_year()
    if day < datetime.date(last, 12, 1):
        return ""
    if day.year <= last:
        return _(
            "The public-holiday data of the chinese-calendar package ends with %(year)s. From 1 January "
            "%(next)s working days count Monday to Friday only (holidays and adjusted working weekends unknown) "
            "until the package is upgraded (requirements.txt)."
        ) % {"year": last, "next": last + 1}
    return _(
        "The public-holiday data of the chinese-calendar package ends with %(year)s: working days waiting and "
        "overdue markers after that count Monday to Friday only (holidays and adjusted working weekends unknown). "
        "Upgrade the package (requirements.txt)."
    ) % {"year": last}
