"""导出记录 (export records): the list of every registrations export, for provincial administrators.

Read-only: an audit record is never added, changed or deleted in the admin. Searchable by the user's
name and by the filter text; filterable by format, masked or not, and date.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, UserColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from forms_intake.models import ExportAudit
from forms_intake.services import transitions

#: Who sees the export records: provincial administrators (the re-routing permission is theirs alone).
VIEW_EXPORT_RECORDS = transitions.REROUTE


class ExportAuditPermissionPolicy(BasePermissionPolicy):
    """View only, and only for provincial administrators; nobody adds, changes or deletes a record."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.has_perm(VIEW_EXPORT_RECORDS)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(ExportAudit, ExportAuditPermissionPolicy(ExportAudit))


class ExportAuditFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(label=_("time"), widget=DateRangePickerWidget)

    class Meta:
        model = ExportAudit
        fields = ["format", "unmasked", "via_job"]


class ExportAuditViewSet(ModelViewSet):
    """The export records (one per export)."""

    model = ExportAudit
    icon = "download"
    name = "export-records"
    url_namespace = "forms_intake_exportaudit"
    url_prefix = "registrations/export-records"
    menu_label = _("Export records")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = ExportAuditFilterSet
    search_fields = ["user__username", "user__first_name", "user__last_name", "filters"]
    list_display = [
        DateColumn("created_at", label=_("time"), sort_key="created_at"),
        UserColumn("user", label=_("user")),
        Column("listing", label=_("listing")),
        Column("format", label=_("format")),
        Column("filter_text", label=_("filter")),
        Column("row_count", label=_("rows")),
        BooleanColumn("unmasked", label=_("unmasked ID and phone numbers")),
        BooleanColumn("via_job", label=_("background job")),
    ]
    form_fields = []
    list_per_page = 50


export_audit_viewset = ExportAuditViewSet()
