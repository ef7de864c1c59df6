"""Wagtail admin hooks for registrations: the 参保登记 menu, log actions, dashboard panel, reports."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from forms_intake.api import admin as api_admin
from forms_intake.backoffice import cards, jobs, reviewer_lists, saved_filters, shortcuts
from forms_intake.backoffice import spot_checks as spot_check_admin
from forms_intake.backoffice.bulk_actions import BULK_ACTIONS
from forms_intake.backoffice.dashboard import DashboardPanel
from forms_intake.backoffice.exports_audit import export_audit_viewset
from forms_intake.backoffice.menus import RegistrationMenuGroup
from forms_intake.backoffice.policy import SubmissionPermissionPolicy
from forms_intake.backoffice.regional_report import RegionalReportView
from forms_intake.backoffice.report import StatisticsReportView
from forms_intake.backoffice.search import submission_search_view
from forms_intake.backoffice.summary_report import SummaryReportMenuItem, SummaryReportView
from forms_intake.backoffice.viewsets import staff_division_viewset, submission_viewset
from forms_intake.models import Submission
from forms_intake.outreach import imports as outreach_imports
from forms_intake.outreach import roster as outreach_roster
from forms_intake.outreach import suspects as outreach_suspects
from forms_intake.outreach.coverage import CoverageView
from forms_intake.services import audit, spot_checks, suspects, transitions, visits

# Registered before the viewset so that every generic view uses the scoped policy.
register_permission_policy(Submission, SubmissionPermissionPolicy(Submission))


@hooks.register("register_log_actions")
def register_submission_log_actions(actions):
    audit.register_log_actions(actions)
    suspects.register_log_actions(actions)


# The queue's bulk actions: claim, send for review, register, print as one PDF, export selected.
for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("register_admin_viewset")
def register_registration_viewsets():
    return [submission_viewset, staff_division_viewset, export_audit_viewset, RegistrationMenuGroup()]


@hooks.register("register_admin_urls")
def register_statistics_urls():
    from django.urls import path

    return [
        path("registrations/statistics/", StatisticsReportView.as_view(), name="forms_intake_statistics"),
        path("registrations/search/", submission_search_view, name="forms_intake_search"),
        path(
            "registrations/statistics/results/",
            StatisticsReportView.as_view(results_only=True),
            name="forms_intake_statistics_results",
        ),
    ]


@hooks.register("register_admin_urls")
def register_job_urls():
    # 我的任务 (my jobs) and the start of a large export (forms_intake/backoffice/jobs.py).
    return [path("registrations/jobs/", include((jobs.admin_urls(), "forms_intake_jobs")))]


@hooks.register("register_admin_urls")
def register_outreach_urls():
    # Data imports and suspect insured records (forms_intake/outreach/).
    return [
        path("outreach/imports/", include((outreach_imports.admin_urls(), "forms_intake_imports"))),
        path("outreach/suspects/", include((outreach_suspects.admin_urls(), "forms_intake_suspects"))),
    ]


@hooks.register("construct_homepage_panels")
def add_registrations_panel(request, panels):
    # Only for staff who work registrations: content editors never see counts.
    if request.user.has_perm("forms_intake.view_submission"):
        panels.append(DashboardPanel(request))


@hooks.register("register_admin_urls")
def register_roster_urls():
    # The roster of unregistered people, door-to-door visits and coverage (forms_intake/outreach/).
    return [
        path("outreach/roster/", include((outreach_roster.admin_urls(), "forms_intake_roster"))),
        path("outreach/coverage/", CoverageView.as_view(), name="forms_intake_coverage"),
    ]


@hooks.register("register_log_actions")
def register_visit_log_actions(actions):
    visits.register_log_actions(actions)


@hooks.register("register_admin_viewset")
def register_api_viewsets():
    # API clients and webhooks of the business systems (forms_intake/api/admin.py).
    return [api_admin.api_client_viewset, api_admin.subscription_viewset]


@hooks.register("register_admin_urls")
def register_api_and_card_urls():
    # Failed webhook deliveries, and card batches by township (forms_intake/backoffice/cards.py).
    return [
        *api_admin.admin_urls(),
        path("registrations/cards/", include((cards.admin_urls(), "forms_intake_cards"))),
    ]


# Spot checks (抽查, issue 15): the viewset, its log actions, and the reviewers' own list in the menu.
@hooks.register("register_admin_viewset")
def register_spot_check_viewset():
    return spot_check_admin.spot_check_viewset


@hooks.register("register_log_actions")
def register_spot_check_log_actions(actions):
    spot_checks.register_log_actions(actions)


class _ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(spot_checks.REVIEW)


@hooks.register("register_admin_menu_item")
def register_my_spot_checks_menu_item():
    return _ReviewerMenuItem(
        _("My spot checks"), reverse("forms_intake_spotcheck:mine"), icon_name="crosshairs", order=265
    )


class _RegionalReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("forms_intake.view_submission")


@hooks.register("register_admin_menu_item")
def register_regional_report_menu_item():
    return _RegionalReportMenuItem(
        _("Regional statistical analysis report"), reverse("forms_intake_regional_report"), icon_name="table",
        order=270,
    )


@hooks.register("register_admin_urls")
def register_regional_report_url():
    # The regional statistical analysis report (seed item 19), built as a job.
    return [path("registrations/regional-report/", RegionalReportView.as_view(), name="forms_intake_regional_report")]


# A reviewer's own lists (issue 15): 待我校核 and 我登记的, with their count on the admin home.
@hooks.register("register_admin_urls")
def register_reviewer_list_urls():
    urls = reviewer_lists.admin_urls(submission_viewset)
    return [
        path("registrations/review/", include((urls, reviewer_lists.NAMESPACE))),
        # A clerk's saved queue filters (private, server-side, never a search term).
        path("registrations/saved-filters/", include((saved_filters.admin_urls(), saved_filters.NAMESPACE))),
    ]


@hooks.register("construct_homepage_panels")
def add_reviewer_panel(request, panels):
    if request.user.has_perm(transitions.REVIEW):
        panels.append(reviewer_lists.ReviewerPanel(request))


# The province-wide summary report (issue 15, seed item 22), built as a job, for provincial staff only.
@hooks.register("register_admin_urls")
def register_summary_report_url():
    return [path("registrations/summary-report/", SummaryReportView.as_view(), name="forms_intake_summary_report")]


@hooks.register("register_admin_menu_item")
def register_summary_report_menu_item():
    return SummaryReportMenuItem(
        _("Province-wide summary report"), reverse("forms_intake_summary_report"), icon_name="doc-full", order=271,
    )


@hooks.register("register_admin_urls")
def register_next_item_url():
    # "Next item of my list" on the detail page, without acting (its access keys: backoffice/shortcuts.py).
    return shortcuts.admin_urls()
