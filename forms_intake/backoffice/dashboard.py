"""The registrations panel on the admin home: counts from the tally and the oldest waiting item."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import coverage, deadlines, statistics
from forms_intake.services.scope import (
    scoped_submissions,
    user_prefixes,
)
from portal import roles


class DashboardPanel(Component):
    """Admin home: counts per state in the user's divisions and the age of the oldest waiting item."""

    name = "registrations"
    order = 50
    template_name = "forms_intake/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        prefixes = statistics.scope_prefixes(user_prefixes(self.request.user), "")
        scoped = scoped_submissions(self.request.user)
        counts, oldest = statistics.state_counts(scoped, prefixes=prefixes)
        return {
            # The receipt's promise: overdue items (more than 10 working days) per division, linked to the queue.
            "overdue": deadlines.cached_overdue_by_division(scoped, user_prefixes(self.request.user)),
            "promised_days": deadlines.working_days.PROMISED_WORKING_DAYS,
            "holiday_notice": deadlines.holiday_data_notice() if is_administrator(self.request.user) else "",
            "rows": [(value, label, counts.get(value, 0)) for value, label in SubmissionStatus.choices],
            "oldest": oldest,
            "oldest_days": (timezone.now() - oldest).days if oldest else None,
            "index_url": reverse("forms_intake_submission:index"),
            # Issue 12: the coverage rate of the user's divisions (None without roster access).
            "coverage": coverage.rate_for(self.request.user),
            "coverage_url": reverse("forms_intake_coverage"),
            "search_url": reverse("forms_intake_search"),
            "no_division": no_division_message(self.request.user),
        }


#: Why a staff user without a division sees nothing (queue, dashboard, statistics say so).
NO_DIVISION_MESSAGE = _(
    "You are not assigned to any division yet, so no registrations are shown and every count is zero. "
    "A provincial administrator assigns divisions under 参保登记 → Staff divisions."
)


def is_administrator(user):
    """Superusers and provincial administrators: they are told when the holiday data runs out."""
    return user.is_superuser or user.groups.filter(name=roles.PROVINCIAL_ADMIN).exists()


def no_division_message(user):
    """The explanation for a staff user with no division (and not a superuser), else ''."""
    if user.is_superuser or user_prefixes(user):
        return ""
    return NO_DIVISION_MESSAGE
