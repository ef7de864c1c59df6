"""Online correction by the resident (issue 14): what staff ask to correct, and the correction itself.

When a handler returns a registration (退回补正) they tick the fields the resident must correct
(the schema's ``resident_correctable`` fields, ``forms_intake/rules/annex2.py``); ``return_for_correction``
applies the transition and stores the list (``CorrectionRequest``) in one transaction.

The resident, once verified (reference + ID number + a code sent to the registered phone;
``forms_intake/wizard/correction.py``), changes only those fields: ``correct_by_resident`` refuses any
other field, writes the new values with their hashes and masked copies (``transitions.apply_changes``),
records before/after in the timeline and the audit log (``audit.record``, masked where personal), and
sends the registration back to 待受理 for the township queue (``transitions.resubmit_by_resident``, the
lifecycle's ``resubmit``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from forms_intake.models import CorrectionRequest, Submission
from forms_intake.rules import annex2
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import audit, outbox, transitions

#: A field that cannot be changed alone without the step form's rule failing: it brings its companion
#: (another employment status clears or needs the employer's name; 其他 needs its description).
COMPANIONS = {
    "employment_status": ("employer_name",),
    "not_insured_reason": ("not_insured_reason_other",),
}

#: The timeline note of a resident's correction (no personal data), written in the site's language for staff.
RESIDENT_NOTE = _("Corrected online by the resident (verified by a code sent to the registered phone).")
NOT_REQUESTED = _("Only the details the office asked you to correct can be changed online.")
NOTHING_CHANGED = _(
    "Nothing has changed. Correct the details the office asked about, or contact the office if you think they "
    "are right."
)


class CorrectionRefused(Exception):
    """The resident's correction cannot be accepted; ``message`` is safe to show."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def resident_fields():
    """[(name, label)] of the fields a resident may be asked to correct, in the schema's order."""
    return [(spec.name, spec.label) for spec in annex2.schema().resident_correctable]


def clean_field_list(names) -> list:
    """The requested field names: known resident-correctable ones only, with companions, in schema order."""
    allowed = [name for name, _label in resident_fields()]
    wanted = {name for name in names if name in allowed}
    for name in list(wanted):
        wanted.update(COMPANIONS.get(name, ()))
    return [name for name in allowed if name in wanted]


def labels_of(names) -> list:
    """The labels of the fields ``names`` would request (after ``clean_field_list``), for the confirmation page."""
    labels = dict(resident_fields())
    return [labels[name] for name in clean_field_list(names)]


def return_for_correction(submission, user, *, note, fields=()):
    """The ``return`` transition with the fields to correct online; returns the request (None if no field)."""
    names = clean_field_list(fields)
    with transaction.atomic():
        transitions.perform(submission, "return", user, note=note)
        if not names:
            return None
        request = CorrectionRequest.objects.create(submission=submission, fields=names, requested_by=user)
        labels = dict(resident_fields())
        with translation.override(settings.LANGUAGE_CODE):
            listed = "、".join(str(labels[name]) for name in names)
        audit.record(submission, "correction_request", user, from_status=S.RETURNED, to_status=S.RETURNED,
                     note=listed)
        return request


def open_request(submission):
    """The correction request the resident may answer now: the latest one of a returned registration."""
    if submission is None or submission.status != S.RETURNED:
        return None
    request = CorrectionRequest.objects.filter(submission=submission).order_by("-created_at", "-id").first()
    if request is None or request.corrected_at is not None:
        return None
    if _returned_since(submission, request):
        return None  # returned again without naming fields: the resident must contact the office
    return request


def _returned_since(submission, request) -> bool:
    return submission.events.filter(action="return", created_at__gt=request.created_at).exists()


def correct_by_resident(submission_id, request_id, new_values: dict):
    """Apply the resident's values (only the requested fields) and put the registration back in the queue.

    Returns the list of changed fields. Raises ``CorrectionRefused`` when a field was not requested,
    nothing changed, or the registration is no longer waiting for this correction.
    """
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(pk=submission_id).first()
        request = CorrectionRequest.objects.select_for_update().filter(pk=request_id).first()
        if submission is None or request is None or request.submission_id != submission.pk or (
            open_request(submission) != request
        ):
            raise CorrectionRefused(
                _("This registration is no longer waiting for your correction. Look up its status for details.")
            )
        extra = sorted(set(new_values) - set(request.fields))
        if extra:
            raise CorrectionRefused(NOT_REQUESTED)
        from_status = submission.status
        changes = transitions.apply_changes(submission, new_values)
        if not changes:
            raise CorrectionRefused(NOTHING_CHANGED)
        submission.save()
        with translation.override(settings.LANGUAGE_CODE):
            note = str(RESIDENT_NOTE)
        audit.record(
            submission, "correct", None, from_status=from_status, to_status=from_status, note=note, changes=changes
        )
        outbox.record_change(submission, "correct", from_status=from_status, to_status=from_status)
        request.corrected_at = timezone.now()
        request.save(update_fields=["corrected_at"])
        transitions.resubmit_by_resident(submission)
    return list(changes)
