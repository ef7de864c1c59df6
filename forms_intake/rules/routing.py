"""Which queue a submission belongs to, and how division codes become scope prefixes.

A queue is an administrative division code stored in ``Submission.queue_code``.
The rules (issue 5), applied in order:

1. a village/community (村（社区）) registration unit routes to the township
   (镇/街道) of the unit's address (the residence address when the unit has
   none);
2. an employer unit in Hunan (division code starting with 43) routes to the
   employer's township, or to its county when no township is given;
3. a resident living outside Hunan with a Hunan hukou routes to the hukou county;
4. anything else lands in the provincial 待分派 (unassigned) queue, ``UNASSIGNED_QUEUE``.

Queue codes are stored in *prefix form* (see ``scope_prefix``): a province is
"43", a city "4301", a county "430102", a township its full code. A staff
user assigned to a division then sees exactly the queue codes that start
with that division's prefix, which is one index range scan on PostgreSQL
(``queue_code`` has ``db_index=True``, for which Django also creates a
``varchar_pattern_ops`` index serving ``LIKE 'prefix%'``), and an equality
match for township staff. Counties and townships are already in prefix form,
so only the unassigned queue ("43") and a city-level queue look different
from their division code.
"""

from __future__ import annotations

HUNAN_PREFIX = "43"
#: The provincial 待分派 queue: only provincial staff (division 43) see it.
UNASSIGNED_QUEUE = HUNAN_PREFIX

# Division levels (Division.Level) without importing the model at import time.
_PROVINCE, _CITY, _COUNTY, _TOWNSHIP = 1, 2, 3, 4


def scope_prefix(code: str) -> str:
    """The prefix form of a division code: "430000" → "43", "430100" → "4301",
    "430102" → "430102", "430102001" → "430102001".

    Province and city codes end in zero pairs that mean "all below"; a
    county code ending in "00" does not exist, so stripping is safe.
    """
    code = (code or "").strip()
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def _in_hunan(division) -> bool:
    return division is not None and division.code.startswith(HUNAN_PREFIX)


def _township_or_county(division):
    """The queue of a division at township level, or its county when it is a county.

    Anything coarser (a city or province) is not precise enough for a local
    queue, so it returns None and the caller falls through to the next rule.
    """
    if division is None:
        return None
    level = getattr(division, "level", None)
    if level is None:
        level = _level_from_code(division.code)
    if level >= _COUNTY:
        return scope_prefix(division.code)
    return None


def _level_from_code(code: str) -> int:
    prefix = scope_prefix(code)
    return {2: _PROVINCE, 4: _CITY, 6: _COUNTY}.get(len(prefix), _TOWNSHIP)


def route_submission(submission) -> str:
    """Return the queue code for ``submission`` (does not save it).

    Reads ``unit_type``, ``unit_division``, ``residence_division`` and
    ``hukou_division``; missing divisions simply make a rule not apply.
    """
    unit_type = getattr(submission, "unit_type", "")
    unit_division = getattr(submission, "unit_division", None)
    residence = getattr(submission, "residence_division", None)
    hukou = getattr(submission, "hukou_division", None)

    if unit_type == "community":
        # The community unit is at the resident's address; staff of that
        # township go door to door (seed item 16).
        division = unit_division or residence
        queue = _township_or_county(division) if _in_hunan(division) else None
        if queue:
            return queue
    elif unit_type == "employer" and _in_hunan(unit_division):
        queue = _township_or_county(unit_division)
        if queue:
            return queue

    if residence is not None and not _in_hunan(residence) and _in_hunan(hukou):
        county = _county_of(hukou)
        if county:
            return county

    return UNASSIGNED_QUEUE


def _level_of(division) -> int:
    level = getattr(division, "level", None)
    return level if level is not None else _level_from_code(division.code)


def _county_of(division):
    """The county prefix (6 digits) of a county or township division; None above county level."""
    prefix = scope_prefix(division.code)
    return prefix[:6] if len(prefix) >= 6 else None
