"""The registrations and staff-division viewsets (Wagtail ModelViewSet)."""

from __future__ import annotations

from django import forms
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.viewsets.model import ModelViewSet

from forms_intake.backoffice.assisted_entry import assisted_entry_view, divisions_view
from forms_intake.backoffice.columns import ClaimCheckboxColumn, QueueColumn, StatusColumn, WaitingColumn
from forms_intake.backoffice.corrections import CorrectionView
from forms_intake.backoffice.detail import RevealView, SubmissionInspectView, bulk_claim_view, print_view
from forms_intake.backoffice.exports import EXPORT_FIELDS
from forms_intake.backoffice.next_item import action_view
from forms_intake.backoffice.policy import NoDeleteView, ScopedHistoryView, ScopedUsageView, scope_guard
from forms_intake.backoffice.queue import MyItemsIndexView, SubmissionIndexView
from forms_intake.backoffice.reroute import RerouteView
from forms_intake.models import StaffDivision, Submission

# --------------------------------------------------------------------------
# The viewsets and the 参保登记 menu group
# --------------------------------------------------------------------------


class SubmissionViewSet(ModelViewSet):
    """The registration queue of the user's divisions."""

    model = Submission
    icon = "form"
    name = "registrations"
    url_namespace = "forms_intake_submission"
    url_prefix = "registrations"
    menu_label = _("Queue")
    menu_order = 100
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    edit_view_class = CorrectionView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    delete_view_class = NoDeleteView
    list_per_page = 50
    list_display = [
        ClaimCheckboxColumn("select", label=_("Select"), obj_type="submission"),
        TitleColumn(
            "reference", label=_("reference number"),
            get_url=lambda obj: reverse("forms_intake_submission:inspect", args=[obj.pk]),
        ),
        Column("name", label=_("姓名")),
        Column("id_number_masked", label=_("身份证号码")),
        StatusColumn("status", label=_("status"), sort_key="status"),
        QueueColumn("queue", label=_("queue")),
        Column("channel", label=_("channel"), accessor="get_channel_display"),
        UserColumn("handler", label=_("经办人")),
        DateColumn("created_at", label=_("submitted at"), sort_key="created_at"),
        WaitingColumn("waiting", label=_("working days waiting"), sort_key="waiting"),
    ]
    list_export = EXPORT_FIELDS
    export_filename = "registrations"
    form_fields = ["name"]  # unused: the edit view is CorrectionView

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        patterns += [
            path("mine/", self.mine_view, name="mine"),
            path("mine/results/", self.mine_results_view, name="mine_results"),
            path("reveal/<int:pk>/", self.construct_view(RevealView, **self.get_inspect_view_kwargs()), name="reveal"),
            path("action/<int:pk>/<slug:name>/", action_view, name="action"),
            path("reroute/<int:pk>/", self.construct_view(RerouteView, **self.get_inspect_view_kwargs()),
                 name="reroute"),
            path("bulk-claim/", bulk_claim_view, name="bulk_claim"),
            path("print/<int:pk>/", print_view, name="print"),
            path("divisions/", divisions_view, name="divisions"),
        ]
        # Scope before any view runs, for every URL with a pk, present or future.
        for pattern in patterns:
            if "pk" in pattern.pattern.converters:
                pattern.callback = scope_guard(pattern.callback)
        return patterns

    @cached_property
    def mine_view(self):
        return self.construct_view(MyItemsIndexView, **self.get_index_view_kwargs(
            index_url_name=self.get_url_name("mine"), index_results_url_name=self.get_url_name("mine_results")))

    @cached_property
    def mine_results_view(self):
        return self.construct_view(MyItemsIndexView, **self.get_index_view_kwargs(
            index_url_name=self.get_url_name("mine"), index_results_url_name=self.get_url_name("mine_results")),
            results_only=True)

    @property
    def add_view(self):
        # Assisted entry of a paper form, with the wizard's own step forms.

        return assisted_entry_view


class StaffDivisionViewSet(ModelViewSet):
    """Which divisions each staff user works in (provincial administrators manage this)."""

    model = StaffDivision
    icon = "group"
    name = "staff-divisions"
    url_namespace = "forms_intake_staffdivision"
    url_prefix = "registrations/staff-divisions"
    menu_label = _("Staff divisions")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["user", "division"]
    list_filter = ["division__level"]
    search_fields = ["user__username", "user__first_name", "division__name"]
    # The division is typed as its code: a select of 40 000 divisions would not be usable.
    panels = [
        FieldPanel("user"),
        FieldPanel("division", widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                   help_text=_("The division code, e.g. 430102001 (township), 430102 (county), 430100 (city).")),
    ]


submission_viewset = SubmissionViewSet()
staff_division_viewset = StaffDivisionViewSet()


