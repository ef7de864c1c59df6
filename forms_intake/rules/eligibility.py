"""Employment status against age: the one place the rule is written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forms_intake.rules.choices import EmploymentStatus
from forms_intake.rules.text import current_date
from forms_intake.rules.validators import parse_resident_id

# --------------------------------------------------------------------------
# Employment status against age
# --------------------------------------------------------------------------

#: 学龄前 only below this age: compulsory schooling starts at 6 and may be
#: deferred to 7 (义务教育法 第十一条).
PRESCHOOL_MAX_AGE = 7
#: 在校学生 from kindergarten age up to mature students in adult education.
STUDENT_MIN_AGE = 5
STUDENT_MAX_AGE = 60
#: Employers may not hire anyone under 16 (劳动法 第十五条), so the work
#: statuses, including 未就业 (not working), need at least this age.
MIN_WORKING_AGE = 16

#: 已就业 (in or outside the province): the statuses with an employer and a workplace.
EMPLOYED_STATUSES = frozenset({EmploymentStatus.EMPLOYED_IN_PROVINCE, EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE})

_WORKING_STATUSES = frozenset(
    {
        EmploymentStatus.EMPLOYED_IN_PROVINCE,
        EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE,
        EmploymentStatus.UNEMPLOYED,
        EmploymentStatus.FREELANCER,
    }
)


def check_employment_status_for_age(status, age: int | None) -> None:
    """Raise ``ValidationError`` if the employment status does not fit the age.

    ``status`` is an ``EmploymentStatus`` or its value; ``age`` is in
    completed years (e.g. ``ResidentId.age_on(today)``). Nothing is checked
    when ``age`` is None. Error codes: ``invalid_status``,
    ``preschool_age``, ``student_age``, ``working_age``; params include
    ``status`` (the label), ``age`` and the limits.
    """
    try:
        status = EmploymentStatus(status)
    except ValueError:
        raise ValidationError(
            _("Select a valid employment status."),
            code="invalid_status",
            params={"value": status},
        ) from None
    if age is None:
        return
    params = {"status": status.label, "age": age}
    if status == EmploymentStatus.PRESCHOOL and age >= PRESCHOOL_MAX_AGE:
        raise ValidationError(
            _("“%(status)s” applies only to children under %(limit)s; the ID number shows an age of %(age)s."),
            code="preschool_age",
            params={**params, "limit": PRESCHOOL_MAX_AGE},
        )
    if status == EmploymentStatus.STUDENT and not STUDENT_MIN_AGE <= age <= STUDENT_MAX_AGE:
        raise ValidationError(
            _("“%(status)s” applies only to ages %(min)s to %(max)s; the ID number shows an age of %(age)s."),
            code="student_age",
            params={**params, "min": STUDENT_MIN_AGE, "max": STUDENT_MAX_AGE},
        )
    if status in _WORKING_STATUSES and age < MIN_WORKING_AGE:
        raise ValidationError(
            _(
                "“%(status)s” applies only to people aged %(limit)s or over (the minimum legal working age); "
                "the ID number shows an age of %(age)s."
            ),
            code="working_age",
            params={**params, "limit": MIN_WORKING_AGE},
        )




def is_employed(status) -> bool:
    """True for 已就业 (in or outside the province): the workplace step and the employer as 登记单位 apply."""
    return status in EMPLOYED_STATUSES


def birth_date_of(id_number):
    """The birth date in a resident ID number (which must be valid)."""
    return parse_resident_id(id_number).birth_date


def completed_years(born, on) -> int:
    """Age in completed years on ``on`` of someone born on ``born`` (as ``ResidentId.age_on``)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_employment_for_birth_date(status, birth_date, *, today=None) -> None:
    """The employment-versus-age rule for a birth date, as of ``today`` (default: today in Hunan).

    The one call of the wizard's employment step, the staff correction form and the suspect
    flag: raises ``ValidationError`` like ``check_employment_status_for_age``; nothing is
    checked without a status or a birth date.
    """
    if not status or not birth_date:
        return
    check_employment_status_for_age(status, completed_years(birth_date, today or current_date()))
