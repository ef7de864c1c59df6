"""The work items in the admin: a snippet with history, overdue items highlighted, for provincial administrators.

Who may see and edit them is plain model permissions (view/add/change on home.WorkItem), given to the
provincial administrators' group in portal/roles.py; nobody is given delete (the schedule's rows stay).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, Table
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from home.work_items import WorkItem


class WorkItemTable(Table):
    """Overdue rows carry a class (styled in home/css/work_items.css) beside their 逾期 tag."""

    def get_row_classname(self, instance):
        return "work-item--overdue" if instance.is_overdue() else ""


class OverdueColumn(Column):
    """A 逾期 (overdue) tag in overdue rows, nothing in the others."""

    cell_template_name = "home/admin/overdue_cell.html"


class WorkItemIndexView(IndexView):
    table_class = WorkItemTable


class WorkItemViewSet(SnippetViewSet):
    model = WorkItem
    icon = "tasks"
    menu_label = _("Work schedule items")
    menu_order = 250
    add_to_admin_menu = True
    ordering = ["number"]
    list_per_page = 50
    list_filter = ["phase", "status"]
    search_fields = ["item", "lead", "responsible", "notes"]
    index_view_class = WorkItemIndexView
    copy_view_enabled = False
    list_display = [
        Column("number", label=_("No."), sort_key="number"),
        "item",
        Column("phase", label=_("phase"), accessor="get_phase_display"),
        Column("lead", label=_("lead (负责人)")),
        Column("status", label=_("status"), accessor="get_status_display", sort_key="status"),
        Column("due_date", label=_("due on"), sort_key="due_date"),
        OverdueColumn("overdue_label", label=_("overdue")),
    ]
