"""Results coming back from the business systems: enrolment and social security card issuance.

Each is audited in the submission's timeline (``audit.record``) and written to the outbox, in one
transaction. Enrolment (enrolled / insured elsewhere / refused) is a recorded event: the submission stays
已登记 (or 已发卡). A card is the state machine's 已登记 → 已发卡 (``transitions.issue_card_by_system``),
with the card stored encrypted and shown masked. Posting the same result again changes nothing and
answers 200 (a retry after a lost answer is safe); a different card for a submission that already has one
is a 409. Only registered submissions take results (409 otherwise); outside the client's divisions: 404.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router

from forms_intake.api import schemas
from forms_intake.api.auth import ApiError, require
from forms_intake.api.feed import ERRORS, scoped_submission
from forms_intake.models import EnrolmentResult, SocialSecurityCard
from forms_intake.models.api import mask_card_number
from forms_intake.rules.choices import ServiceBank
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import audit, outbox
from forms_intake.services.records import record_queryset, submission_record
from forms_intake.services.transitions import Conflict, issue_card_by_system

router = Router(tags=["results"])

RESULT_ERRORS = {**ERRORS, 409: schemas.Error}
REGISTERED_STATES = (S.REGISTERED, S.CARD_ISSUED)


def _locked_submission(request, reference):
    return scoped_submission(request, reference, record_queryset().select_for_update(of=("self",)))


def _check_enrolment(data: schemas.EnrolmentIn):
    if data.outcome == EnrolmentResult.Outcome.ENROLLED and not (data.insurance_type and data.enrolled_on):
        raise ApiError(422, "invalid", _("An enrolment needs the insurance type and the date."))
    if data.outcome == EnrolmentResult.Outcome.REFUSED and not (data.reason or "").strip():
        raise ApiError(422, "invalid", _("A refusal needs a reason."))


def _enrolment_note(result: EnrolmentResult) -> str:
    parts = [str(result.get_outcome_display())]
    if result.insurance_type:
        parts.append(str(result.get_insurance_type_display()))
    if result.enrolled_on:
        parts.append(result.enrolled_on.isoformat())
    if result.reason:
        parts.append(result.reason)
    return " · ".join(parts)


@router.post("/submissions/{reference}/enrolment", response={200: schemas.SubmissionRecord, **RESULT_ERRORS},
             url_name="enrolment", summary="Report the enrolment result")
def post_enrolment(request, reference: str, data: schemas.EnrolmentIn):
    """``enrolled`` (with ``insurance_type`` and ``enrolled_on``), ``insured_elsewhere``, ``refused`` (``reason``)."""
    require(request, "can_report_results")
    _check_enrolment(data)
    values = {
        "outcome": data.outcome,
        "insurance_type": (data.insurance_type or "") if data.outcome == EnrolmentResult.Outcome.ENROLLED else "",
        "enrolled_on": data.enrolled_on if data.outcome == EnrolmentResult.Outcome.ENROLLED else None,
        "reason": (data.reason or "").strip(),
    }
    with transaction.atomic():
        submission = _locked_submission(request, reference)
        if submission.status not in REGISTERED_STATES:
            raise ApiError(409, "not_registered", _("Results can be reported only for registered submissions."))
        result = getattr(submission, "enrolment_result", None) or EnrolmentResult(submission=submission)
        if result.pk is None or any(getattr(result, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(result, key, value)
            result.client = request.auth
            result.save()
            submission.enrolment_result = result
            audit.record(submission, "enrolment", None, from_status=submission.status, to_status=submission.status,
                         note=f"{request.auth.name}: {_enrolment_note(result)}")
            outbox.record_change(submission, "enrolment", from_status=submission.status, to_status=submission.status)
    request.api_count = 1
    return submission_record(submission, full=request.auth.can_see_personal_data)


@router.post("/submissions/{reference}/card", response={200: schemas.SubmissionRecord, **RESULT_ERRORS},
             url_name="card", summary="Report a social security card issued")
def post_card(request, reference: str, data: schemas.CardIn):
    """The card number (stored encrypted, shown masked), the bank, the issue date and where to collect it."""
    require(request, "can_report_results")
    number = data.card_number.upper()
    with transaction.atomic():
        submission = _locked_submission(request, reference)
        card = getattr(submission, "card", None)
        if card is not None:
            same = (card.card_number, card.bank, card.issued_on, card.collection_point) == (
                number, data.bank, data.issued_on, data.collection_point.strip())
            if not same:
                raise ApiError(409, "card_exists", _("A card has already been recorded for this submission."))
        elif submission.status != S.REGISTERED:
            raise ApiError(409, "not_registered", _("A card can be recorded only for a registered submission."))
        else:
            card = SocialSecurityCard.objects.create(
                submission=submission, card_number=number, card_number_masked=mask_card_number(number),
                bank=data.bank, issued_on=data.issued_on, collection_point=data.collection_point.strip(),
                township_code=submission.queue_code, client=request.auth,
            )
            note = f"{request.auth.name}: {card.card_number_masked} · {ServiceBank(card.bank).label} · " \
                   f"{card.issued_on.isoformat()} · {card.collection_point}"
            try:
                issue_card_by_system(submission, note=note)
            except Conflict as exc:
                raise ApiError(409, "not_registered", str(exc.message)) from None
            submission.card = card
    request.api_count = 1
    return submission_record(submission, full=request.auth.can_see_personal_data)
