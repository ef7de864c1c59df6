"""Rules of the suspect insured records (疑点信息, seed item 15) that need no database.

- ``age_impossible``: the minimum age of each insurance type. Employment-based insurance and the
  resident pension start at 16 (the legal working age; 城乡居民基本养老保险 covers residents of 16 and
  over who are not students); resident medical insurance covers newborns, so any age is possible.
  Nobody is insured beyond ``MAX_AGE``.
- ``suspect_queue``: which division verifies a suspect record: the employer's (from the employer
  registry) when known, else the insured place's township or county; outside Hunan, the provincial
  待分派 queue.
- The other rules (same ID under different names, 重复参保, insured but deceased) compare rows with
  each other and run in the database (services/suspects.py); what counts as a duplicate is set here.
"""

from __future__ import annotations

from datetime import date

from forms_intake.rules.routing import HUNAN_PREFIX, UNASSIGNED_QUEUE, scope_prefix

#: Minimum age in completed years per insurance type (codes of models.outreach.InsuranceType).
MIN_AGE = {
    "employee_pension": 16,
    "public_pension": 16,
    "resident_pension": 16,
    "employee_medical": 16,
    "unemployment": 16,
    "work_injury": 16,
    "resident_medical": 0,
}
MAX_AGE = 120

#: Only these statuses count for 重复参保 (a terminated record elsewhere is a normal transfer).
DUPLICATE_STATUSES = ("active",)

#: Township codes have 9 digits: a village or community code (12) is verified by its township.
_TOWNSHIP_LENGTH = 9


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_impossible(insurance_type: str, birth_date: date, on: date) -> bool:
    """True when someone born on ``birth_date`` cannot hold ``insurance_type`` on ``on``."""
    age = age_on(birth_date, on)
    return age < MIN_AGE.get(insurance_type, 0) or age > MAX_AGE


def queue_for_division(code: str) -> str:
    """The queue code that verifies records of division ``code`` (a village goes to its township)."""
    code = (code or "")[:_TOWNSHIP_LENGTH]
    if not code.startswith(HUNAN_PREFIX):
        return UNASSIGNED_QUEUE
    return scope_prefix(code)


def suspect_queue(employer_division: str, insured_place: str) -> str:
    """The employer's division when the registry knows it, else the insured place's."""
    return queue_for_division(employer_division or insured_place)
