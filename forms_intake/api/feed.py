"""Reading submissions: the change feed and one submission by its reference number.

The feed lists outbox events (``OutboxEvent``) after a cursor, oldest first, each with the submission's
current record. Event ids are handed out in commit order (services/outbox.py), so a consumer that stores
the ``seq`` of the last item it processed and resumes with ``after=<seq>`` misses nothing and sees nothing
twice, however it crashed. A client sees events of the submissions under its divisions only; a submission
outside them answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from django.db.models import Q
from ninja import Query, Router

from forms_intake.api import schemas
from forms_intake.api.auth import ApiError, require
from forms_intake.models import OutboxEvent
from forms_intake.rules.reference import is_valid_reference_number, normalize_reference_number
from forms_intake.services.records import event_record, record_queryset, submission_record
from forms_intake.services.scope import prefix_q

router = Router(tags=["submissions"])

#: Largest cursor a database integer holds (a larger ``after`` is refused by validation, not by the database).
MAX_CURSOR = 2**63 - 1
ERRORS = dict.fromkeys((400, 401, 403, 404, 422, 429), schemas.Error)


def scope_filter(request, field: str) -> Q:
    """A Q limiting ``field`` (a queue code) to the calling client's divisions; matches nothing without any."""
    prefixes = request.api_prefixes
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in prefixes:
        q |= prefix_q(prefix, field)
    return q


def not_found():
    return ApiError(404, "not_found", "No submission with this reference number.")


def scoped_submission(request, reference: str, queryset=None):
    """The submission with ``reference`` if it lies in the client's divisions; ``ApiError`` 404 otherwise."""
    if not is_valid_reference_number(reference):
        raise not_found()
    submission = (
        (queryset if queryset is not None else record_queryset())
        .filter(scope_filter(request, "queue_code"), reference=normalize_reference_number(reference))
        .first()
    )
    if submission is None:
        raise not_found()
    return submission


@router.get("/submissions/feed", response={200: schemas.FeedPage, **ERRORS}, url_name="feed",
            summary="Change feed of submissions")
def feed(request, after: int = Query(0, ge=0, le=MAX_CURSOR), limit: int = Query(100, ge=1, le=1000)):
    """Events after the cursor ``after`` (0: from the start), oldest first, at most ``limit``.

    Process the items in order and remember the last ``seq`` (or ``next_cursor``); call again with it.
    The same submission appears again each time it changes (its record is as it is now).
    """
    require(request, "can_read_feed")
    events = list(
        OutboxEvent.objects.filter(scope_filter(request, "submission__queue_code"), pk__gt=after)
        .select_related("submission", "submission__enrolment_result", "submission__card")
        .order_by("pk")[: limit + 1]
    )
    has_more = len(events) > limit
    events = events[:limit]
    full = request.auth.can_see_personal_data
    request.api_count = len(events)
    return {
        "items": [event_record(event, full=full) for event in events],
        "next_cursor": events[-1].pk if events else after,
        "has_more": has_more,
    }


@router.get("/submissions/{reference}", response={200: schemas.SubmissionRecord, **ERRORS}, url_name="submission",
            summary="One submission by its reference number")
def submission_detail(request, reference: str):
    """The current record of the submission with this reference number (404 outside the client's divisions)."""
    require(request, "can_read_feed")
    submission = scoped_submission(request, reference)
    request.api_count = 1
    return submission_record(submission, full=request.auth.can_see_personal_data)
