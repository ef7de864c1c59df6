"""A reviewer's (校核人) own lists: what waits for their check, and what they registered.

"Waiting for my check" follows the four-eyes rule of transitions.py (``register`` and ``send_back`` by
anyone but the handler) and goes one step further for the list: a submission the reviewer processed
themselves at any point (claimed, sent for review or corrected it, even if someone else holds it now) is
never offered to them for checking. Both lists stay within the user's divisions (scope.scoped_submissions).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from forms_intake.models import Submission, SubmissionEvent
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services.scope import scoped_submissions
from forms_intake.services.transitions import REVIEW

#: Timeline actions by which a user has processed a submission (and so may not check it).
PROCESSING_ACTIONS = ("claim", "complete", "correct")
REGISTERED_STATES = (SubmissionStatus.REGISTERED, SubmissionStatus.CARD_ISSUED)


def processed_by(user):
    """An EXISTS condition: ``user`` claimed, completed or corrected the outer submission."""
    return Exists(
        SubmissionEvent.objects.filter(submission=OuterRef("pk"), user=user, action__in=PROCESSING_ACTIONS)
    )


def waiting_for_check(user, queryset=None):
    """Submissions sent for review within the user's divisions that the user did not process."""
    if not user.has_perm(REVIEW):
        return Submission.objects.none()
    queryset = scoped_submissions(user, queryset)
    return (
        queryset.filter(status=SubmissionStatus.AWAITING_REVIEW, handler__isnull=False)
        .exclude(handler=user)
        .exclude(processed_by(user))
    )


def registered_by(user, queryset=None):
    """Submissions the user registered as reviewer (registered or card issued), within their divisions."""
    if not user.has_perm(REVIEW):
        return Submission.objects.none()
    return scoped_submissions(user, queryset).filter(reviewer=user, status__in=REGISTERED_STATES)
