"""Saved filters: a clerk names the filter of a registrations list and reopens it later (private, server-side).

What is saved is the list (queue, my items, a reviewer's lists) and the filter form's own parameters with
the sort order, each checked against the user's filter form (a division outside their divisions, a date
that is no date, an unknown choice: dropped). A search is never saved: the reference, name, ID or phone
number a clerk searched for stays out of the saved filter (the queue keeps searches in the session, and
only for the session; search.py), and the clerk is told so. The list to save is the one the clerk opened
last (next_item.py keeps its query string), so no page needs a form of its own to offer it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from forms_intake.backoffice.filters import SubmissionFilterSet, looks_like_id_number
from forms_intake.backoffice.next_item import LISTINGS, stored_listing
from forms_intake.backoffice.search import looks_like_phone
from forms_intake.models import SavedFilter
from forms_intake.services.scope import VIEW_PERMISSION

NAMESPACE = "forms_intake_saved_filters"
#: The sort orders a saved filter may keep (the listings' sortable columns), in the words staff read.
ORDERINGS = {
    "created_at": _("submitted, oldest first"),
    "-created_at": _("submitted, newest first"),
    "waiting": _("working days waiting, fewest first"),
    "-waiting": _("working days waiting, most first"),
    "status": _("status, ascending"),
    "-status": _("status, descending"),
    "reviewed_at": _("checked, oldest first"),
    "-reviewed_at": _("checked, newest first"),
}
#: Search parameters of the listings: never saved.
SEARCH_PARAMS = ("q", "search", "id_search")
MAX_PER_USER = 50
LISTING_LABELS = {
    "index": _("Queue"),
    "mine": _("My items"),
    "to_check": _("Waiting for my check"),
    "registered_by_me": _("Registered by me"),
}


def _field_params(form):
    """{query parameter: form field name} of the filter form (a date range is two parameters)."""
    params = {}
    for name, field in form.fields.items():
        widget = field.widget
        if getattr(widget, "suffixes", None):
            for suffix in widget.suffixes:
                params[widget.suffixed(name, suffix)] = name
        else:
            params[name] = name
    return params


def clean_query(request, query):
    """(the filter's query string as saved, whether a search was left out).

    Only the filter form's parameters that the form accepts for this user, and a known sort order.
    """
    params = QueryDict(query or "")
    had_search = any(params.get(name) for name in SEARCH_PARAMS)
    probe = SubmissionFilterSet(QueryDict(), request=request)
    known = _field_params(probe.form)
    kept = QueryDict(mutable=True)
    for key in params:
        if key in known:
            kept.setlist(key, [value[:40] for value in params.getlist(key) if value][:20])
    filters = SubmissionFilterSet(kept, request=request)
    filters.form.is_valid()
    for key in list(kept):
        if known[key] in filters.form.errors:
            del kept[key]
    ordering = params.get("ordering", "")
    if ordering in ORDERINGS:
        kept["ordering"] = ordering
    return kept.urlencode(), had_search


def describe(request, query):
    """The saved filter in words: "label: value, value; …" from the filter form's labels and choices."""
    data = QueryDict(query or "")
    form = SubmissionFilterSet(data, request=request).form
    parts = []
    for key, name in _field_params(form).items():
        values = data.getlist(key)
        if not values:
            continue
        choices = dict(getattr(form.fields[name], "choices", ()) or ())
        shown = [str(choices.get(value, value)).strip() for value in values]
        label = form.fields[name].label
        suffix = f" ({key.rsplit('_', 1)[-1]})" if key != name else ""
        parts.append(f"{label}{suffix}: {', '.join(shown)}")
    if data.get("ordering") in ORDERINGS:
        parts.append(_("sort: %(order)s") % {"order": ORDERINGS[data["ordering"]]})
    return "; ".join(parts) or str(_("no filter (the list as it opens)"))


class SaveFilterForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the filter"), max_length=60,
        help_text=_("For example “Overdue in 文艺路街道”. Never a resident's name, ID or phone number."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if looks_like_id_number(name) or looks_like_phone(name):
            raise forms.ValidationError(_("A filter's name must not hold an ID or phone number."))
        return name


def _require_view(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def _own_or_404(request, pk):
    found = SavedFilter.objects.filter(pk=pk, user=request.user).first()
    if found is None:
        raise Http404
    return found


def index_view(request):
    """The user's saved filters, and the list they opened last, to save under a name."""
    _require_view(request)
    listing, query = stored_listing(request)
    current, had_search = clean_query(request, query)
    form = SaveFilterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save(request, form.cleaned_data["name"], listing, current, had_search) or redirect(
            f"{NAMESPACE}:index")
    saved = [
        {"object": item, "listing": LISTING_LABELS.get(item.listing, item.listing),
         "description": describe(request, item.query)}
        for item in SavedFilter.objects.filter(user=request.user)
    ]
    return TemplateResponse(request, "forms_intake/admin/saved_filters.html", {
        "header_title": _("Saved filters"),
        "header_icon": "filter",
        "saved": saved,
        "form": form,
        "current_listing": LISTING_LABELS.get(listing, listing),
        "current_description": describe(request, current),
        "search_left_out": had_search,
    })


def _save(request, name, listing, query, had_search):
    """Save (or replace, under the same name) the filter; None when it was saved."""
    if listing not in LISTINGS:
        listing = "index"
    existing = SavedFilter.objects.filter(user=request.user)
    if existing.count() >= MAX_PER_USER and not existing.filter(name=name).exists():
        messages.error(request, _("You have %(count)s saved filters: delete one first.") % {"count": MAX_PER_USER})
        return redirect(f"{NAMESPACE}:index")
    try:
        with transaction.atomic():
            SavedFilter.objects.update_or_create(
                user=request.user, name=name, defaults={"listing": listing, "query": query})
    except IntegrityError:  # the same name saved twice at once: the other one is kept
        pass
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
    if had_search:
        messages.warning(request, _(
            "The search was not saved with the filter: a saved filter never holds a reference, name, "
            "ID or phone number."))
    return None


def open_view(request, pk):
    """Open the saved filter's list with its filter."""
    _require_view(request)
    saved = _own_or_404(request, pk)
    url = reverse(LISTINGS.get(saved.listing, LISTINGS["index"]))
    # Cleaned again: the user's divisions may have changed since the filter was saved.
    query, _had_search = clean_query(request, saved.query)
    return redirect(f"{url}?{query}" if query else url)


@require_POST
def delete_view(request, pk):
    _require_view(request)
    saved = _own_or_404(request, pk)
    saved.delete()
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect(f"{NAMESPACE}:index")


def admin_urls():
    """URLs under /admin/registrations/saved-filters/ (namespace ``forms_intake_saved_filters``)."""
    return [
        path("", index_view, name="index"),
        path("<int:pk>/", open_view, name="open"),
        path("<int:pk>/delete/", delete_view, name="delete"),
    ]
