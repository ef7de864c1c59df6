"""The registrations search of the admin dashboard: POST only, so no name, ID or phone number enters a URL.

Wagtail's dashboard search box searches pages with a GET (``?q=<ID number>`` in access logs and browser
history). Registration staff get this form instead (in the dashboard panel): the query is posted, a
reference number opens that registration (a reference identifies no person), anything else is kept in
the session, as a keyed hash for ID and phone numbers, and the queue shows the matches under
``?search=1`` (or the queue's ``?id_search=1`` for an ID number).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forms_intake.backoffice.filters import ID_SEARCH_PARAM, ID_SEARCH_SESSION_KEY, looks_like_id_number
from forms_intake.rules.personal_data import id_hash, phone_hash
from forms_intake.rules.reference import is_valid_reference_number, normalize_reference_number
from forms_intake.rules.validators import normalize_id_number, normalize_phone
from forms_intake.services.scope import scoped_submissions

VIEW_PERMISSION = "forms_intake.view_submission"
#: {"kind": "phone" | "name", "value": keyed hash or name}: the last posted search, read by the queue.
SEARCH_SESSION_KEY = "forms_intake.search"
SEARCH_PARAM = "search"
#: A query of digits (with +, spaces, dashes) this long is taken for a phone number.
PHONE_DIGITS = 7


def looks_like_phone(query):
    digits = "".join(ch for ch in query if ch.isdigit())
    return len(digits) >= PHONE_DIGITS and all(ch.isdigit() or ch in "+- ()" for ch in query)


def remember(session, query):
    """Keep ``query`` in the session (hashed when it is an ID or phone number); the queue's parameters."""
    if looks_like_id_number(query):
        session[ID_SEARCH_SESSION_KEY] = id_hash(normalize_id_number(query))
        return {ID_SEARCH_PARAM: "1"}
    if looks_like_phone(query):
        try:
            number = normalize_phone(query)
        except ValidationError:  # an unparsable number matches nothing; it is not an error
            number = query
        session[SEARCH_SESSION_KEY] = {"kind": "phone", "value": phone_hash(number)}
    else:
        session[SEARCH_SESSION_KEY] = {"kind": "name", "value": query[:40]}
    return {SEARCH_PARAM: "1"}


def stored_search(queryset, session):
    """The queue's matches of the search kept in the session (none when there is none)."""
    stored = session.get(SEARCH_SESSION_KEY) or {}
    if stored.get("kind") == "phone":
        return queryset.filter(phone_hash=stored.get("value", ""))
    if stored.get("kind") == "name" and stored.get("value"):
        return queryset.filter(name__startswith=stored["value"])
    return queryset.none()


@require_POST
@permission_required(VIEW_PERMISSION, raise_exception=True)
def submission_search_view(request):
    """Find registrations by reference, ID number, phone number or name, without a URL holding them."""
    query = (request.POST.get("q") or "").strip()
    queue = reverse("forms_intake_submission:index")
    if not query:
        messages.warning(request, _("Type a reference number, an ID number, a phone number or a name."))
        return redirect("wagtailadmin_home")
    if is_valid_reference_number(query):
        found = scoped_submissions(request.user).filter(reference=normalize_reference_number(query)).first()
        if found is None:
            messages.warning(request, _("No registration with this reference number in your divisions."))
            return redirect("wagtailadmin_home")
        return redirect("forms_intake_submission:inspect", found.pk)
    params = remember(request.session, query)
    return redirect(f"{queue}?{next(iter(params))}=1")
