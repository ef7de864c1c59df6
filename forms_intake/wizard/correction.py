"""Online correction of a returned registration by the resident (issue 14): the "correct/" route.

1. The resident enters the reference number and the ID number (POST, rate-limited like the status
   lookup). Whatever the pair, the next page is the same ("if these details match a registration
   waiting for your correction, a code was sent to its registered phone"): a wrong or unknown pair
   cannot be told from a right one. A code is sent by SMS only to the phone number registered with a
   returned registration whose handler named fields to correct.
2. The resident enters the code (hashed in the session, expiring, a few attempts only).
3. A form with only the requested fields editable, validated by the wizard's own step forms
   (``correction_forms.py``), the rest read-only; the registration goes back to 待受理 with
   before/after in its timeline (``services/correction_requests.py``).

The session holds only the registration's primary key and the code's keyed hash: no personal data
in URLs, logs or the session; the answers stay in the encrypted columns.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Submission
from forms_intake.rules.validators import normalize_id_number
from forms_intake.rules.verification import CODE_TTL_SECONDS, MAX_ATTEMPTS, Purpose, Reason
from forms_intake.services import correction_requests, verification
from forms_intake.steps.fields import STEP_FORM_RENDERER, TypedTextField
from forms_intake.steps.forms import StatusLookupForm
from forms_intake.wizard.correction_forms import CorrectionForms
from forms_intake.wizard.status import lookup_status
from portal import ratelimit
from portal.views import too_many_requests

SESSION_KEY = "forms_intake.correction"
#: Look-ups per client and per ID number in each window (as the status lookup).
CLIENT_LIMIT = 20
ID_LIMIT = 10
WINDOW_SECONDS = 15 * 60
#: A code's life and wrong tries (forms_intake/rules/verification.py; a wrong pair's state runs out alike).
CODE_SECONDS = CODE_TTL_SECONDS
CODE_ATTEMPTS = MAX_ATTEMPTS
#: How long the verified resident has to send the correction.
VERIFIED_SECONDS = 30 * 60
TEMPLATE = "forms_intake/correction.html"
WRONG_CODE = _("This code is not right, or it has expired. Check the text message and try again.")


class CodeForm(forms.Form):
    """The six-digit code sent by SMS."""

    default_renderer = STEP_FORM_RENDERER

    code = TypedTextField(
        label=_("Code from the text message"),
        max_length=12,
        help_text=_("6 digits."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 12}),
    )

    def clean_code(self):
        value = "".join(self.cleaned_data["code"].split())
        if not (len(value) == 6 and value.isdigit()):
            raise forms.ValidationError(_("Enter the 6 digits of the code."), code="format")
        return value


# ---- the code (forms_intake/services/verification.py: hashed, expiring, limited tries) ----------


def _subject(pk):
    return f"correction:{pk}"


def _new_state(submission):
    """The session's state after a look-up; for a wrong pair too (no code is sent, none will match)."""
    return {
        "pk": submission.pk if submission is not None else None,
        "expires": time.time() + CODE_SECONDS,
        "attempts": 0,
        "verified_until": 0,
    }


def _check_code(state, code):
    """(accepted, spent): a wrong pair's state never matches and runs out like a real code."""
    if state.get("pk") is None:
        return False, time.time() >= state.get("expires", 0)
    result = verification.check(Purpose.CORRECTION, _subject(state["pk"]), code)
    return bool(result), result.reason in (Reason.EXPIRED, Reason.TOO_MANY_ATTEMPTS, Reason.NO_CODE)


# ---- the views -----------------------------------------------------------------


def _render(request, page, stage, **context):
    response = TemplateResponse(request, TEMPLATE, {"page": page, "stage": stage, **context})
    add_never_cache_headers(response)
    return response


def _url(page):
    return page.url + page.reverse_subpage("correct")


def correction_view(request, page):
    """The three stages, one URL: which one is shown comes from the session, never from the URL."""
    state = request.session.get(SESSION_KEY)
    stage = request.POST.get("stage", "") if request.method == "POST" else ""
    if request.method == "POST" and "start_again" in request.POST:
        request.session.pop(SESSION_KEY, None)
        return redirect(_url(page))
    if stage == "lookup" or not state:
        return _lookup(request, page)
    if state.get("verified_until", 0) > time.time():
        return _correct(request, page, state)
    if state.get("verified_until"):
        request.session.pop(SESSION_KEY, None)
        return _render(request, page, "lookup", form=StatusLookupForm(), expired=True)
    return _code(request, page, state)


def _lookup(request, page):
    if request.method != "POST":
        request.session.pop(SESSION_KEY, None)
        return _render(request, page, "lookup", form=StatusLookupForm())
    if not ratelimit.hit("correction-lookup", ratelimit.client_key(request), CLIENT_LIMIT, WINDOW_SECONDS):
        return too_many_requests(request, retry_after=WINDOW_SECONDS)
    form = StatusLookupForm(request.POST)
    if not form.is_valid():
        return _render(request, page, "lookup", form=form)
    id_number = normalize_id_number(form.cleaned_data["id_number"])
    if not ratelimit.hit("correction-lookup-id", ratelimit.value_key(id_number), ID_LIMIT, WINDOW_SECONDS):
        return too_many_requests(request, retry_after=WINDOW_SECONDS)
    submission = lookup_status(form.cleaned_data["reference"], id_number)
    if submission is not None and correction_requests.open_request(submission) is None:
        submission = None  # not waiting for an online correction: the same answer as a wrong pair
    state = _new_state(submission)
    if submission is not None:
        phone = Submission.objects.only("phone").get(pk=submission.pk).phone
        with translation.override(settings.LANGUAGE_CODE):
            sent = verification.issue(Purpose.CORRECTION, phone, subject=_subject(submission.pk))
        if sent.reason == Reason.TOO_MANY_SENDS:
            return too_many_requests(request, retry_after=sent.retry_after)
        if sent.reason == Reason.NOT_SENT:
            return _render(request, page, "lookup", form=form, sms_failed=True)
        # NOT_MOBILE (a landline): the same page as any other pair; no code arrives, the page says what to do.
    request.session[SESSION_KEY] = state
    request.session.cycle_key()
    return _render(request, page, "code", form=CodeForm())


def _code(request, page, state):
    if request.method != "POST":
        return _render(request, page, "code", form=CodeForm())
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render(request, page, "code", form=form)
    accepted, spent = _check_code(state, form.cleaned_data["code"])
    if accepted:
        state.update(verified_until=time.time() + VERIFIED_SECONDS)
        request.session[SESSION_KEY] = state
        request.session.cycle_key()
        return redirect(_url(page))
    state["attempts"] = state.get("attempts", 0) + 1
    if spent or state["attempts"] >= CODE_ATTEMPTS:
        request.session.pop(SESSION_KEY, None)
        return _render(request, page, "lookup", form=StatusLookupForm(), code_spent=True)
    request.session[SESSION_KEY] = state
    form.add_error("code", WRONG_CODE)
    return _render(request, page, "code", form=form, attempts_left=CODE_ATTEMPTS - state["attempts"])


def _correct(request, page, state):
    submission = Submission.objects.select_related(
        "hukou_division", "residence_division", "employer_division", "unit_division"
    ).filter(pk=state["pk"]).first()
    open_request = correction_requests.open_request(submission)
    if open_request is None:
        request.session.pop(SESSION_KEY, None)
        return _render(request, page, "closed")
    data = request.POST if request.method == "POST" else None
    corrections = CorrectionForms(submission, open_request.fields, data=data)
    context = {"corrections": corrections, "message": submission.resident_message,
               "reference": submission.reference}
    if data is None or not corrections.is_valid():
        status = 400 if corrections.refused else 200
        response = _render(request, page, "form", **context)
        response.status_code = status
        return response
    try:
        correction_requests.correct_by_resident(submission.pk, open_request.pk, corrections.new_values())
    except correction_requests.CorrectionRefused as refused:
        corrections.problems.append(refused.message)
        return _render(request, page, "form", **context)
    request.session.pop(SESSION_KEY, None)
    return _render(request, page, "done", reference=submission.reference)
