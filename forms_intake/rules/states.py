"""The submission lifecycle: states (and, in the moderation work, their transitions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """Where a registration stands. Labels are the wording staff and residents see."""

    SUBMITTED = "submitted", _("待受理")
    CLAIMED = "claimed", _("受理中")
    AWAITING_REVIEW = "awaiting_review", _("待校核")
    REGISTERED = "registered", _("已登记")
    RETURNED = "returned", _("退回补正")
    REJECTED = "rejected", _("不予登记")
    CARD_ISSUED = "card_issued", _("已发卡")


class RejectionReason(models.TextChoices):
    """Why a submission is not registered (不予登记原因); shown to the resident in the status lookup and the SMS."""

    DUPLICATE = "duplicate", _("Duplicate registration")
    ALREADY_INSURED = "already_insured", _("Already insured")
    INVALID = "invalid", _("Invalid information")
    OTHER = "other", _("Other")
