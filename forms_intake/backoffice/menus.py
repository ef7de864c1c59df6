"""The 参保登记 admin menu: one group of links to the back office's screens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from forms_intake.services import transitions
from forms_intake.services.scope import (
    user_prefixes,
)


class _LinkViewSet(ViewSet):
    """A menu entry of the 参保登记 group pointing at a view of another viewset."""

    target_url_name = ""
    permission = "forms_intake.view_submission"

    def get_urlpatterns(self):
        return []

    @property
    def menu_url(self):
        return reverse(self.target_url_name)

    @property
    def menu_item_class(self):

        permission = self.permission

        class _Item(MenuItem):
            def is_shown(self, request):
                # user_prefixes is cached on the user: one query for all menu items.
                return request.user.has_perm(permission) and user_prefixes(request.user) != []

        return _Item


class MyItemsMenu(_LinkViewSet):
    name = "registrations-mine"
    menu_label = _("My items")
    icon = "tasks"
    menu_order = 10
    target_url_name = "forms_intake_submission:mine"
    permission = transitions.CLAIM


class QueueMenu(_LinkViewSet):
    name = "registrations-queue"
    menu_label = _("Queue")
    icon = "list-ul"
    menu_order = 20
    target_url_name = "forms_intake_submission:index"


class NewPaperFormMenu(_LinkViewSet):
    name = "registrations-new"
    menu_label = _("Enter a paper form")
    icon = "plus"
    menu_order = 30
    target_url_name = "forms_intake_submission:add"
    permission = "forms_intake.add_submission"


class StaffDivisionsMenu(_LinkViewSet):
    name = "registrations-staff-divisions"
    menu_label = _("Staff divisions")
    icon = "group"
    menu_order = 50
    target_url_name = "forms_intake_staffdivision:index"
    permission = "forms_intake.change_staffdivision"


class StatisticsMenu(_LinkViewSet):
    name = "registrations-statistics"
    menu_label = _("Statistics")
    icon = "table"
    menu_order = 40
    target_url_name = "forms_intake_statistics"


class MyJobsMenu(_LinkViewSet):
    name = "registrations-jobs"
    menu_label = _("My jobs")
    icon = "download"
    menu_order = 60
    target_url_name = "forms_intake_jobs:index"


class ImportsMenu(_LinkViewSet):
    name = "registrations-imports"
    menu_label = _("Data imports")
    icon = "upload"
    menu_order = 70
    target_url_name = "forms_intake_imports:index"
    permission = "forms_intake.import_outreach_data"


class SuspectsMenu(_LinkViewSet):
    name = "registrations-suspects"
    menu_label = _("Suspect insured records")
    icon = "warning"
    menu_order = 45
    target_url_name = "forms_intake_suspects:index"
    permission = "forms_intake.view_suspectrecord"


class RosterMenu(_LinkViewSet):
    name = "registrations-roster"
    menu_label = _("Roster of unregistered people")
    icon = "group"
    menu_order = 35
    target_url_name = "forms_intake_roster:index"
    permission = "forms_intake.view_rosterentry"


class CoverageMenu(_LinkViewSet):
    name = "registrations-coverage"
    menu_label = _("Door-to-door progress and coverage")
    icon = "table"
    menu_order = 36
    target_url_name = "forms_intake_coverage"
    permission = "forms_intake.view_rosterentry"


class CardsMenu(_LinkViewSet):
    name = "registrations-cards"
    menu_label = _("Social security cards")
    icon = "doc-full"
    menu_order = 42
    target_url_name = "forms_intake_cards:index"


class ApiClientsMenu(_LinkViewSet):
    name = "registrations-api-clients"
    menu_label = _("API clients")
    icon = "key"
    menu_order = 80
    target_url_name = "forms_intake_apiclient:index"
    permission = "forms_intake.change_apiclient"


class WebhooksMenu(_LinkViewSet):
    name = "registrations-api-webhooks"
    menu_label = _("Webhooks")
    icon = "link"
    menu_order = 81
    target_url_name = "forms_intake_subscription:index"
    permission = "forms_intake.change_subscription"


class DeadLettersMenu(_LinkViewSet):
    name = "registrations-api-dead-letters"
    menu_label = _("Failed webhook deliveries")
    icon = "warning"
    menu_order = 82
    target_url_name = "forms_intake_api_dead_letters"
    permission = "forms_intake.change_delivery"


class ExportRecordsMenu(_LinkViewSet):
    name = "registrations-export-records"
    menu_label = _("Export records")
    icon = "download"
    menu_order = 65
    target_url_name = "forms_intake_exportaudit:index"
    permission = transitions.REROUTE


class RegistrationMenuGroup(ViewSetGroup):
    """The 参保登记 menu: my items, queue, paper-form entry, statistics (the queue viewset registers the URLs)."""

    menu_label = _("参保登记")
    menu_icon = "form"
    menu_order = 150
    items = (
        MyItemsMenu, QueueMenu, NewPaperFormMenu, StatisticsMenu, SuspectsMenu, StaffDivisionsMenu, MyJobsMenu,
        ImportsMenu, RosterMenu, CoverageMenu, CardsMenu, ApiClientsMenu, WebhooksMenu, DeadLettersMenu,
        ExportRecordsMenu,
    )


