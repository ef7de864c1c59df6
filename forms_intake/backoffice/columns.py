"""Columns of the registrations queue."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from forms_intake.models import Division
from forms_intake.rules.routing import UNASSIGNED_QUEUE
from forms_intake.rules.states import SubmissionStatus


class PlainColumn(Column):
    """Wagtail's Column with the markup of its ``cell.html`` built in Python.

    The queue renders 50 rows x 9 columns; a template render per plain-text
    cell was a third of the page's time at one million submissions. Same
    escaping (format_html) and the same ``<td>`` as Wagtail's template.
    """

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class StatusColumn(PlainColumn):
    """The state label, with a marker for suspect flags."""

    def get_value(self, instance):
        label = SubmissionStatus(instance.status).label
        if instance.has_flags:
            return format_html('{} <span class="w-status w-status--label">{}</span>', label, _("疑点"))
        return label


class QueueColumn(PlainColumn):
    def get_value(self, instance):
        if instance.queue_code == UNASSIGNED_QUEUE:
            return _("Provincial queue (待分派)")
        return getattr(instance, "queue_name", None) or instance.queue_code


class ClaimCheckboxColumn(Column):
    """A checkbox belonging to the bulk-claim form (HTML form attribute: works without JavaScript).

    Built in Python like PlainColumn's cells (one per row of every queue page).
    """

    def render_cell_html(self, instance, parent_context):
        if instance.status != SubmissionStatus.SUBMITTED:
            return format_html("<td>{}</td>", "")
        return format_html(
            '<td><input type="checkbox" name="id" value="{}" form="bulk-claim-form" aria-label="{}"></td>',
            instance.pk,
            _("Select %(reference)s") % {"reference": instance.reference},
        )


def queue_name_subquery():
    return Subquery(Division.objects.filter(code=OuterRef("queue_code")).values("name")[:1])


