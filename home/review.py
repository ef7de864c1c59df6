"""The review workflow as editors and approvers see it (issue 17).

- `ChangesRequestedPanel`: on the editor's dashboard (where they land after
  signing in), each of their pages the approver sent back, with the approver's
  comment, who wrote it and when, and a link to edit the page.
- `confirm_approvals`: a Wagtail message confirming each approval (批准) the
  approver just made. Wagtail's workflow action view (the 批准 button of the
  dashboard and of the page's status menu) adds none, and has no hook; the
  approver lands on the page's edit view or the dashboard next, where the hooks
  in home/wagtail_hooks.py call this. Each approval is confirmed once (its task
  state id is kept in the session).
"""

from __future__ import annotations

import datetime

from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.models import TaskState, WorkflowState

#: Approvals older than this are not confirmed any more (the approver has moved on).
RECENT = datetime.timedelta(minutes=5)
_SESSION_KEY = "portal_confirmed_approvals"


class ChangesRequestedPanel(Component):
    """The editor's pages sent back for changes, each with the approver's comment."""

    name = "portal_changes_requested"
    template_name = "home/admin/changes_requested_panel.html"
    order = 205  # above Wagtail's "your pages in a workflow" (210)

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        states = (
            WorkflowState.objects.filter(requested_by=self.request.user, status=WorkflowState.STATUS_NEEDS_CHANGES)
            .select_related("current_task_state", "current_task_state__finished_by")
            .order_by("-current_task_state__finished_at")[:20]
        )
        items = []
        for state in states:
            page = state.content_object
            task_state = state.current_task_state
            if page is None or task_state is None:
                continue
            items.append(
                {
                    "page": page,
                    "comment": task_state.comment,
                    "by": task_state.finished_by,
                    "at": task_state.finished_at,
                }
            )
        return {"items": items, "request": self.request}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["items"]:
            return ""
        return get_template(self.template_name).render(context, request=self.request)


def confirm_approvals(request, page=None):
    """Add one success message per approval `request.user` made in the last minutes and has not seen confirmed."""
    if not request.user.is_authenticated:
        return
    approved = TaskState.objects.filter(
        finished_by=request.user, status=TaskState.STATUS_APPROVED, finished_at__gte=timezone.now() - RECENT
    ).select_related("workflow_state")
    if page is not None:
        approved = approved.filter(workflow_state__object_id=str(page.pk))
    seen = set(request.session.get(_SESSION_KEY, []))
    fresh = [state for state in approved.order_by("finished_at") if state.pk not in seen]
    for state in fresh:
        content = state.workflow_state.content_object
        title = getattr(content, "title", str(content))
        if state.workflow_state.status == WorkflowState.STATUS_APPROVED:
            text = _("You approved “%(title)s”: it is published.") % {"title": title}
        else:
            text = _("You approved “%(title)s”: it moves on to the next review step.") % {"title": title}
        messages.success(request, text)
    if fresh:
        # Only recent ones matter: the list stays short.
        request.session[_SESSION_KEY] = [*list(seen)[-50:], *(state.pk for state in fresh)]
