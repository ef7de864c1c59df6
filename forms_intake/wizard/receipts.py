"""Receipts: which submissions this session may see, and the "session expired" page."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.services import divisions

#: Session keys outside the wizard storage: the receipts this session may see.
RECEIPT_SESSION_KEY = "registration_receipts"


def remember_receipt(request, submission):
    """Let this session (only) see the receipt and printable form of `submission`."""
    receipts = [pk for pk in (request.session.get(RECEIPT_SESSION_KEY) or []) if pk != submission.pk]
    request.session[RECEIPT_SESSION_KEY] = (receipts + [submission.pk])[-5:]


def receipt_for(request):
    """The latest submission this session made, or None.

    Its divisions come with their parents (the printable form names every level) from the
    in-process division index rather than from a join of the division table four levels deep
    for each of the four addresses, whose SQL alone took longer to build than the page.
    """
    receipts = request.session.get(RECEIPT_SESSION_KEY) or []
    if not receipts:
        return None
    submission = Submission.objects.filter(pk=receipts[-1]).select_related("handler", "reviewer").first()
    if submission is not None:
        for field in (spec.name for spec in annex2.schema().divisions):
            division = _division_with_parents(getattr(submission, f"{field}_id"))
            if division is not None:
                setattr(submission, field, division)
    return submission


def _division_with_parents(code):
    """The division `code` with its chain of parents, as select_related would give it; None if unknown."""
    division = divisions.get(code) if code else None
    current = division
    while current is not None and current.parent_id:
        parent = divisions.get(current.parent_id)
        if parent is None:
            return None  # not in the index: let the foreign keys load it
        current.parent = parent
        current = parent
    return division


def session_expired(request, page, kept_url=None):
    """The clear 'your session expired' page with a way to start again (never a 500).

    ``kept_url``: the new draft holding what was typed on the last page, when it could be kept.
    """
    response = TemplateResponse(request, "forms_intake/session_expired.html", {"page": page, "kept_url": kept_url})
    add_never_cache_headers(response)
    return response
