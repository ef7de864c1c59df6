"""Notifications: one row per text message telling a resident what staff did with their registration.

No phone number and no message text are stored here: the text is rebuilt from the registration (and the
timeline event of the change) when it is sent, to the registration's phone number as it is then
(services/notifications.py; docs/sms.md).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forms_intake.models.registration import Submission, SubmissionEvent


class Notification(models.Model):
    class Kind(models.TextChoices):
        RETURNED = "returned", _("Returned for correction")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Not registered")
        CARD_ISSUED = "card_issued", _("Card issued")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: no longer applies")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notifications")
    # The change it tells of (the return's message and the rejection's note are read from it).
    event = models.ForeignKey(SubmissionEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("notification"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The provider's error code only (never its message: it may echo the number).
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_status_display()}"
