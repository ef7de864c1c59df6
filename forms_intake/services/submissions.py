"""Turning answers into a stored `Submission`: encryption, hashes, masked copies, routing and flags.

`answers_from_steps()` flattens the wizard's cleaned step data into one
dict of model field names; `create_submission()` stores it exactly once
per idempotency key. Staff entry (assisted registration at the counter or
door to door) can build the same dict and call `create_submission()` with
another channel.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from forms_intake.models import Division, Submission
from forms_intake.rules import routing
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from forms_intake.rules.reference import generate_reference_number
from forms_intake.rules.validators import normalize_id_number, parse_resident_id
from forms_intake.services import flags

logger = logging.getLogger(__name__)

#: Answer keys `build_submission` understands, besides the personal ones handled below.
PLAIN_FIELDS = (
    "name",
    "employment_status",
    "employer_name",
    "residence_village",
    "residence_street",
    "employer_village",
    "not_insured_reason",
    "not_insured_reason_other",
    "service_bank",
    "proxy_name",
    "proxy_relationship",
    "unit_type",
    "unit_name",
    "unit_code",
    "unit_village",
)
DIVISION_FIELDS = ("hukou_division", "residence_division", "employer_division", "unit_division")


def _division(value):
    if value is None or isinstance(value, Division):
        return value
    return Division.objects.filter(code=str(value)).first()


def answers_from_steps(steps: dict) -> dict:
    """Flatten the cleaned data of the wizard's steps into `build_submission` answers.

    `steps` maps step names to cleaned data; a step that was skipped (its
    condition is false) must simply be absent, and its stale answers are
    then ignored.
    """
    filer = steps.get("filer") or {}
    identity = steps.get("identity") or {}
    proxy = steps.get("proxy") or {}
    employment = steps.get("employment") or {}
    address = steps.get("address") or {}
    workplace = steps.get("workplace") or {}
    reason = steps.get("reason") or {}
    unit = steps.get("unit") or {}
    is_proxy = filer.get("filing_for") == "other" and bool(proxy)
    employed = bool(workplace)
    answers = {
        "name": identity.get("name", ""),
        "id_number": identity.get("id_number", ""),
        "phone": identity.get("phone", ""),
        "employment_status": employment.get("employment_status", ""),
        "employer_name": employment.get("employer_name", ""),
        "hukou_division": address.get("hukou_division"),
        "residence_division": address.get("residence_division"),
        "residence_village": address.get("residence_village", ""),
        "residence_street": address.get("residence_street", ""),
        "employer_division": workplace.get("employer_division") if employed else None,
        "employer_village": workplace.get("employer_village", "") if employed else "",
        "not_insured_reason": reason.get("not_insured_reason", ""),
        "not_insured_reason_other": reason.get("not_insured_reason_other", ""),
        "service_bank": reason.get("service_bank", ""),
        "is_proxy_filing": is_proxy,
        "proxy_name": proxy.get("proxy_name", "") if is_proxy else "",
        "proxy_phone": proxy.get("proxy_phone", "") if is_proxy else "",
        "proxy_id_number": proxy.get("proxy_id_number", "") if is_proxy else "",
        "proxy_relationship": proxy.get("proxy_relationship", "") if is_proxy else "",
        "unit_type": unit.get("unit_type", ""),
        "unit_name": unit.get("unit_name", ""),
        "unit_code": unit.get("unit_code", ""),
    }
    if answers["unit_type"] == Submission.UnitType.EMPLOYER:
        answers["unit_division"] = answers["employer_division"]
        answers["unit_village"] = answers["employer_village"]
    else:
        answers["unit_division"] = answers["residence_division"]
        answers["unit_village"] = answers["unit_name"] or answers["residence_village"]
    return answers


def build_submission(answers: dict, *, channel=Submission.Channel.ONLINE, declared_at=None) -> Submission:
    """An unsaved `Submission` from validated answers (see `answers_from_steps` for the keys).

    Derives birth date and gender from the ID number, fills the keyed hashes
    and masked copies, and computes the queue and the suspect flags.
    ID and phone numbers are encrypted by the model fields when saved.
    """
    resident = parse_resident_id(answers["id_number"])
    submission = Submission(channel=channel, declared_at=declared_at or timezone.now())
    for field in PLAIN_FIELDS:
        setattr(submission, field, answers.get(field) or "")
    for field in DIVISION_FIELDS:
        setattr(submission, field, _division(answers.get(field)))
    submission.is_proxy_filing = bool(answers.get("is_proxy_filing"))

    submission.id_number = resident.number
    submission.id_number_hash = flags.id_hash(resident.number)
    submission.id_number_masked = mask_id_number(resident.number)
    submission.birth_date = resident.birth_date
    submission.gender = resident.sex
    submission.phone = answers["phone"]
    submission.phone_hash = flags.phone_hash(answers["phone"])
    submission.phone_masked = mask_phone(answers["phone"])

    if submission.is_proxy_filing:
        proxy_id = normalize_id_number(answers.get("proxy_id_number", ""))
        submission.proxy_id_number = proxy_id
        submission.proxy_id_number_hash = flags.id_hash(proxy_id) if proxy_id else ""
        submission.proxy_id_number_masked = mask_id_number(proxy_id)
        submission.proxy_phone = answers.get("proxy_phone", "")
        submission.proxy_phone_masked = mask_phone(submission.proxy_phone)

    submission.queue_code = routing.route_submission(submission)
    flags.apply_flags(submission)
    return submission


def create_submission(answers: dict, *, idempotency_key=None, channel=Submission.Channel.ONLINE, declared_at=None):
    """Store the answers as one `Submission` and return `(submission, created)`.

    With an `idempotency_key`, a second call (a double click, a refresh, a
    retry after a timeout) returns the submission the first call stored
    instead of making another; the unique constraint settles races between
    concurrent requests. Database errors other than that race propagate so
    the caller can keep the resident's answers and offer a retry.
    """
    if idempotency_key:
        existing = Submission.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    for _attempt in range(3):
        submission = build_submission(answers, channel=channel, declared_at=declared_at)
        submission.idempotency_key = idempotency_key or None
        submission.reference = generate_reference_number()
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            if idempotency_key:
                existing = Submission.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing, False
            # Otherwise a reference number collision (rare): draw another.
            continue
        # Only the reference: never the personal data.
        logger.info(
            "Registration %s stored (channel %s, queue %s)", submission.reference, channel, submission.queue_code
        )
        return submission, True
    raise IntegrityError("Could not allocate a unique reference number.")
