"""The audit trail of a submission: its timeline (SubmissionEvent) and Wagtail's log.

Every transition, correction, re-route, full-ID reveal and export goes
through ``record()``, which writes both in one go: the timeline shown on the
detail page (with before/after values of corrections, masked where personal)
and a Wagtail log entry (so the viewset's history view and the site
history report show it; entries of submissions are kept in the scoped
``SubmissionLogEntry`` model). Notes never carry ID or phone numbers: the
callers pass masked values only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log

from forms_intake.models import Submission, SubmissionEvent, SubmissionLogEntry

PREFIX = "forms_intake."

#: Action name → label shown in the timeline, the history and the log filters.
ACTION_LABELS = {
    "create": _("Registration received"),
    # How the 联系电话 of an online registration was confirmed (services/submissions.PHONE_CONFIRMATIONS).
    "phone_sms_code": _("联系电话 confirmed by the resident with a code sent by text message"),
    "phone_in_person": _("联系电话 not confirmed by text message (switched off here): staff confirm it in person"),
    "phone_landline": _("联系电话 is a landline, not confirmed by text message: staff confirm it in person"),
    "assisted_entry": _("Entered by staff from a paper form"),
    "claim": _("Claimed"),
    "release": _("Released back to the queue"),
    "complete": _("Sent for review"),
    "register": _("Registered (reviewed)"),
    "send_back": _("Sent back to the handler"),
    "return": _("Returned to the resident for correction"),
    "correction_request": _("Asked the resident to correct online"),
    "resubmit": _("Corrected and back in the queue"),
    "reject": _("Not registered"),
    "issue_card": _("Card issued"),
    "enrolment": _("Enrolment reported by the business system"),
    "card_collected": _("Card collected"),
    "correct": _("Details corrected"),
    "reroute": _("Re-routed"),
    "reveal": _("Full ID number revealed"),
    "print": _("Printed form opened (full ID number shown)"),
    "export": _("Exported"),
}


class _EventFormatter(LogFormatter):
    """Shows the event's note as the log entry's comment."""

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("note", "")


def register_log_actions(actions):
    """Called from the ``register_log_actions`` hook: our actions and the scoped log model."""

    actions.register_model(Submission, SubmissionLogEntry)
    for name, label in ACTION_LABELS.items():
        formatter = type(f"{name.title()}Formatter", (_EventFormatter,), {"label": label, "message": label})
        actions.register_action(PREFIX + name)(formatter)


def record(submission, action, user=None, *, from_status="", to_status="", note="", changes=None):
    """Write a timeline event and a Wagtail log entry for ``submission``; returns the event."""

    if action not in ACTION_LABELS:
        raise ValueError(f"Unknown audit action {action!r}")
    event = SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        user=user if getattr(user, "is_authenticated", False) else None,
        note=note or "",
        changes=changes or {},
    )
    data = {"from": from_status, "to": to_status, "note": note or ""}
    if changes:
        data["changes"] = changes
    wagtail_log(
        instance=submission,
        action=PREFIX + action,
        user=user if getattr(user, "is_authenticated", False) else None,
        data=data,
    )
    return event


def action_label(action):
    """The label of an audit action (the action name itself when unknown)."""
    return ACTION_LABELS.get(action, action)
