"""Recording door-to-door visits: each outcome, what settles an entry, audit, no double counting."""

import pytest
from wagtail.models import ModelLogEntry

from forms_intake.models import RosterEntry, Visit
from forms_intake.services import visits
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission

from .roster_support import roster_entry

pytestmark = pytest.mark.django_db

Status, Outcome = RosterEntry.Status, Visit.Outcome


@pytest.fixture
def clerk(db):
    make_divisions()
    return make_staff("clerk_v", roles.HANDLER, [TOWNSHIP_A])


@pytest.mark.parametrize(
    "outcome, extra, status",
    [
        (Outcome.NOT_MET, {}, Status.REVISIT),
        (Outcome.AWAY, {}, Status.REVISIT),
        (
            Outcome.INSURED_ELSEWHERE,
            {"insured_place": "广东省广州市", "insurance_type": "employee_pension"},
            Status.INSURED_ELSEWHERE,
        ),
        (Outcome.REFUSED, {"note": "不愿意缴费"}, Status.REFUSED),
        (Outcome.DECEASED, {}, Status.DECEASED),
        (Outcome.MOVED_OUT, {}, Status.MOVED_OUT),
        (Outcome.NO_SUCH_PERSON, {}, Status.NO_SUCH_PERSON),
    ],
)
def test_each_outcome_sets_the_status_counts_the_visit_and_is_audited(clerk, outcome, extra, status):
    entry = roster_entry()
    visit = visits.record_visit(entry, outcome, clerk, seen_visits=0, **extra)
    entry.refresh_from_db()
    assert (entry.status, entry.visit_count) == (status, 1)
    assert (visit.outcome, visit.visited_by) == (outcome, clerk)
    if outcome == Outcome.INSURED_ELSEWHERE:
        assert (visit.insured_place, visit.insurance_type) == ("广东省广州市", "employee_pension")
    log = ModelLogEntry.objects.get(action=visits.ACTION, object_id=str(entry.pk))
    assert log.user == clerk and log.data["outcome"] == outcome
    assert entry.id_number not in str(log.data) and entry.name not in str(log.data) and entry.name not in log.label


def test_not_met_keeps_the_entry_open_and_plans_a_revisit_until_an_outcome_settles_it(clerk):
    entry = roster_entry()
    visits.record_visit(entry, Outcome.NOT_MET, clerk, revisit_on="2026-12-10")
    visits.record_visit(entry, Outcome.AWAY, clerk)
    entry.refresh_from_db()
    assert entry.status == Status.REVISIT and entry.visit_count == 2
    assert str(entry.visits.order_by("id").first().revisit_on) == "2026-12-10"
    visits.record_visit(entry, Outcome.MOVED_OUT, clerk)
    entry.refresh_from_db()
    assert entry.status == Status.MOVED_OUT and entry.visit_count == 3
    with pytest.raises(visits.VisitConflict):  # closed: no further visits
        visits.record_visit(entry, Outcome.NOT_MET, clerk)


def test_a_refusal_can_still_become_a_registration(clerk):
    entry = roster_entry()
    visits.record_visit(entry, Outcome.REFUSED, clerk, note="以后再说")
    submission = make_submission(id_number=entry.id_number)
    visits.register_on_the_spot(entry, submission, clerk)
    entry.refresh_from_db()
    assert entry.status == Status.REGISTERED and entry.submission == submission and entry.visit_count == 2


@pytest.mark.parametrize(
    "outcome, extra",
    [
        (Outcome.INSURED_ELSEWHERE, {"insured_place": "广州"}),  # no insurance type
        (Outcome.INSURED_ELSEWHERE, {"insurance_type": "employee_pension"}),  # no place
        (Outcome.REFUSED, {"note": "  "}),  # no reason
        (Outcome.REGISTERED, {}),  # no submission
        ("nonsense", {}),
    ],
)
def test_an_outcome_without_what_it_needs_is_refused_and_changes_nothing(clerk, outcome, extra):
    entry = roster_entry()
    with pytest.raises(visits.VisitInvalid):
        visits.record_visit(entry, outcome, clerk, **extra)
    entry.refresh_from_db()
    assert entry.visit_count == 0 and not entry.visits.exists()


def test_two_clerks_recording_the_same_visit_count_it_once(clerk):
    other = make_staff("clerk_w", roles.HANDLER, [TOWNSHIP_A])
    entry = roster_entry()
    seen = entry.visit_count
    visits.record_visit(entry, Outcome.NOT_MET, clerk, seen_visits=seen)
    with pytest.raises(visits.VisitConflict):
        visits.record_visit(RosterEntry.objects.get(pk=entry.pk), Outcome.NOT_MET, other, seen_visits=seen)
    entry.refresh_from_db()
    assert entry.visit_count == 1 and entry.visits.count() == 1
