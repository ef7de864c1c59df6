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
from forms_intake.rules import annex2, routing
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from forms_intake.rules.reference import generate_reference_number
from forms_intake.rules.validators import normalize_id_number, parse_resident_id
from forms_intake.services import audit, flags, outbox

logger = logging.getLogger(__name__)

#: Kinds of Annex 2 field copied from the answers as they are (ID and phone numbers and divisions are not).
_PLAIN_KINDS = ("text", "name", "choice")


def plain_fields():
    """Answer keys `build_submission` copies as they are, besides the personal ones handled below."""
    return [f.name for f in annex2.schema().stored if f.kind in _PLAIN_KINDS]


def division_fields():
    """Answer keys that name a division (a code or a `Division`)."""
    return [f.name for f in annex2.schema().divisions]


PLAIN_FIELDS = tuple(plain_fields())
DIVISION_FIELDS = tuple(division_fields())


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
    schema = annex2.schema()
    filer = steps.get("filer") or {}
    is_proxy = filer.get("filing_for") == annex2.FilingFor.OTHER and bool(steps.get("proxy"))
    answers = {}
    for spec in schema.asked:
        # A skipped step is absent; the proxy's answers count only when filing for another person.
        data = steps.get(spec.step) or {}
        if spec.step == "proxy" and not is_proxy:
            data = {}
        answers[spec.name] = data.get(spec.name, None if spec.kind == "division" else "")
    answers["is_proxy_filing"] = is_proxy
    # 登记单位所在地: the workplace for an employer, else the residence.
    if answers["unit_type"] == annex2.UnitType.EMPLOYER:
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
    for field in plain_fields():
        setattr(submission, field, answers.get(field) or "")
    for field in division_fields():
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


#: How the 联系电话 was confirmed before an online submit: each is a timeline action (audit.ACTION_LABELS).
PHONE_SMS_CODE = "phone_sms_code"  # the resident typed the code sent by text message
PHONE_IN_PERSON = "phone_in_person"  # WIZARD_PHONE_VERIFICATION off: staff confirm the number in person
PHONE_LANDLINE = "phone_landline"  # a landline gets no text message: staff confirm it in person
PHONE_CONFIRMATIONS = (PHONE_SMS_CODE, PHONE_IN_PERSON, PHONE_LANDLINE)


def phone_confirmation(submission, events=None):
    """The label of how the 联系电话 was confirmed, from the timeline (``events`` if already read);
    None when not recorded (staff entry, registrations from before it was recorded)."""
    if events is None:
        events = submission.events.filter(action__in=PHONE_CONFIRMATIONS).order_by("created_at", "id")
    event = next((event for event in events if event.action in PHONE_CONFIRMATIONS), None)
    return audit.action_label(event.action) if event else None


def create_submission(answers: dict, *, idempotency_key=None, channel=Submission.Channel.ONLINE, declared_at=None,
                      phone_confirmed=None):
    """Store the answers as one `Submission` and return `(submission, created)`.

    ``phone_confirmed``: one of ``PHONE_CONFIRMATIONS``, recorded in the timeline with the submission.

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
                # The business systems' outbox event, in the same transaction (services/outbox.py).
                outbox.record_change(submission, "create", to_status=submission.status)
                if phone_confirmed:
                    audit.record(submission, phone_confirmed, to_status=submission.status,
                                 from_status=submission.status)
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
