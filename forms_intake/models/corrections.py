"""What staff asked a resident to correct when they returned a registration (退回补正, issue 14).

One row per return that names fields: the Annex 2 fields (the schema's ``resident_correctable``) the
resident may change in the online correction. ``corrected_at`` is set when the resident has sent the
correction (one correction per return); a later return makes a new request.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forms_intake.models.registration import Submission


class CorrectionRequest(models.Model):
    """The fields a returned registration may have corrected online, named by the handler who returned it."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="correction_requests", verbose_name=_("registration")
    )
    fields = models.JSONField(_("fields to correct"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        indexes = [models.Index(fields=["submission", "-created_at"], name="correction_req_sub_idx")]

    def __str__(self):
        return f"{self.submission_id}: {', '.join(self.fields)}"
