"""Lifecycle rules of issue 15: a return needs a correction before it goes back to the queue, a correction
after 已登记 goes back through a different reviewer, and the rejection note reaches the resident."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from forms_intake.models import Submission, SubmissionEvent
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import transitions
from forms_intake.services.transitions import RejectionReason, TransitionError
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission
from tests.forms_intake.wizard_support import ADULT_ID, employed_self_answers, run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    make_divisions()
    return {
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "handler2": make_staff("handler_a2", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A]),
        "reviewer2": make_staff("reviewer_a2", roles.REVIEWER, [TOWNSHIP_A]),
    }


def _returned(staff):
    submission = make_submission()
    transitions.perform(submission, "claim", staff["handler"])
    transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")
    return submission


def test_a_returned_submission_goes_back_to_the_queue_only_after_a_correction(staff):
    submission = _returned(staff)
    assert "resubmit" not in [t.name for t in transitions.available(submission, staff["handler2"])]
    with pytest.raises(TransitionError) as error:
        transitions.perform(submission, "resubmit", staff["handler2"])
    assert "补正" in str(error.value.message)  # staff read: 请先录入居民的补正内容
    assert Submission.objects.get(pk=submission.pk).status == S.RETURNED
    transitions.correct(submission, staff["handler2"], {"residence_street": "五一路1号"}, note="居民补正")
    transitions.perform(submission, "resubmit", staff["handler2"])
    assert Submission.objects.get(pk=submission.pk).status == S.SUBMITTED


def test_a_correction_before_an_earlier_return_does_not_count(staff):
    submission = _returned(staff)
    transitions.correct(submission, staff["handler2"], {"residence_street": "五一路1号"})
    transitions.perform(submission, "resubmit", staff["handler2"])
    transitions.perform(submission, "claim", staff["handler"])
    transitions.perform(submission, "return", staff["handler"], note="仍缺少门牌号")
    with pytest.raises(TransitionError):
        transitions.perform(submission, "resubmit", staff["handler2"])


def test_the_detail_page_refuses_an_uncorrected_resubmit_with_a_message(client, staff):
    submission = _returned(staff)
    client.force_login(staff["handler2"])
    response = client.post(reverse("forms_intake_submission:action", args=[submission.pk, "resubmit"]), follow=True)
    assert response.status_code == 200
    assert Submission.objects.get(pk=submission.pk).status == S.RETURNED


def _registered(staff):
    submission = make_submission()
    transitions.perform(submission, "claim", staff["handler"])
    transitions.perform(submission, "complete", staff["handler"])
    transitions.perform(submission, "register", staff["reviewer"])
    return submission


def test_a_correction_after_registration_goes_back_through_a_different_reviewer(staff):
    submission = _registered(staff)
    transitions.correct(submission, staff["handler2"], {"residence_street": "韶山路2号"}, note="居民来电更正")
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.AWAITING_REVIEW
    assert stored.reviewer is None and stored.reviewed_at is None  # the old signature is not kept
    assert stored.handler == staff["handler2"]
    event = SubmissionEvent.objects.get(submission=submission, action="correct")
    assert (event.from_status, event.to_status) == (S.REGISTERED, S.AWAITING_REVIEW)
    # The corrector cannot sign their own correction; another reviewer can.
    with pytest.raises(TransitionError):
        transitions.perform(stored, "register", staff["handler2"])
    transitions.perform(stored, "register", staff["reviewer2"])
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.REGISTERED and stored.reviewer == staff["reviewer2"]


def test_the_rejection_reason_and_note_are_shown_in_the_status_lookup(client, staff, registration_site):
    for cache in caches.all():
        cache.clear()  # rate-limit counters of other tests
    run_wizard(client, employed_self_answers())
    submission = Submission.objects.get()
    transitions.perform(submission, "claim", staff["handler"])
    transitions.perform(submission, "reject", staff["handler"], reason="already_insured", note="您已在长沙市参保")
    body = client.post("/status/", {"reference": submission.reference, "id_number": ADULT_ID}).content.decode()
    assert "不予登记" in body
    assert "您已在长沙市参保" in body
    assert "data-rejection-reason" in body and str(RejectionReason.ALREADY_INSURED.label) in body
