"""A reviewer's (校核人) own lists: 待我校核 (waiting for my check) and 我登记的 (registered by me).

Both are the queue's IndexView (columns, filters, export, next item) on a narrower base queryset from
services/review_lists.py, so scope, masking and the export audit are the queue's own. The URLs are
registered by wagtail_hooks under the ``forms_intake_review`` namespace; the 参保登记 menu links to them
and reviewers see their count on the admin home (``ReviewerPanel``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView

from forms_intake.backoffice.queue import SubmissionIndexView
from forms_intake.services import review_lists
from forms_intake.services.transitions import REVIEW

NAMESPACE = "forms_intake_review"
TO_CHECK_URL = f"{NAMESPACE}:to_check"
REGISTERED_URL = f"{NAMESPACE}:registered"


class _ReviewerListMixin:
    """A reviewer's list: the review permission is required (403), the counts are the list's own."""

    count_from_tally = False
    url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_index_url(self):
        return reverse(f"{NAMESPACE}:{self.url_name}")

    def get_index_results_url(self):
        return reverse(f"{NAMESPACE}:{self.url_name}_results")


class WaitingForMyCheckView(_ReviewerListMixin, SubmissionIndexView):
    """待我校核: sent for review in my divisions, processed by someone else (the four-eyes rule)."""

    page_title = _("Waiting for my check")
    audit_listing = "to_check"
    listing_name = "to_check"
    url_name = "to_check"

    def get_base_queryset(self):
        return review_lists.waiting_for_check(self.request.user, super().get_base_queryset())


class RegisteredByMeView(_ReviewerListMixin, SubmissionIndexView):
    """我登记的: what I confirmed and registered as reviewer, most recent first."""

    page_title = _("Registered by me")
    default_ordering = "-reviewed_at"
    audit_listing = "registered_by_me"
    listing_name = "registered_by_me"
    url_name = "registered"

    def get_filterset_kwargs(self):
        # Not the queue's "what is waiting" default: this list holds finished registrations only.
        return IndexView.get_filterset_kwargs(self)

    def get_base_queryset(self):
        return review_lists.registered_by(self.request.user, super().get_base_queryset())


def admin_urls(viewset):
    """The two lists and their results-only views, built with the queue viewset's columns and filters."""

    def build(view_class, name, **extra):
        kwargs = viewset.get_index_view_kwargs(
            index_url_name=f"{NAMESPACE}:{name}", index_results_url_name=f"{NAMESPACE}:{name}_results"
        )
        return viewset.construct_view(view_class, **kwargs, **extra)

    return [
        path("to-check/", build(WaitingForMyCheckView, "to_check"), name="to_check"),
        path("to-check/results/", build(WaitingForMyCheckView, "to_check", results_only=True),
             name="to_check_results"),
        path("registered/", build(RegisteredByMeView, "registered"), name="registered"),
        path("registered/results/", build(RegisteredByMeView, "registered", results_only=True),
             name="registered_results"),
    ]


class ReviewerPanel(Component):
    """Admin home, for reviewers: how many registrations wait for their check, with links to both lists."""

    name = "registrations_reviewer"
    order = 55
    template_name = "forms_intake/admin/reviewer_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        return {
            "waiting": review_lists.waiting_for_check(self.request.user).count(),
            "to_check_url": reverse(TO_CHECK_URL),
            "registered_url": reverse(REGISTERED_URL),
        }
