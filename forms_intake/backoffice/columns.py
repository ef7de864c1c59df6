"""Columns of the registrations queue."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column

from forms_intake.models import Division
from forms_intake.rules.routing import UNASSIGNED_QUEUE
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import deadlines


class StatusColumn(Column):
    """The state label, with a marker for suspect flags."""

    def get_value(self, instance):
        label = SubmissionStatus(instance.status).label
        if instance.has_flags:
            return format_html('{} <span class="w-status w-status--label">{}</span>', label, _("疑点"))
        return label


class QueueColumn(Column):
    def get_value(self, instance):
        if instance.queue_code == UNASSIGNED_QUEUE:
            return _("Provincial queue (待分派)")
        return getattr(instance, "queue_name", None) or instance.queue_code


class WaitingColumn(Column):
    """Working days waited (the receipt promises 10) and an overdue marker; sorted in the database."""

    #: The sort keys: "waiting" (fewest days first) is the newest first, and the reverse.
    ORDERINGS = {"waiting": "-created_at", "-waiting": "created_at"}

    def get_value(self, instance):
        days, overdue = deadlines.waiting(instance)
        if days is None:
            return "—"
        if overdue:
            return format_html('{} <span class="w-status w-status--label" data-overdue>{}</span>', days, _("超期"))
        return days


class ClaimCheckboxColumn(BulkActionsCheckboxColumn):
    """The row's checkbox for Wagtail's bulk actions (bulk_actions.py), and for the no-script bulk-claim
    form on rows that can still be claimed; the header ticks every row of the page."""

    cell_template_name = "forms_intake/admin/cells/claim_checkbox.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["claimable"] = instance.status == SubmissionStatus.SUBMITTED
        return context


def queue_name_subquery():
    return Subquery(Division.objects.filter(code=OuterRef("queue_code")).values("name")[:1])


