"""The submission state machine, enforced on the server.

    待受理 submitted ──claim──▶ 受理中 claimed ──complete──▶ 待校核 awaiting_review ──register──▶ 已登记 registered
        ▲   ◀──release────────┘  │  │                    │        ◀──send_back──┘          │
        │                        │  └──reject──▶ 不予登记 rejected                       issue_card
        └──resubmit── 退回补正 returned ◀──return──┘                                       ▼
                                                                                    已发卡 card_issued

Rules:
- ``claim``: a handler (``claim_submission``) takes a waiting submission; atomic,
  so of two handlers claiming at once exactly one wins (``Conflict`` for the other).
- ``release``, ``complete``, ``return``, ``reject``: only the handler who claimed it.
  ``return`` needs a message the resident sees in the status lookup; ``reject``
  needs a reason (and a note when the reason is "other").
- ``register`` and ``send_back``: a reviewer (``review_submission``) who is **not**
  the handler (the four-eyes rule, checked here and again in the UPDATE itself).
- ``resubmit``: once the resident's corrections are in (entered by staff with
  ``correct`` or by the resident), a returned submission goes back to 待受理 and
  to the whole township queue, not to the earlier handler: whoever is on duty
  picks it up. Staff may resubmit only after a correction has been recorded since
  the return (``correction_since_return``): otherwise nothing was corrected.
- A correction after 已登记 (``correct`` in REGISTERED) takes the submission back to
  待校核 with the corrector as its handler and the reviewer's signature removed: the
  changed record is registered again only when a reviewer other than the corrector
  confirms it (the four-eyes rule holds for every registered value). After 已发卡 a
  card exists: corrections are still recorded (seed item 18) and the record stays
  已发卡; the changed fields are in the timeline and the outbox for the card system.
- The ``reject`` note, like the ``return`` message, is shown to the resident in the
  status lookup with the reason.
- ``issue_card``: after registration, any handler of the division, or a business system through the API
  (``issue_card_by_system``, with the card's details; see forms_intake/api/results.py).

Every change is one conditional UPDATE (``WHERE id = … AND status = <expected>``),
so a stale page or a race never applies a transition twice, and each is
recorded by ``audit.record``. Corrections and re-routing are here too because
they obey the same scope and audit rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Submission, SubmissionEvent
from forms_intake.rules import annex2
from forms_intake.rules.routing import scope_prefix
from forms_intake.rules.states import RejectionReason
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.rules.validators import parse_resident_id
from forms_intake.services import audit, flags, notifications, outbox
from forms_intake.services.scope import in_scope

CLAIM = "forms_intake.claim_submission"
REVIEW = "forms_intake.review_submission"
REROUTE = "forms_intake.reroute_submission"


class TransitionError(Exception):
    """A transition that is not allowed; ``message`` is safe to show to the user."""

    def __init__(self, message, code="not_allowed"):
        super().__init__(str(message))
        self.message = message
        self.code = code


class Conflict(TransitionError):
    """The submission changed under us (another user acted first)."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _("Someone else has already acted on this registration (for example, another handler claimed it)."),
            code="conflict",
        )


@dataclass(frozen=True)
class Transition:
    """One allowed move of the state machine."""

    name: str
    label: str
    sources: tuple
    target: str
    permission: str
    handler_only: bool = False  # only the handler who claimed it
    not_handler: bool = False  # four-eyes: anyone but that handler
    note_required: bool = False
    note_label: str = ""


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("claim", _("Claim"), (S.SUBMITTED,), S.CLAIMED, CLAIM),
        Transition("release", _("Release to the queue"), (S.CLAIMED,), S.SUBMITTED, CLAIM, handler_only=True),
        Transition("complete", _("Send for review"), (S.CLAIMED,), S.AWAITING_REVIEW, CLAIM, handler_only=True),
        Transition(
            "return",
            _("Return to the resident for correction"),
            (S.CLAIMED,),
            S.RETURNED,
            CLAIM,
            handler_only=True,
            note_required=True,
            note_label=_("Message to the resident (shown in the status lookup)"),
        ),
        Transition("reject", _("Do not register"), (S.CLAIMED,), S.REJECTED, CLAIM, handler_only=True),
        Transition("register", _("Confirm and register"), (S.AWAITING_REVIEW,), S.REGISTERED, REVIEW, not_handler=True),
        Transition(
            "send_back",
            _("Send back to the handler"),
            (S.AWAITING_REVIEW,),
            S.CLAIMED,
            REVIEW,
            not_handler=True,
            note_required=True,
            note_label=_("What the handler should check"),
        ),
        Transition("resubmit", _("Corrections received: back to the queue"), (S.RETURNED,), S.SUBMITTED, CLAIM),
        Transition("issue_card", _("Record card issued"), (S.REGISTERED,), S.CARD_ISSUED, CLAIM),
    ]
}

#: States in which a registration is still waiting for staff.
OPEN_STATES = (S.SUBMITTED, S.CLAIMED, S.AWAITING_REVIEW, S.RETURNED)
#: States in which staff may correct fields (the handler's own work, or changes after registration).
CORRECTABLE_STATES = (S.CLAIMED, S.RETURNED, S.REGISTERED, S.CARD_ISSUED)


def _is_handler(submission, user) -> bool:
    return submission.handler_id is not None and submission.handler_id == user.pk


def why_not(submission, name, user):
    """The reason ``user`` may not apply transition ``name`` now, or None if allowed."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return _("Unknown action.")
    if not in_scope(user, submission):
        return _("This registration is outside your divisions.")
    if submission.status not in transition.sources:
        return _("This action is not possible in the state “%(state)s”.") % {
            "state": S(submission.status).label
        }
    if not user.has_perm(transition.permission):
        return _("You do not have permission for this action.")
    if transition.handler_only and not _is_handler(submission, user):
        return _("Only the handler who claimed this registration can do this.")
    if transition.not_handler and (submission.handler_id is None or _is_handler(submission, user)):
        return _("The reviewer must be a different person from the handler.")
    if name == "resubmit" and not correction_since_return(submission):
        return _("Record the resident's corrections first: nothing has been corrected since it was returned.")
    return None


def correction_since_return(submission) -> bool:
    """Whether a correction has been recorded after the submission's latest return."""
    events = SubmissionEvent.objects.filter(submission_id=submission.pk)
    last_return = events.filter(action="return").order_by("-created_at", "-id").values_list("id", flat=True).first()
    corrections = events.filter(action="correct")
    if last_return is not None:
        corrections = corrections.filter(id__gt=last_return)
    return corrections.exists()


def available(submission, user):
    """The transitions ``user`` may apply to ``submission`` now (for the detail page's buttons)."""
    return [t for t in TRANSITIONS.values() if why_not(submission, t.name, user) is None]


def perform(submission, name, user, *, note="", reason=""):
    """Apply transition ``name`` to ``submission`` as ``user``; updates the instance and records it.

    Raises ``TransitionError`` (not allowed, missing note/reason) or ``Conflict``
    (someone else changed the submission first).
    """
    problem = why_not(submission, name, user)
    if problem:
        raise TransitionError(problem)
    transition = TRANSITIONS[name]
    note = (note or "").strip()
    if transition.note_required and not note:
        raise TransitionError(_("Please write a message."), code="note_required")

    now = timezone.now()
    updates = {"status": transition.target, "updated_at": now}
    conditions = models.Q(pk=submission.pk, status=submission.status)
    if name == "claim":
        updates["handler"] = user
    elif name == "release":
        updates.update(handler=None)
    elif name == "complete":
        updates["handled_at"] = now
    elif name == "send_back":
        updates["handled_at"] = None
    elif name == "register":
        updates.update(reviewer=user, reviewed_at=now)
    elif name == "return":
        updates["resident_message"] = note
    elif name == "reject":
        if reason not in RejectionReason.values:
            raise TransitionError(_("Choose a reason."), code="reason_required")
        if reason == RejectionReason.OTHER and not note:
            raise TransitionError(_("Explain the reason."), code="note_required")
        updates.update(rejection_reason=reason, resident_message=note)
    elif name == "resubmit":
        updates.update(handler=None, handled_at=None, resident_message="")
    if transition.handler_only:
        conditions &= models.Q(handler=user)
    if transition.not_handler:
        # Four-eyes again inside the UPDATE: safe even against a concurrent re-claim.
        conditions &= ~models.Q(handler=user)

    with transaction.atomic():
        changed = Submission.objects.filter(conditions).update(**updates)
        if changed != 1:
            raise Conflict()
        from_status = submission.status
        for field, value in updates.items():
            setattr(submission, field, value)
        event_note = note
        if name == "reject":
            event_note = f"{RejectionReason(reason).label}: {note}" if note else str(RejectionReason(reason).label)
        event = audit.record(submission, name, user, from_status=from_status, to_status=transition.target,
                             note=event_note)
        notifications.queue(submission, name, event)  # sent by a worker after the commit
        outbox.record_change(submission, name, from_status=from_status, to_status=transition.target)
    return submission


def resubmit_by_resident(submission):
    """A returned submission corrected by the resident goes back to 待受理 (no staff user involved)."""
    with transaction.atomic():
        changed = (
            Submission.objects.filter(pk=submission.pk, status=S.RETURNED)
            .update(status=S.SUBMITTED, handler=None, handled_at=None, resident_message="", updated_at=timezone.now())
        )
        if changed != 1:
            raise Conflict()
        submission.status, submission.handler, submission.handled_at, submission.resident_message = (
            S.SUBMITTED,
            None,
            None,
            "",
        )
        audit.record(submission, "resubmit", None, from_status=S.RETURNED, to_status=S.SUBMITTED)
        outbox.record_change(submission, "resubmit", from_status=S.RETURNED, to_status=S.SUBMITTED)
    return submission


def issue_card_by_system(submission, note=""):
    """已登记 → 已发卡 reported by a business system (the API; no staff user): same UPDATE, audit and outbox."""
    with transaction.atomic():
        changed = Submission.objects.filter(pk=submission.pk, status=S.REGISTERED).update(
            status=S.CARD_ISSUED, updated_at=timezone.now()
        )
        if changed != 1:
            raise Conflict(_("A card can be recorded only for a registered submission."))
        submission.status = S.CARD_ISSUED
        event = audit.record(submission, "issue_card", None, from_status=S.REGISTERED, to_status=S.CARD_ISSUED,
                             note=note)
        notifications.queue(submission, "issue_card", event)
        outbox.record_change(submission, "issue_card", from_status=S.REGISTERED, to_status=S.CARD_ISSUED)
    return submission


def claim_many(queryset, user):
    """Bulk claim: claim each waiting submission of ``queryset`` (already scoped); returns (claimed, skipped)."""
    claimed, skipped = [], []
    for submission in queryset:
        try:
            perform(submission, "claim", user)
        except TransitionError:
            skipped.append(submission)
        else:
            claimed.append(submission)
    return claimed, skipped


# --------------------------------------------------------------------------
# Corrections and re-routing
# --------------------------------------------------------------------------

#: Fields whose values are shown masked in the timeline: {name: masking function} (the schema's masked fields).
MASKED_FIELDS = annex2.schema().masked


def _display(field, value):
    mask = annex2.schema().masked.get(field)
    if mask is not None:
        return mask(value)
    if isinstance(value, models.Model):
        return str(value)
    return "" if value is None else str(value)


def can_correct(submission, user) -> bool:
    """Corrections: the claiming handler while processing; any handler of the division when returned
    or after registration (seed item 18)."""
    if not in_scope(user, submission) or not user.has_perm(CLAIM):
        return False
    if submission.status == S.CLAIMED:
        return _is_handler(submission, user)
    return submission.status in CORRECTABLE_STATES


def correct(submission, user, new_values: dict, note=""):
    """Change fields of ``submission`` as ``user``; records before/after (masked) and recomputes flags.

    ``new_values`` maps field names to new values (model instances for foreign keys).
    Derived columns (hashes, masked copies, birth date and gender from a new ID
    number) are recomputed. Returns the list of fields that changed.
    """
    if not can_correct(submission, user):
        raise TransitionError(_("You cannot correct this registration now."))
    changes = apply_changes(submission, new_values)
    if not changes:
        return []
    from_status = submission.status
    if from_status == S.REGISTERED:
        # The reviewer signed other values: the corrected record goes back through a (different) reviewer.
        submission.status, submission.handler, submission.handled_at = S.AWAITING_REVIEW, user, timezone.now()
        submission.reviewer, submission.reviewed_at = None, None
    with transaction.atomic():
        submission.save()
        audit.record(
            submission, "correct", user, from_status=from_status, to_status=submission.status,
            note=note, changes=changes,
        )
        outbox.record_change(submission, "correct", from_status=from_status, to_status=submission.status)
    return list(changes)


def apply_changes(submission, new_values: dict) -> dict:
    """Set ``new_values`` on ``submission`` (unsaved) with their derived columns; returns {field: before/after}.

    The before/after values are masked where personal (the timeline's form). Used by staff
    corrections and by the resident's online correction (services/correction_requests.py).
    """
    changes = {}
    for field, value in new_values.items():
        old = getattr(submission, field)
        if isinstance(old, models.Model) or isinstance(value, models.Model):
            same = old == value
        else:
            same = (old or "") == (value or "")
        if same:
            continue
        changes[field] = {"before": _display(field, old), "after": _display(field, value)}
        setattr(submission, field, value)
    if not changes:
        return {}
    if "id_number" in changes:
        parsed = parse_resident_id(submission.id_number)
        submission.id_number = parsed.number
        submission.birth_date, submission.gender = parsed.birth_date, parsed.sex
    # The keyed hash and masked copy of every changed masked field (schema: hash_column, masked_column).
    for spec in annex2.schema().stored:
        if spec.name in changes and spec.mask:
            value = getattr(submission, spec.name)
            if spec.hash_column:
                hashed = flags.id_hash if spec.kind == "id_number" else flags.phone_hash
                setattr(submission, spec.hash_column, hashed(value) if value else "")
            if spec.masked_column:
                setattr(submission, spec.masked_column, spec.mask(value))
    flags.apply_flags(submission)
    return changes


def reroute(submission, user, queue_code, note=""):
    """Move ``submission`` to another queue (provincial administrators only); logged with the reason."""
    if not user.has_perm(REROUTE) or not in_scope(user, submission):
        raise TransitionError(_("Only provincial administrators can re-route registrations."))
    queue_code = scope_prefix(queue_code)
    if not queue_code or queue_code == submission.queue_code:
        raise TransitionError(_("Choose a different division."))
    if not (note or "").strip():
        raise TransitionError(_("Explain why the registration is re-routed."), code="note_required")
    old = submission.queue_code
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(queue_code=queue_code, updated_at=timezone.now())
        submission.queue_code = queue_code
        audit.record(
            submission, "reroute", user, from_status=submission.status, to_status=submission.status,
            note=note, changes={"queue_code": {"before": old, "after": queue_code}},
        )
        outbox.record_change(submission, "reroute", from_status=submission.status, to_status=submission.status)
    return submission
