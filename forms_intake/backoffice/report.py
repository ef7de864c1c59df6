"""The statistics report (seed item 19): Wagtail ReportView over the tally, scoped to the user's divisions."""

from __future__ import annotations

import os
from types import SimpleNamespace
from urllib.parse import urlencode

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView

from forms_intake.backoffice import report_export
from forms_intake.backoffice.filters import DivisionFilterSelect, division_choices
from forms_intake.backoffice.policy import SubmissionPermissionPolicy
from forms_intake.models import Division, Submission
from forms_intake.rules.routing import UNASSIGNED_QUEUE, scope_prefix
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import coverage, statistics
from forms_intake.services.scope import (
    prefix_q,
    scoped_submissions,
    user_prefixes,
)
from portal.db_router import on_replica

# --------------------------------------------------------------------------
# Statistics report (seed item 19) and the dashboard panel
# --------------------------------------------------------------------------


class StatisticsFilterSet(WagtailFilterSet):
    division = django_filters.ChoiceFilter(
        label=_("division"), method="filter_division", choices=[], widget=DivisionFilterSelect
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("submitted at"), widget=DateRangePickerWidget)

    class Meta:
        model = Submission
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["division"].extra["choices"] = [
                c for c in division_choices(request) if len(c[0]) <= 6 or c[0] == UNASSIGNED_QUEUE
            ]

    def filter_division(self, queryset, name, value):
        # Applied by the view (it needs the prefix for the drill-down too).
        return queryset


class StatisticsReportView(ReportView):
    """Counts by division (drill-down), state, employment status, reason, bank, gender and age band."""

    template_name = "forms_intake/admin/statistics.html"
    results_template_name = "forms_intake/admin/statistics_results.html"
    page_title = _("Registration statistics")
    header_icon = "table"
    index_url_name = "forms_intake_statistics"
    index_results_url_name = "forms_intake_statistics_results"
    filterset_class = StatisticsFilterSet
    paginate_by = None
    any_permission_required = ["view"]
    permission_policy = SubmissionPermissionPolicy(Submission)
    list_export = ["name", "code", "total", *SubmissionStatus.values, "cards_issued", "cards_collected"]
    export_headings = {"name": _("division"), "code": _("code"), "total": _("total"),
                       **dict(SubmissionStatus.choices), **report_export.card_headings()}
    export_filename = "registration-statistics"

    @cached_property
    def parent_prefix(self):

        requested = scope_prefix(self.request.GET.get("division", ""))
        allowed = user_prefixes(self.request.user)
        if requested and (allowed is None or any(requested.startswith(p) for p in allowed)):
            return requested
        if allowed is None or not allowed:
            return "43"
        if len(allowed) == 1:
            return allowed[0]
        # Several divisions: start at their common level (e.g. two cities → the province).
        common = os.path.commonprefix(allowed)
        return common[: max((n for n in (2, 4, 6) if n <= len(common)), default=2)]

    @cached_property
    def up_division(self):
        """The division one level up, when the user may see it (for the "up one level" link)."""

        up = {4: 2, 6: 4}.get(len(self.parent_prefix), 6 if len(self.parent_prefix) > 6 else 0)
        if not up:
            return None
        prefix = self.parent_prefix[:up]
        allowed = user_prefixes(self.request.user)
        if allowed is None or any(prefix.startswith(p) for p in allowed):
            return prefix
        return None

    def scoped(self):

        queryset = scoped_submissions(self.request.user).filter(prefix_q(self.parent_prefix))
        if self.filters and self.filters.is_valid():
            queryset = self.filters.filter_queryset(queryset)
        return queryset

    @cached_property
    def filtered(self):
        """Whether a filter other than the drill-down (the submission dates) is applied."""
        return bool(self.filters and self.filters.is_valid() and any(
            value not in (None, "", [], ()) for name, value in self.filters.form.cleaned_data.items()
            if name != "division"  # the drill-down is the parent prefix, not a filter
        ))

    @cached_property
    def report(self):
        """(division rows, summary): one query on PostgreSQL (statistics.report)."""

        # Without other filters the scope is a set of queue-code prefixes, which the tally can answer.
        prefixes = None if self.filtered else statistics.scope_prefixes(user_prefixes(self.request.user),
                                                                        self.parent_prefix)
        # Read-only and lag-tolerant: on the replica when it is fit for it, else the primary (portal/db_router.py).
        return on_replica(lambda: statistics.report(self.scoped(), self.parent_prefix, prefixes=prefixes),
                          purpose="statistics report")

    @cached_property
    def cards(self):
        """{child prefix: cards issued and collected} (statistics.cards_by_division), in the same scope."""
        cards = statistics.scoped_cards(statistics.scope_prefixes(user_prefixes(self.request.user),
                                                                  self.parent_prefix))
        if self.filtered:  # the cards of the registrations the dates select
            cards = cards.filter(submission__in=self.scoped())
        return on_replica(lambda: statistics.cards_by_division(cards, self.parent_prefix),
                          purpose="statistics report")

    def get_queryset(self):

        # Every division one level down, those without a registration too (listed, with zeros).
        rows = [dict(row) for row in statistics.with_zero_divisions(self.report[0], self.parent_prefix)]
        no_cards = {"cards_issued": 0, "cards_collected": 0}
        for row in rows:
            row.update(self.cards.get(row["prefix"], no_cards))
        biggest = max((r["total"] for r in rows), default=0) or 1
        for row in rows:
            row["bar"] = round(row["total"] * 100 / biggest, 1)
            # The chart gives names 30% of the width and bars at most 60%.
            row["bar_chart"] = round(row["bar"] * 0.6, 1)
            row["label_x"] = round(30 + row["bar_chart"], 1)
            if row["name"] is None:
                row["name"] = str(_("Provincial queue (待分派)"))
            row["by_status"] = [(value, row[value]) for value in SubmissionStatus.values]
            # The numbers link to the queue, filtered the same way (no personal data in these URLs).
            unassigned = row["prefix"] == UNASSIGNED_QUEUE
            row["queue_query"] = self.queue_query(UNASSIGNED_QUEUE if unassigned else row["code"])
        return [SimpleNamespace(**row) for row in rows]

    def filter_queryset(self, queryset):
        return queryset

    def queue_query(self, division_code):
        """The queue's query string for the report's division and submission dates."""
        params = [("division", division_code)]
        params += [(name, self.request.GET[name]) for name in ("created_at_after", "created_at_before")
                   if self.request.GET.get(name)]
        return urlencode(params)

    @cached_property
    def parent_code(self):
        return statistics.division_code_for_prefix(self.parent_prefix)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every table of the page, in a file named after the division and the date."""
        division = Division.objects.filter(code=self.parent_code).first()
        name = division.name if division else self.parent_prefix
        tables = report_export.tables(queryset, self.report[1], str(_("Registrations per division and state")))
        filename = report_export.filename(name, self.parent_code, timezone.localdate())
        if spreadsheet_format == self.FORMAT_CSV:
            return report_export.csv_response(tables, filename)
        return report_export.xlsx_response(tables, filename)

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        context["summary"] = self.report[1]
        context["status_choices"] = SubmissionStatus.choices
        context["parent_prefix"] = self.parent_prefix
        context["parent_division"] = Division.objects.filter(
            code=statistics.division_code_for_prefix(self.parent_prefix)).first()
        context["total"] = sum(row.total for row in context["object_list"])
        context["up_division"] = self.up_division
        context["queue_url"] = reverse("forms_intake_submission:index")
        context["parent_queue_query"] = self.queue_query(self.parent_code)
        # Issue 12: the coverage rate of the same division, linking to the door-to-door drill-down.
        if coverage.allowed_parent(self.request.user, self.parent_prefix) == self.parent_prefix:
            context["coverage"] = coverage.rate_for_division(self.request.user, self.parent_prefix)
        return context

    def to_row_dict(self, item):
        return {field: getattr(item, field, "") for field in self.list_export}


