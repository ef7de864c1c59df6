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
