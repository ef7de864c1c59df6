"""A clerk's working day: after an action, the next item of the same list; reject and return confirmed first.

The list the clerk works from (the queue or 我的待办, with its filters and sort order) is kept in
the session when the list is shown: its query string only, which holds no personal data (a name,
ID or phone number typed into the search box is moved out of the URL first, see search.py). After
an action on the detail page, the same listing view is built for that query (as the export job
does, jobs.build_export_view) and the next item is the first one after the acted-on item in the
list's order: a keyset condition on the sort column and the id, so one indexed query, and items
already done never come round again.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from forms_intake.backoffice import detail
from forms_intake.models import Submission
from forms_intake.services import correction_requests, transitions
from forms_intake.services.scope import get_scoped_submission_or_404

#: Where the session keeps the list the clerk works from: {"listing": a key of LISTINGS, "query": "..."}.
LISTING_SESSION_KEY = "forms_intake.working_list"
LISTINGS = {
    "index": "forms_intake_submission:index",
    "mine": "forms_intake_submission:mine",
    # A reviewer's own lists (reviewer_lists.py).
    "to_check": "forms_intake_review:to_check",
    "registered_by_me": "forms_intake_review:registered",
}
#: Actions after which the clerk stays on the item (claiming starts the work on it).
STAY_AFTER = {"claim", "release"}
#: Actions that ask for a confirmation page first (final for the resident, or sent back to them).
CONFIRM_FIRST = {"reject", "return"}
#: Query parameters not kept: the page number and exports.
NOT_KEPT = ("p", "export")


def remember_listing(request, listing: str):
    """Called by the listing views: this is the list the clerk works from now."""
    params = request.GET.copy()
    for name in NOT_KEPT:
        params.pop(name, None)
    request.session[LISTING_SESSION_KEY] = {"listing": listing, "query": params.urlencode()}


def stored_listing(request):
    stored = request.session.get(LISTING_SESSION_KEY) or {}
    listing = stored.get("listing") if stored.get("listing") in LISTINGS else "index"
    return listing, str(stored.get("query", ""))[:2000]


def listing_url(request) -> str:
    listing, query = stored_listing(request)
    url = reverse(LISTINGS[listing])
    return f"{url}?{query}" if query else url


def _listing_view(request):
    """The listing view of the stored list, set up as for a GET of it by the same user and session."""
    listing, query = stored_listing(request)
    url = reverse(LISTINGS[listing])
    match = resolve(url)
    fake = HttpRequest()
    fake.method = "GET"
    fake.path = fake.path_info = url
    fake.GET = QueryDict(query)
    fake.user = request.user
    fake.session = request.session  # the search tokens of the list (hashes, never the typed text)
    fake.resolver_match = match
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(fake, *match.args, **match.kwargs)
    return view


def sort_position(request, submission):
    """(ordered queryset, keyset condition for "after this item"), read before the item changes."""
    queryset = _listing_view(request).get_queryset()
    ordering = list(queryset.query.order_by) or ["created_at", "pk"]
    field = ordering[0].lstrip("-")
    descending = ordering[0].startswith("-")
    value = getattr(submission, "pk" if field in ("pk", "id") else field)
    after, before_pk = ("lt", "lt") if descending else ("gt", "gt")
    condition = Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"pk__{before_pk}": submission.pk})
    return queryset, condition


def next_item(queryset, condition, current_pk):
    return queryset.filter(condition).exclude(pk=current_pk).values_list("pk", flat=True).first()


@require_POST
def action_view(request, pk, name):
    """The detail page's actions: confirm reject/return on a page of its own, then act, then the next item."""
    submission = get_scoped_submission_or_404(request.user, pk, Submission.objects.select_related("handler"))
    if name not in transitions.TRANSITIONS:
        return detail.action_view(request, pk, name)  # its 404
    if name in CONFIRM_FIRST and request.POST.get("confirmed") != "yes":
        return confirmation_page(request, submission, name)
    queryset, condition = sort_position(request, submission)
    status_before = submission.status
    response = detail.action_view(request, pk, name)
    done = Submission.objects.filter(pk=pk).exclude(status=status_before).exists()
    if not done or name in STAY_AFTER:
        return response
    following = next_item(queryset, condition, pk)
    if following is None:
        messages.info(request, _("That was the last item of your list."))
        return redirect(listing_url(request))
    return redirect("forms_intake_submission:inspect", following)


def confirmation_page(request, submission, name):
    """A page (not a pop-up) restating the action, its reason and note, with Confirm and Cancel."""
    transition = transitions.TRANSITIONS[name]
    reason = request.POST.get("reason", "")
    kept = [(key, value) for key in request.POST if key not in ("csrfmiddlewaretoken", "confirmed")
            for value in request.POST.getlist(key)]
    context = {
        "submission": submission,
        "transition": transition,
        "reason_label": dict(transitions.RejectionReason.choices).get(reason, ""),
        "note": request.POST.get("note", ""),
        "correct_labels": correction_requests.labels_of(request.POST.getlist("correct_fields")),
        "kept": kept,
        "action_url": reverse("forms_intake_submission:action", args=[submission.pk, name]),
        "back_url": reverse("forms_intake_submission:inspect", args=[submission.pk]),
        "page_title": _("Confirm: %(action)s") % {"action": transition.label},
        "page_subtitle": submission.reference,
        "header_icon": "warning",
    }
    return TemplateResponse(request, "forms_intake/admin/confirm_action.html", context)
