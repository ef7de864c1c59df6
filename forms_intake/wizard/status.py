"""Status lookup: a reference number and an ID number give the status, and nothing else personal.

Every wrong pair (unknown reference, wrong ID, malformed input) gets the same
answer, so the page cannot be used to learn whether a reference or an ID
number exists. Attempts are limited per client and per ID number.
"""

from __future__ import annotations

import hmac
import json

from django.core.exceptions import ImproperlyConfigured
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch
from django.utils.cache import add_never_cache_headers

from forms_intake.models import EnrolmentResult, RegistrationPage, SocialSecurityCard, Submission
from forms_intake.rules import crypto
from forms_intake.rules.personal_data import id_hash
from forms_intake.rules.reference import is_valid_reference_number, normalize_reference_number
from forms_intake.rules.states import RejectionReason, SubmissionStatus
from forms_intake.rules.validators import normalize_id_number
from forms_intake.steps.forms import StatusLookupForm
from portal import ratelimit
from portal.views import too_many_requests

#: Lookups per client, and per ID number, in each window.
CLIENT_LIMIT = 20
ID_LIMIT = 10
WINDOW_SECONDS = 15 * 60
#: Session key of what was typed when the lookup was rate-limited (encrypted; the form shows it again).
KEPT_KEY = "status_lookup_kept"


def too_many_lookups(request):
    """The 429 page, keeping the typed reference and ID number for the next visit: in the session,
    encrypted (it is personal data), never in the URL; the page promises nothing typed is lost."""
    typed = {name: request.POST.get(name, "")[:40] for name in ("reference", "id_number")}
    request.session[KEPT_KEY] = crypto.encrypt(json.dumps(typed))
    return too_many_requests(request, retry_after=WINDOW_SECONDS)


def kept_lookup(request):
    """What was typed before the 429 (and forgotten once shown), or None."""
    token = request.session.pop(KEPT_KEY, None) if hasattr(request, "session") else None
    try:
        return json.loads(crypto.decrypt(token)) if token else None
    except (ValueError, TypeError, ImproperlyConfigured):  # keys rotated away: nothing to show
        return None


def lookup_status(reference, id_number):
    """The submission with this reference whose registrant has this ID number, else None."""
    wanted_hash = id_hash(id_number)
    submission = None
    if is_valid_reference_number(reference):
        submission = (
            Submission.objects.filter(reference=normalize_reference_number(reference))
            .only("reference", "status", "resident_message", "rejection_reason", "id_number_hash")
            .first()
        )
    stored_hash = submission.id_number_hash if submission else "0" * 64
    # Compare even when nothing was found, so timing says little about which half was wrong.
    if hmac.compare_digest(stored_hash, wanted_hash or "") and submission is not None:
        return submission
    return None


def results_of(submission):
    """What the business systems reported (forms_intake/api/results.py): enrolment, and where to collect the card."""
    enrolment = EnrolmentResult.objects.filter(submission=submission).first()
    card = (
        SocialSecurityCard.objects.filter(submission=submission)
        .only("bank", "issued_on", "collection_point", "collected_at").first()
    )
    return {
        "enrolment_label": enrolment.get_outcome_display() if enrolment else "",
        "card": card,
    }


def correction_url(page) -> str:
    """Where a resident corrects a returned registration online: the registration page's "correct/" route in
    the status page's language ('' if there is none: the resident then goes to the township office)."""
    registration = RegistrationPage.objects.live().filter(locale_id=page.locale_id).first()
    if registration is None or not registration.url:
        return ""
    try:
        return registration.url + registration.reverse_subpage("correct")
    except NoReverseMatch:
        return ""


def message_of(submission, page=None):
    """What the office wrote to the resident: the return's message (and how to correct), or the rejection's
    reason and note."""
    if submission.status == SubmissionStatus.RETURNED:
        return {"message": submission.resident_message, "rejection_reason": "", "returned": True,
                "correction_url": correction_url(page) if page is not None else ""}
    if submission.status == SubmissionStatus.REJECTED:
        reason = submission.rejection_reason
        label = RejectionReason(reason).label if reason in RejectionReason.values else ""
        return {"message": submission.resident_message, "rejection_reason": label}
    return {"message": "", "rejection_reason": ""}


def status_lookup_view(request, page):
    """GET shows the form; POST looks the pair up (rate-limited)."""
    result = None
    not_found = False
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        if not ratelimit.hit("status-lookup", ratelimit.client_key(request), CLIENT_LIMIT, WINDOW_SECONDS):
            return too_many_lookups(request)
        if form.is_valid():
            id_number = normalize_id_number(form.cleaned_data["id_number"])
            if not ratelimit.hit("status-lookup-id", ratelimit.value_key(id_number), ID_LIMIT, WINDOW_SECONDS):
                return too_many_lookups(request)
            submission = lookup_status(form.cleaned_data["reference"], id_number)
            if submission is None:
                not_found = True
            else:
                result = {
                    "reference": submission.reference,
                    "status_label": submission.get_status_display(),
                    **message_of(submission, page),
                    **results_of(submission),
                }
    else:
        form = StatusLookupForm(initial=kept_lookup(request))
    response = TemplateResponse(
        request,
        "forms_intake/status_lookup_page.html",
        {"page": page, "form": form, "result": result, "not_found": not_found},
    )
    add_never_cache_headers(response)
    return response
