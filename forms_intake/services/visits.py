"""Door-to-door visits (入户登记调查, seed item 17): the roster a clerk may see, and recording outcomes.

Scope: a clerk sees the roster entries whose ``queue_code`` lies under their divisions, exactly as they
see submissions (scope.user_prefixes, scope.prefix_q), and only with ``view_rosterentry``; anything
else is 404. Recording a visit needs ``visit_rosterentry``.

Recording is one conditional UPDATE of the entry: it succeeds only if the entry is still open and its
visit count is the one the clerk saw, so two clerks recording the same visit cannot count it twice
(the second is told that the entry changed). An outcome that settles the person closes the entry;
"not met" and "away" plan a revisit. Each visit is a ``Visit`` row (who, when, outcome) and a Wagtail
log entry whose data carry the outcome only, never a name, ID or phone number.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log

from forms_intake.models import RosterEntry, Visit
from forms_intake.services.scope import prefix_q, user_prefixes

VIEW_PERMISSION = "forms_intake.view_rosterentry"
VISIT_PERMISSION = "forms_intake.visit_rosterentry"

Outcome = Visit.Outcome
Status = RosterEntry.Status

#: What each outcome makes of the entry.
OUTCOME_STATUS = {
    Outcome.REGISTERED: Status.REGISTERED,
    Outcome.INSURED_ELSEWHERE: Status.INSURED_ELSEWHERE,
    Outcome.NOT_MET: Status.REVISIT,
    Outcome.AWAY: Status.REVISIT,
    Outcome.REFUSED: Status.REFUSED,
    Outcome.DECEASED: Status.DECEASED,
    Outcome.MOVED_OUT: Status.MOVED_OUT,
    Outcome.NO_SUCH_PERSON: Status.NO_SUCH_PERSON,
}
#: Outcomes that leave the entry open (a revisit is planned).
REVISIT_OUTCOMES = (Outcome.NOT_MET, Outcome.AWAY)
#: Entries a visit may be recorded on: open ones, and refusals (people change their minds).
VISITABLE = (Status.TO_VISIT, Status.REVISIT, Status.REFUSED)
OPEN = (Status.TO_VISIT, Status.REVISIT)

ACTION = "forms_intake.roster_visit"


class VisitConflict(Exception):
    """The entry changed since the clerk opened it (another visit was recorded, or it was settled)."""


class VisitInvalid(ValueError):
    """The outcome lacks what it needs (place and type, a reason)."""


class _VisitFormatter(LogFormatter):
    label = _("Door-to-door visit recorded")
    message = _("Door-to-door visit recorded")

    def format_comment(self, log_entry):
        outcome = (log_entry.data or {}).get("outcome", "")
        return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def register_log_actions(actions):
    """Called from the ``register_log_actions`` hook."""
    actions.register_action(ACTION)(_VisitFormatter)


# --------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------


def roster_prefixes(user):
    """The user's roster prefixes: None unrestricted, [] nothing (no division or no permission)."""
    prefixes = user_prefixes(user)
    if prefixes == [] or not user.has_perm(VIEW_PERMISSION):
        return []
    return prefixes


def scope_filter(user, field="queue_code") -> Q | None:
    """A Q over ``field`` for the user's divisions; None when unrestricted."""
    prefixes = roster_prefixes(user)
    if prefixes is None:
        return None
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= prefix_q(prefix, field)
    return q


def scoped_entries(user, queryset=None):
    """Roster entries under the user's divisions."""
    queryset = RosterEntry.objects.all() if queryset is None else queryset
    prefixes = roster_prefixes(user)
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    return queryset.filter(scope_filter(user))


#: The encrypted fields of an entry: decrypted only when a screen needs the plaintext.
ENCRYPTED_FIELDS = ("id_number", "phone")


def get_entry_or_404(user, pk, *, decrypted=True) -> RosterEntry:
    """The entry ``pk`` if the user may see it; Http404 otherwise (also for a malformed pk).

    ``decrypted=False`` defers the encrypted fields (recording a visit needs neither): they are read
    and decrypted only if something uses them.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    queryset = scoped_entries(user).filter(pk=pk)
    entry = (queryset if decrypted else queryset.defer(*ENCRYPTED_FIELDS)).first()
    if entry is None:
        raise Http404
    return entry


def can_visit(user) -> bool:
    return user.has_perm(VISIT_PERMISSION) and roster_prefixes(user) != []


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


def _check(outcome, *, insured_place, insurance_type, note, submission):
    if outcome not in Outcome.values:
        raise VisitInvalid(_("Choose an outcome."))
    if outcome == Outcome.INSURED_ELSEWHERE and not (insured_place.strip() and insurance_type):
        raise VisitInvalid(_("Enter where and in which insurance the person is insured."))
    if outcome == Outcome.REFUSED and not note.strip():
        raise VisitInvalid(_("Enter the reason the person gave."))
    if outcome == Outcome.REGISTERED and submission is None:
        raise VisitInvalid(_("Registered on the spot: enter the paper form first."))


def record_visit(entry, outcome, user, *, seen_visits=None, note="", insured_place="", insurance_type="",
                 revisit_on=None, submission=None) -> Visit:
    """Record one visit and its outcome on ``entry``; returns the Visit.

    ``seen_visits`` is the visit count the clerk saw (the form carries it): when another visit was
    recorded meanwhile, VisitConflict. Raises VisitInvalid when the outcome lacks what it needs.
    """
    _check(outcome, insured_place=insured_place, insurance_type=insurance_type, note=note,
           submission=submission)
    new_status = OUTCOME_STATUS[outcome]
    changes = {"status": new_status, "visit_count": F("visit_count") + 1, "updated_at": timezone.now()}
    if submission is not None:
        changes["submission"] = submission
    condition = Q(pk=entry.pk, status__in=VISITABLE)
    if seen_visits is not None:
        condition &= Q(visit_count=seen_visits)
    with transaction.atomic():
        if not RosterEntry.objects.filter(condition).update(**changes):
            raise VisitConflict(str(entry.pk))
        visit = Visit.objects.create(
            entry=entry, outcome=outcome, note=note.strip()[:300], insured_place=insured_place.strip()[:100],
            insurance_type=insurance_type or "", revisit_on=revisit_on if outcome in REVISIT_OUTCOMES else None,
            visited_by=user if getattr(user, "is_authenticated", False) else None,
        )
        wagtail_log(instance=entry, action=ACTION, user=visit.visited_by, title=f"#{entry.pk}",
                    data={"outcome": outcome, "visit": visit.pk})
    # Only what the visit changed (no need to read and decrypt the person's details again).
    entry.refresh_from_db(fields=["status", "visit_count", "submission", "updated_at"])
    return visit


def register_on_the_spot(entry, submission, user) -> Visit:
    """The assisted entry of this person was saved: link it and settle the entry (当场登记)."""
    return record_visit(entry, Outcome.REGISTERED, user, submission=submission)


def prefill(entry) -> dict:
    """Initial values of the assisted-entry parts from a roster entry: {part: {field: value}}.

    Read server-side after the scope check; only the entry's id ever travels in a URL.
    """
    def levels(code, depth):
        code = (code or "").strip()
        if len(code) < 6 or code[2:4] == "00" or code[4:6] == "00":
            return {}  # not even a county: the clerk chooses
        values = {"province": code[:2] + "0000", "city": code[:4] + "00", "county": code[:6]}
        if depth == "town" and len(code) >= 9 and code[6:9] != "000":
            values["town"] = code[:9]
        return values

    address = {f"hukou_{k}": v for k, v in levels(entry.hukou_division, "county").items()}
    address.update({f"residence_{k}": v for k, v in levels(entry.residence_division, "town").items()})
    if entry.residence_address:
        address["residence_street"] = entry.residence_address[:100]
    identity = {"name": entry.name, "id_number": entry.id_number}
    if entry.phone:
        identity["phone"] = entry.phone
    return {"identity": identity, "address": address}
