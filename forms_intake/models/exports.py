"""The export audit: one row per spreadsheet export of registrations (who, when, filter, rows, masked or not)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportAudit(models.Model):
    """One export of the registrations queue (CSV or XLSX, in the request or as a background job).

    One row per export rather than one timeline event per exported submission: an export of 3,600
    rows used to add 3,600 events (a write storm at a million rows), and timelines keep only the
    submission's own history. ``filters`` holds the query parameters (a name search is not stored).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    listing = models.CharField(_("listing"), max_length=40, default="registrations")
    format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    unmasked = models.BooleanField(_("unmasked ID and phone numbers"), default=False)
    via_job = models.BooleanField(_("background job"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.format}"

    @property
    def filter_text(self):
        """The filter as one line (``key=value`` pairs), for the admin list and its search."""
        return "; ".join(f"{key}={','.join(values)}" for key, values in sorted(self.filters.items())) or "—"
