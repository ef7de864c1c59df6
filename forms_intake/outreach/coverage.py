"""Door-to-door progress and the coverage rate, per city, county, township and village, with drill-down.

The numbers come from services/coverage.py (counts of the last comparison plus the roster, live); the
scope is the clerk's divisions (a requested division outside it falls back to the clerk's own).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.services import coverage


class CoverageView(WagtailAdminTemplateMixin, TemplateView):
    """To visit, visited, registered, settled and the coverage rate of each division below the chosen one."""

    template_name = "forms_intake/outreach/coverage_index.html"
    page_title = _("Door-to-door progress and coverage")
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.parent = coverage.allowed_parent(request.user, request.GET.get("division", ""))
        if self.parent is None:
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = coverage.progress(self.request.user, self.parent)
        up = self.parent[: {4: 2, 6: 4, 9: 6}.get(len(self.parent), 0)]
        own = coverage.allowed_parent(self.request.user, "")
        context.update(
            total=total, rows=total.children, parent=self.parent,
            up=up if up and up.startswith(own) else "",
            drill=len(self.parent) < 9,
        )
        return context
