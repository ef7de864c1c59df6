"""The record of a submission that the business systems receive (feed, ``GET /submissions/{reference}``, webhooks).

It carries the stored fields of the Annex 2 schema (``rules/annex2.py``), never restated here: ID and
phone numbers in full only for a client allowed to see personal data, their masked copies otherwise,
and other personal fields (name, addresses, the proxy) left out for such a client. Division fields are
division codes. The card number is always masked.
"""

from __future__ import annotations

from forms_intake.models import Submission
from forms_intake.rules import annex2


def record_fields():
    """The Annex 2 fields a record carries, in the schema's order."""
    return annex2.schema().stored


def _field_value(submission, spec, full: bool):
    if spec.kind == "division":
        return getattr(submission, f"{spec.name}_id") or None
    value = getattr(submission, spec.name)
    if spec.personal and not full:
        if spec.masked_column:
            return getattr(submission, spec.masked_column) or None
        return None
    if spec.kind == "bool":
        return bool(value)
    if spec.kind == "date":
        return value.isoformat() if value else None
    return value if value not in (None, "") else None


def enrolment_record(submission):
    """The enrolment result reported for ``submission``, or None."""
    result = getattr(submission, "enrolment_result", None)
    if result is None:
        return None
    return {
        "outcome": result.outcome,
        "outcome_label": str(result.get_outcome_display()),
        "insurance_type": result.insurance_type or None,
        "enrolled_on": result.enrolled_on.isoformat() if result.enrolled_on else None,
        "reason": result.reason or None,
    }


def card_record(submission):
    """The card issued for ``submission`` (its number masked), or None."""
    card = getattr(submission, "card", None)
    if card is None:
        return None
    return {
        "card_number": card.card_number_masked,
        "bank": card.bank,
        "issued_on": card.issued_on.isoformat(),
        "collection_point": card.collection_point,
        "collected": card.collected_at is not None,
    }


def submission_record(submission, *, full: bool) -> dict:
    """The record of ``submission`` for a client; ``full``: ID and phone numbers unmasked."""
    return {
        "reference": submission.reference,
        "status": submission.status,
        "status_label": str(submission.get_status_display()),
        "channel": submission.channel,
        "queue_code": submission.queue_code,
        "submitted_at": submission.created_at.isoformat(),
        "updated_at": submission.updated_at.isoformat(),
        "fields": {spec.name: _field_value(submission, spec, full) for spec in record_fields()},
        "enrolment": enrolment_record(submission),
        "card": card_record(submission),
    }


def record_queryset():
    """Submissions with what a record needs, in one query."""
    return Submission.objects.select_related("enrolment_result", "card")


def event_record(event, *, full: bool) -> dict:
    """One item of the feed or one webhook body: the event and the submission's current record."""
    return {
        "seq": event.pk,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "occurred_at": event.created_at.isoformat(),
        "submission": submission_record(event.submission, full=full),
    }
