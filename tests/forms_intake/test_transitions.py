"""The submission state machine (forms_intake.transitions): allowed and forbidden moves, four-eyes, audit."""

import threading

import pytest
from django.db import connection

from forms_intake.models import Submission, SubmissionEvent, SubmissionLogEntry
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import transitions
from forms_intake.services.transitions import Conflict, TransitionError
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    make_divisions()
    return {
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "handler2": make_staff("handler_a2", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A]),
        "handler_b": make_staff("handler_b", roles.HANDLER, [TOWNSHIP_B]),
        "admin": make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]),
    }


def _in_state(status, handler=None):
    submission = make_submission()
    Submission.objects.filter(pk=submission.pk).update(status=status, handler=handler)
    return Submission.objects.get(pk=submission.pk)


def test_full_happy_path_records_every_step(staff):
    submission = make_submission()
    transitions.perform(submission, "claim", staff["handler"])
    assert submission.status == S.CLAIMED and submission.handler == staff["handler"]
    transitions.perform(submission, "complete", staff["handler"])
    assert submission.status == S.AWAITING_REVIEW and submission.handled_at
    transitions.perform(submission, "register", staff["reviewer"])
    transitions.perform(submission, "issue_card", staff["handler2"])
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.CARD_ISSUED
    assert stored.reviewer == staff["reviewer"] and stored.reviewed_at
    events = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("action", "from_status", "to_status")
    )
    assert events == [
        ("claim", "submitted", "claimed"),
        ("complete", "claimed", "awaiting_review"),
        ("register", "awaiting_review", "registered"),
        ("issue_card", "registered", "card_issued"),
    ]
    logged = SubmissionLogEntry.objects.for_instance(submission).values_list("action", flat=True)
    assert set(logged) == {"forms_intake.claim", "forms_intake.complete", "forms_intake.register",
                           "forms_intake.issue_card"}


# (transition, state, who) that must be allowed
ALLOWED = [
    ("claim", S.SUBMITTED, "handler"),
    ("release", S.CLAIMED, "owner"),
    ("complete", S.CLAIMED, "owner"),
    ("return", S.CLAIMED, "owner"),
    ("reject", S.CLAIMED, "owner"),
    ("register", S.AWAITING_REVIEW, "reviewer"),
    ("send_back", S.AWAITING_REVIEW, "reviewer"),
    ("resubmit", S.RETURNED, "handler2"),
    ("issue_card", S.REGISTERED, "handler2"),
]


@pytest.mark.parametrize(("name", "state", "who"), ALLOWED)
def test_allowed_transitions(staff, name, state, who):
    owner = staff["handler"]
    submission = _in_state(state, handler=owner if state != S.SUBMITTED else None)
    user = owner if who == "owner" else staff[who]
    if name == "resubmit":  # only once the resident's corrections are recorded
        transitions.correct(submission, staff["handler2"], {"residence_street": "补正1号"})
    transitions.perform(submission, name, user, note="请补充户口所在地", reason="duplicate")
    assert Submission.objects.get(pk=submission.pk).status == transitions.TRANSITIONS[name].target
    assert SubmissionEvent.objects.filter(submission=submission, action=name).count() == 1


FORBIDDEN = [
    (name, state)
    for name, transition in transitions.TRANSITIONS.items()
    for state in S.values
    if state not in transition.sources
]


@pytest.mark.parametrize(("name", "state"), FORBIDDEN)
def test_every_transition_from_a_wrong_state_is_refused(staff, name, state):
    submission = _in_state(state, handler=staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(submission, name, staff["admin"], note="x", reason="other")
    assert Submission.objects.get(pk=submission.pk).status == state
    assert not SubmissionEvent.objects.filter(submission=submission).exists()


def test_reviewer_cannot_review_their_own_handling(staff):
    # The provincial admin holds both permissions: still not their own work.
    submission = make_submission()
    transitions.perform(submission, "claim", staff["admin"])
    transitions.perform(submission, "complete", staff["admin"])
    with pytest.raises(TransitionError) as error:
        transitions.perform(submission, "register", staff["admin"])
    assert str(error.value.message) == str(transitions._("The reviewer must be a different person from the handler."))
    assert Submission.objects.get(pk=submission.pk).status == S.AWAITING_REVIEW


def test_only_the_claiming_handler_completes(staff):
    submission = _in_state(S.CLAIMED, handler=staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(submission, "complete", staff["handler2"])


def test_a_handler_cannot_review_and_a_reviewer_cannot_claim(staff):
    waiting = make_submission()
    with pytest.raises(TransitionError):
        transitions.perform(waiting, "claim", staff["reviewer"])
    awaiting = _in_state(S.AWAITING_REVIEW, handler=staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(awaiting, "register", staff["handler2"])


def test_out_of_scope_user_cannot_act(staff):
    submission = make_submission()  # township A
    with pytest.raises(TransitionError):
        transitions.perform(submission, "claim", staff["handler_b"])


def test_return_needs_a_message_the_resident_sees(staff):
    submission = _in_state(S.CLAIMED, handler=staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(submission, "return", staff["handler"], note="  ")
    transitions.perform(submission, "return", staff["handler"], note="请补充工作单位")
    assert Submission.objects.get(pk=submission.pk).resident_message == "请补充工作单位"


def test_rejection_needs_a_reason_and_a_note_for_other(staff):
    submission = _in_state(S.CLAIMED, handler=staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(submission, "reject", staff["handler"])
    with pytest.raises(TransitionError):
        transitions.perform(submission, "reject", staff["handler"], reason="other")
    transitions.perform(submission, "reject", staff["handler"], reason="already_insured")
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.REJECTED and stored.rejection_reason == "already_insured"


def test_resubmit_puts_it_back_in_the_whole_queue(staff):
    submission = _in_state(S.RETURNED, handler=staff["handler"])
    transitions.correct(submission, staff["handler2"], {"residence_street": "补正1号"})
    transitions.perform(submission, "resubmit", staff["handler2"])
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.SUBMITTED and stored.handler is None and stored.resident_message == ""


def test_stale_page_cannot_claim_twice(staff):
    submission = make_submission()
    stale = Submission.objects.get(pk=submission.pk)
    transitions.perform(submission, "claim", staff["handler"])
    with pytest.raises(Conflict):
        transitions.perform(stale, "claim", staff["handler2"])
    assert Submission.objects.get(pk=submission.pk).handler == staff["handler"]


def test_correction_records_masked_before_and_after(staff):
    submission = _in_state(S.REGISTERED, handler=staff["handler"])
    old_phone = submission.phone
    changed = transitions.correct(submission, staff["handler2"], {"phone": "+8613911112222", "name": "张三丰"})
    assert set(changed) == {"phone", "name"}
    event = SubmissionEvent.objects.get(submission=submission, action="correct")
    assert event.changes["phone"] == {"before": "138****" + old_phone[-4:], "after": "139****2222"}
    assert event.changes["name"] == {"before": "张三", "after": "张三丰"}
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.phone == "+8613911112222" and stored.phone_masked == "139****2222"
    assert "13911112222" not in str(event.changes)


def test_reroute_is_for_provincial_administrators_only(staff):
    submission = make_submission()
    with pytest.raises(TransitionError):
        transitions.reroute(submission, staff["handler"], TOWNSHIP_B, note="地址有误")
    transitions.reroute(submission, staff["admin"], TOWNSHIP_B, note="地址有误")
    assert Submission.objects.get(pk=submission.pk).queue_code == TOWNSHIP_B
    assert SubmissionEvent.objects.get(submission=submission, action="reroute").changes == {
        "queue_code": {"before": TOWNSHIP_A, "after": TOWNSHIP_B}
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_exactly_one_wins(staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking (SQLite serialises writers); .ci/run runs it on PostgreSQL")
    submission = make_submission()
    users = [staff["handler"], staff["handler2"]] * 3
    barrier = threading.Barrier(len(users))
    outcomes = []

    def claim(user):
        from django.db import connections

        mine = Submission.objects.get(pk=submission.pk)
        barrier.wait()
        try:
            transitions.perform(mine, "claim", user)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * (len(users) - 1) + ["won"]
    assert SubmissionEvent.objects.filter(submission=submission, action="claim").count() == 1


def test_resident_correction_puts_a_returned_submission_back_in_the_queue(staff):
    submission = _in_state(S.RETURNED, handler=staff["handler"])
    transitions.resubmit_by_resident(submission)
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.SUBMITTED and stored.handler is None
    event = SubmissionEvent.objects.get(submission=submission, action="resubmit")
    assert event.user is None
    with pytest.raises(Conflict):
        transitions.resubmit_by_resident(stored)  # no longer returned


def test_corrections_and_reroutes_are_in_the_wagtail_log_too(staff):
    submission = _in_state(S.REGISTERED, handler=staff["handler"])
    transitions.correct(submission, staff["handler2"], {"residence_street": "五一路1号"}, note="更正门牌号")
    transitions.reroute(submission, staff["admin"], TOWNSHIP_B, note="地址有误")
    entries = SubmissionLogEntry.objects.for_instance(submission)
    assert {e.action for e in entries} == {"forms_intake.correct", "forms_intake.reroute"}
    correction = entries.get(action="forms_intake.correct")
    assert correction.user == staff["handler2"]
    assert correction.data["changes"]["residence_street"]["after"] == "五一路1号"
    assert correction.comment == "更正门牌号"
