"""Suspect flags (疑点信息, seed item 15): data staff should double-check.

``apply_flags(submission)`` sets the ``flag_*`` fields and ``has_flags`` of an
unsaved (or saved) submission when it arrives; it never blocks a
submission, because the resident may be right and the records wrong. Each
rule is a small function so that tests and the admin can name it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from forms_intake.models.outreach import InsuredPerson, InsuredStatus
from forms_intake.rules.eligibility import check_employment_for_birth_date
from forms_intake.rules.personal_data import id_hash, phone_hash
from forms_intake.rules.states import SubmissionStatus
from forms_intake.rules.validators import normalize_id_number

#: A phone number given on this many submissions (including this one) is suspect.
SHARED_PHONE_THRESHOLD = 3

#: Flag field names in display order, with ``has_flags`` the OR of them all.
FLAG_FIELDS = [
    "flag_duplicate_id",
    "flag_age_status",
    "flag_region_mismatch",
    "flag_proxy_is_registrant",
    "flag_shared_phone",
    "flag_unknown_county",
    "flag_already_insured",
]


def _ensure_hashes(submission) -> None:
    # The wizard sets the hashes; staff entry and tests may not have yet.
    if not submission.id_number_hash and submission.id_number:
        submission.id_number_hash = id_hash(submission.id_number)
    if not submission.phone_hash and submission.phone:
        submission.phone_hash = phone_hash(submission.phone)
    if not submission.proxy_id_number_hash and submission.proxy_id_number:
        submission.proxy_id_number_hash = id_hash(submission.proxy_id_number)


def _others(submission):
    from forms_intake.models import Submission

    queryset = Submission.objects.all()
    if submission.pk:
        queryset = queryset.exclude(pk=submission.pk)
    return queryset


def duplicate_id(submission) -> bool:
    """Another open or completed (not rejected) submission has the same ID number."""
    if not submission.id_number_hash:
        return False
    return (
        _others(submission)
        .filter(id_number_hash=submission.id_number_hash)
        .exclude(status=SubmissionStatus.REJECTED)
        .exists()
    )


def age_status(submission, today=None) -> bool:
    """The employment status is impossible for the age (from the birth date)."""
    if not submission.birth_date or not submission.employment_status:
        return False
    try:
        check_employment_for_birth_date(submission.employment_status, submission.birth_date, today=today)
    except ValidationError:
        return True
    return False


def region_mismatch(submission) -> bool:
    """The ID number's province code (first 2 digits) differs from the hukou province.

    Not wrong in itself (people move their hukou), but worth a look.
    """
    number = normalize_id_number(submission.id_number)
    hukou = submission.hukou_division
    if len(number) < 2 or hukou is None:
        return False
    return number[:2] != hukou.code[:2]


def proxy_is_registrant(submission) -> bool:
    """A proxy filed with their own ID number as the registrant's."""
    return bool(submission.proxy_id_number_hash) and submission.proxy_id_number_hash == submission.id_number_hash


def shared_phone(submission) -> bool:
    """The phone number is on at least ``SHARED_PHONE_THRESHOLD`` submissions (this one included)."""
    if not submission.phone_hash:
        return False
    others = _others(submission).filter(phone_hash=submission.phone_hash)
    # Fetch at most threshold-1 ids rather than counting every row.
    return len(others.values_list("pk", flat=True)[: SHARED_PHONE_THRESHOLD - 1]) >= SHARED_PHONE_THRESHOLD - 1


def unknown_county(submission) -> bool:
    """The ID number's county code (digits 1–6) is not a county in today's division table.

    IDs keep the county code of first issue, so this usually means a merged
    (historical) county, sometimes a typing error that passed the check digit.
    Does nothing while the division table holds no counties (before
    ``load_divisions``), rather than flagging everybody.
    """
    from forms_intake.models import Division

    number = normalize_id_number(submission.id_number)
    if len(number) < 6:
        return False
    region = number[:6]
    counties = Division.objects.filter(level=Division.Level.COUNTY)
    if counties.filter(code=region).exists():
        return False
    return counties.exists()


def already_insured(submission) -> bool:
    """已参保: the business systems hold an active insurance record of the same ID number (imports)."""
    if not submission.id_number_hash:
        return False
    return InsuredPerson.objects.filter(id_number_hash=submission.id_number_hash, status=InsuredStatus.ACTIVE).exists()


RULES = {
    "flag_duplicate_id": duplicate_id,
    "flag_age_status": age_status,
    "flag_region_mismatch": region_mismatch,
    "flag_proxy_is_registrant": proxy_is_registrant,
    "flag_shared_phone": shared_phone,
    "flag_unknown_county": unknown_county,
    "flag_already_insured": already_insured,
}


def apply_flags(submission) -> list[str]:
    """Compute every suspect flag on ``submission`` (does not save) and return the names set."""
    _ensure_hashes(submission)
    raised = []
    for field, rule in RULES.items():
        value = bool(rule(submission))
        setattr(submission, field, value)
        if value:
            raised.append(field)
    submission.has_flags = bool(raised)
    return raised
