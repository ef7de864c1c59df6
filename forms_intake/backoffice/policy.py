"""Scope in the back office: the permission policy, the URL guard and the scoped generic views.

Scope holds in three places, so that no view can forget it: the policy's
per-instance permissions (delete refused to everyone); every view fetching
its object with ``get_scoped_submission_or_404``; and ``scope_guard`` around
every URL that takes a ``pk`` (404 before the view runs).
"""

from __future__ import annotations

from functools import wraps

from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import DeleteView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.permission_policies import ModelPermissionPolicy

from forms_intake.models import Submission
from forms_intake.services.scope import (
    get_scoped_submission_or_404,
    in_scope,
    scoped_submissions,
)

REVEAL = "forms_intake.reveal_id_number"
EXPORT_UNMASKED = "forms_intake.export_unmasked"
# --------------------------------------------------------------------------
# Permissions and scope
# --------------------------------------------------------------------------


class SubmissionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, restricted per instance to the user's divisions; no deletion at all."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Submission.objects.none()
        return scoped_submissions(user)


def scope_guard(view):
    """404 before ``view`` runs when the URL's submission is outside the user's divisions."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if "pk" in kwargs:
            get_scoped_submission_or_404(request.user, kwargs["pk"])
        return view(request, *args, **kwargs)

    return guarded


class ScopedObjectMixin:
    """Fetch the view's submission within the user's divisions (404 otherwise)."""

    def get_base_object_queryset(self):
        return scoped_submissions(self.request.user)

    def get_object(self, queryset=None):
        if getattr(self, "object", None) is not None and isinstance(self.object, Submission):
            return self.object
        return get_scoped_submission_or_404(
            self.request.user, self.kwargs.get("pk"), Submission.objects.select_related("handler", "reviewer")
        )


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    any_permission_required = ["add", "change", "view"]


class ScopedUsageView(ScopedObjectMixin, UsageView):
    pass


class NoDeleteView(ScopedObjectMixin, DeleteView):
    """Registrations are never deleted (the policy refuses 'delete'); kept so Wagtail's URL names resolve."""


