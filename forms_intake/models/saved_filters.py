"""A clerk's saved queue filters: a name and the listing's filter parameters, private to its user."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """One named filter of a registrations listing (the queue, my items, a reviewer's lists).

    ``query`` holds only the filter form's own parameters and the sort order, checked against the
    filter form (backoffice/saved_filters.py): never a search term, so never a name, ID or phone number.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    listing = models.CharField(_("listing"), max_length=40, default="index")
    query = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name
