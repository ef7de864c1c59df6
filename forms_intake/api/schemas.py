"""The API's request and response schemas (OpenAPI 3 through django-ninja).

``SubmissionFields`` is generated from the Annex 2 schema (``rules/annex2.py``): one property per stored
field, described by the form's verbatim label, so a box added to the form reaches the API without an edit
here. The values are what ``services/records.py`` puts in a record.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, create_model

from forms_intake.models.api import EnrolmentResult
from forms_intake.models.outreach import InsuranceType
from forms_intake.rules import annex2
from forms_intake.rules.choices import ServiceBank

_KIND_TYPES = {"bool": bool | None, "date": date | None}


def _description(spec) -> str:
    text = str(spec.label)
    if spec.kind == "division":
        text += " (division code)"
    if spec.mask:
        text += " (masked unless the client may see personal data)"
    elif spec.personal:
        text += " (null unless the client may see personal data)"
    if spec.choices is not None:
        text += ": " + ", ".join(f"{value} = {label}" for value, label in spec.choices.choices)
    return text


def _fields_model():
    fields = {
        spec.name: (_KIND_TYPES.get(spec.kind, str | None), Field(None, description=_description(spec)))
        for spec in annex2.schema().stored
    }
    return create_model(
        "SubmissionFields", __base__=Schema, __doc__="Annex 2 fields (rules/annex2.py).", **fields
    )


SubmissionFields = _fields_model()


class Error(Schema):
    """Every error answer: a stable code and a human-readable detail (validation errors list ``errors``)."""

    model_config = ConfigDict(extra="forbid")

    error: str
    detail: str
    errors: list[dict] | None = None


class Enrolment(Schema):
    outcome: str
    outcome_label: str
    insurance_type: str | None = None
    enrolled_on: date | None = None
    reason: str | None = None


class Card(Schema):
    card_number: str = Field(description="Masked: the last four characters only.")
    bank: str
    issued_on: date
    collection_point: str
    collected: bool


class SubmissionRecord(Schema):
    reference: str
    status: str
    status_label: str
    channel: str
    queue_code: str
    submitted_at: str
    updated_at: str
    fields: SubmissionFields
    enrolment: Enrolment | None = None
    card: Card | None = None


class FeedItem(Schema):
    seq: int = Field(description="The position in the feed: pass the last one you processed as `after`.")
    event_id: str = Field(description="Unique per event: your idempotency key.")
    event_type: str
    occurred_at: str
    submission: SubmissionRecord


class FeedPage(Schema):
    items: list[FeedItem]
    next_cursor: int = Field(description="Pass as `after` for the next page (unchanged when nothing is new).")
    has_more: bool


class EnrolmentIn(Schema):
    """Enrolment: ``enrolled`` (with insurance type and date), ``insured_elsewhere`` or ``refused`` (with a reason)."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal[tuple(EnrolmentResult.Outcome.values)]  # type: ignore[valid-type]
    insurance_type: Literal[tuple(InsuranceType.values)] | None = None  # type: ignore[valid-type]
    enrolled_on: date | None = None
    reason: str | None = Field(None, max_length=200)


class CardIn(Schema):
    """A social security card issued: its number, the bank (one of the ten of the form), date, where to collect."""

    model_config = ConfigDict(extra="forbid")

    card_number: str = Field(min_length=6, max_length=24, pattern=r"^[0-9A-Za-z]+$")
    bank: Literal[tuple(ServiceBank.values)]  # type: ignore[valid-type]
    issued_on: date
    collection_point: str = Field(min_length=1, max_length=200)


class Employer(Schema):
    name: str
