"""The 参保登记 admin menu: one group of links to the back office's screens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from forms_intake.services import transitions
from forms_intake.services.scope import user_prefixes


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


def _link(name, label, icon, target_url_name, permission="forms_intake.view_submission"):
    return _LinkViewSet(
        f"registrations-{name}", menu_label=label, icon=icon, target_url_name=target_url_name, permission=permission
    )


class RegistrationMenuGroup(ViewSetGroup):
    """The 参保登记 menu: my items, queue, paper-form entry, statistics (the queue viewset registers the URLs).
    Its entries appear in this order (a group numbers its items itself)."""

    menu_label = _("参保登记")
    menu_icon = "form"
    menu_order = 150
    items = (
        _link("mine", _("My items"), "tasks", "forms_intake_submission:mine", transitions.CLAIM),
        _link("to-check", _("Waiting for my check"), "tick", "forms_intake_review:to_check", transitions.REVIEW),
        _link("registered-by-me", _("Registered by me"), "tick-inverse", "forms_intake_review:registered",
              transitions.REVIEW),
        _link("queue", _("Queue"), "list-ul", "forms_intake_submission:index"),
        _link("saved-filters", _("Saved filters"), "filter", "forms_intake_saved_filters:index"),
        _link("new", _("Enter a paper form"), "plus", "forms_intake_submission:add", "forms_intake.add_submission"),
        _link("statistics", _("Statistics"), "table", "forms_intake_statistics"),
        _link("suspects", _("Suspect insured records"), "warning", "forms_intake_suspects:index",
              "forms_intake.view_suspectrecord"),
        _link("staff-divisions", _("Staff divisions"), "group", "forms_intake_staffdivision:index",
              "forms_intake.change_staffdivision"),
        _link("jobs", _("My jobs"), "download", "forms_intake_jobs:index"),
        _link("imports", _("Data imports"), "upload", "forms_intake_imports:index",
              "forms_intake.import_outreach_data"),
        _link("roster", _("Roster of unregistered people"), "group", "forms_intake_roster:index",
              "forms_intake.view_rosterentry"),
        _link("coverage", _("Door-to-door progress and coverage"), "table", "forms_intake_coverage",
              "forms_intake.view_rosterentry"),
        _link("cards", _("Social security cards"), "doc-full", "forms_intake_cards:index"),
        _link("api-clients", _("API clients"), "key", "forms_intake_apiclient:index", "forms_intake.change_apiclient"),
        _link("api-webhooks", _("Webhooks"), "link", "forms_intake_subscription:index",
              "forms_intake.change_subscription"),
        _link("api-dead-letters", _("Failed webhook deliveries"), "warning", "forms_intake_api_dead_letters",
              "forms_intake.change_delivery"),
        _link("export-records", _("Export records"), "download", "forms_intake_exportaudit:index",
              transitions.REROUTE),
    )
