"""Spot checks (抽查, seed items 20-21): a random sample of a division's registered submissions, re-checked by
reviewers from outside that division, and their findings.

The draw is reproducible: the sample is a function of the population (registered submissions under the
division with an id up to ``population_max_id``), the ``sample_size`` and the ``seed``, all recorded here
(forms_intake/rules/spot_checks.py draws it).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpotCheck(models.Model):
    """One draw of a sample of one division's registrations."""

    division = models.ForeignKey(
        "forms_intake.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    sample_size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField(_("random seed"))
    population_count = models.PositiveIntegerField(_("registrations in the division"))
    population_max_id = models.BigIntegerField(_("highest registration id in the population"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("drawn by")
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        permissions = [("assign_spotcheck", "Can assign spot-check items to reviewers")]

    def __str__(self):
        return f"{self.division_id} {self.drawn_at:%Y-%m-%d} ({self.sample_size})"


class SpotCheckItem(models.Model):
    """One sampled registration: who re-checks it, and what they found."""

    class Result(models.TextChoices):
        PENDING = "", _("Not checked yet")
        CORRECT = "correct", _("Correct")
        ERROR = "error", _("Error found")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position in the sample"))
    # SET_NULL: retention may purge a registration; the finding and the error rate stay.
    submission = models.ForeignKey(
        "forms_intake.Submission",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registration"),
    )
    reference = models.CharField(_("reference number"), max_length=40)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spot_check_items",
        verbose_name=_("reviewer"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True, default="")
    error_field = models.CharField(_("field in error"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["spot_check", "position"]
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "position"], name="spot_check_item_position_unique"),
            models.UniqueConstraint(fields=["spot_check", "submission"], name="spot_check_item_submission_unique"),
        ]
        indexes = [models.Index(fields=["reviewer", "result"], name="spot_check_item_reviewer_idx")]

    def __str__(self):
        return f"{self.spot_check_id}#{self.position} {self.reference}"
