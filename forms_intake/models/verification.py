"""One-time SMS codes and registrations saved to come back to later (forms_intake/services/verification.py).

Neither table holds a phone number, a code or an answer in clear: keyed hashes of the phone, the
subject and the code, and the saved answers encrypted (Fernet, forms_intake/rules/crypto.py). Both
are purged when they expire (forms_intake/services/retention.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from forms_intake.rules.crypto import EncryptedTextField
from forms_intake.rules.verification import Purpose


class VerificationCode(models.Model):
    """One code sent by SMS: for one purpose and one subject, until it expires, is used or is tried too often."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    subject_hash = models.CharField(_("subject (keyed hash)"), max_length=64)
    phone_hash = models.CharField(_("phone number (keyed hash)"), max_length=64)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            # The latest code of a subject (check) and the sends of a subject in the last hour.
            models.Index(fields=["purpose", "subject_hash", "-created_at"], name="verif_subject_idx"),
            # The sends to a phone in the last hour, and the resume page's codes of a phone.
            models.Index(fields=["phone_hash", "-created_at"], name="verif_phone_idx"),
        ]

    def __str__(self):
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SavedDraft(models.Model):
    """A registration in progress saved to come back to with the phone and a code (7 days by default)."""

    token_hash = models.CharField(_("token (keyed hash)"), max_length=64, unique=True)
    phone_hash = models.CharField(_("phone number (keyed hash)"), max_length=64, db_index=True)
    answers = EncryptedTextField(_("answers (encrypted)"))
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("saved registration")
        verbose_name_plural = _("saved registrations")

    def __str__(self):
        return f"saved {self.created_at:%Y-%m-%d %H:%M}"
