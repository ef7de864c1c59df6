"""Save and come back later: any step's "save" stores the draft encrypted server-side for 7 days;
``step/resume/`` takes it back with the phone number and the code sent by SMS (no reference number).

Saving stores what was typed on the current page (unvalidated, as "Previous" does) and every step's
answers (forms_intake/services/saved_drafts.py) and texts a resume code valid until the saved draft
expires (MAX_ATTEMPTS wrong tries, as every code). The resume page also sends a new ten-minute code
to a number that has a saved registration; it never says whether a number has one. A resumed draft
opens as a new draft of this session, at the step where the resident saved; the saved copy is deleted.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from forms_intake.models import SavedDraft
from forms_intake.rules import verification as rules
from forms_intake.rules.personal_data import mask_phone
from forms_intake.rules.validators import normalize_phone
from forms_intake.rules.verification import Purpose, Reason
from forms_intake.services import saved_drafts, verification
from forms_intake.wizard import drafts
from forms_intake.wizard.storage import EncryptedSessionStorage
from portal import ratelimit
from portal.views import too_many_requests

SAVE_PAGE = "save"
RESUME_PAGE = "resume"
SAVE_BUTTON = "wizard_save"
#: Resume attempts (codes checked or asked for) per client and hour: a family or an office, not a script.
RESUME_LIMIT = 30
RESUME_WINDOW_SECONDS = 60 * 60


def _render(request, template, context):
    response = TemplateResponse(request, template, context)
    add_never_cache_headers(response)
    return response


def _mobile(value):
    """(E.164 mobile number, None) or (None, error message) for a typed number."""
    try:
        phone = normalize_phone(value or "")
    except ValidationError as error:
        return None, error.messages[0]
    if not rules.is_mobile(phone):
        return None, str(Reason.NOT_MOBILE.label)
    return phone, None


def save_view(wizard, request):
    """GET: which mobile number gets the code. POST: save the draft and send the resume code."""
    if not wizard.started():
        return wizard.no_session_response()
    current = wizard.storage.current_step or wizard.steps.first
    back_url = wizard.get_step_url(current)
    typed = (wizard.storage.plain_step_data("identity") or {}).get("identity-phone") or [""]
    context = {"page": wizard.page, "back_url": back_url, "phone": typed[-1], "days": saved_drafts.days()}
    if request.method == "POST":
        phone, error = _mobile(request.POST.get("phone"))
        context.update(phone=request.POST.get("phone", "")[:30], error=error)
        if phone:
            answers = {
                "step": current,
                "steps": {step: wizard.storage.plain_step_data(step) for step in wizard.form_list},
            }
            answers["steps"] = {step: data for step, data in answers["steps"].items() if data is not None}
            token, expires_at = saved_drafts.save(answers, phone)
            ttl = int((expires_at - timezone.now()).total_seconds())
            sent = verification.issue(Purpose.RESUME, phone, token, ttl_seconds=ttl)
            if not sent:
                saved_drafts.discard(token)
                context["error"] = str(Reason(sent.reason).label)
            else:
                drafts.discard(request.session, wizard.draft)  # the answers now live in the saved copy only
                context = {
                    "page": wizard.page,
                    "masked_phone": mask_phone(phone),
                    "expires_at": expires_at,
                    "resume_url": wizard.get_step_url(RESUME_PAGE).split("?")[0],
                }
                return _render(request, "forms_intake/draft_saved.html", context)
    return _render(request, "forms_intake/save_draft.html", context)


def _restore(wizard, request, answers) -> str:
    """A new draft of this session holding the saved answers; returns the URL of the step to go on with."""
    draft = drafts.new_draft(request.session)
    storage = EncryptedSessionStorage(drafts.storage_prefix(draft), request)
    storage.reset()
    storage.extra_data = {"idempotency_key": secrets.token_urlsafe(32)}
    steps = {step: data for step, data in (answers.get("steps") or {}).items() if step in wizard.form_list}
    for step, data in steps.items():
        storage.set_step_data(step, data)
    step = answers.get("step") if answers.get("step") in wizard.form_list else wizard.steps.first
    storage.current_step = step
    wizard.draft = draft
    return wizard.get_step_url(step)


def resume_view(wizard, request):
    """The phone number and the code; or the phone number alone to be sent a new code."""
    context = {"page": wizard.page, "phone": "", "error": None, "notice": None, "days": saved_drafts.days()}
    if request.method == "POST":
        if not ratelimit.hit("wizard-resume", ratelimit.client_key(request), RESUME_LIMIT, RESUME_WINDOW_SECONDS):
            return too_many_requests(request, retry_after=RESUME_WINDOW_SECONDS)
        phone, error = _mobile(request.POST.get("phone"))
        context["phone"] = request.POST.get("phone", "")[:30]
        if phone is None:
            context["error"] = error
        elif request.POST.get("action") == "send":
            latest = (
                SavedDraft.objects.filter(phone_hash=verification.phone_hash(phone), expires_at__gt=timezone.now())
                .order_by("-created_at")
                .first()
            )
            if latest is not None:
                result = verification.issue_for_subject_hash(Purpose.RESUME, phone, latest.token_hash)
                if result.reason == Reason.TOO_MANY_SENDS:
                    context["error"] = str(Reason.TOO_MANY_SENDS.label)
            if not context["error"]:
                # The same words whether or not the number saved anything.
                context["notice"] = _(
                    "If a registration was saved with this number in the last %(days)d days, we sent a new code to it."
                ) % {"days": saved_drafts.days()}
        else:
            found = verification.find(Purpose.RESUME, phone, request.POST.get("code", ""))
            answers = saved_drafts.take(found.subject_hash) if found else None
            if answers is not None:
                return redirect(_restore(wizard, request, answers))
            context["error"] = found.message if not found else str(Reason.NO_CODE.label)
    return _render(request, "forms_intake/resume.html", context)
