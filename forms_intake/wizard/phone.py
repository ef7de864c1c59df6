"""Phone verification before the final submit (the GOV.UK "confirm a phone number" pattern).

The review's submit sends a six-digit code by SMS to the 联系电话 and shows "enter the code" at
``step/confirm-phone/?draft=…``; the registration is stored once the code is right. "Send a new
code" is limited (forms_intake/services/verification.py); "change the number" goes back to the
identity step, and the review's next submit sends a code to the new number. A landline cannot get
a text message: the page says so, and staff confirm the number in person.

``WIZARD_PHONE_VERIFICATION = False`` (counters where staff verified the phone) submits directly.
The code is bound to the draft's idempotency key, never to anything in the URL.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from forms_intake.rules import verification as rules
from forms_intake.rules.personal_data import mask_phone
from forms_intake.rules.verification import Purpose, Reason
from forms_intake.services import submissions, verification

CONFIRM_PAGE = "confirm-phone"
IDENTITY_STEP = "identity"
#: extra_data keys (keyed hashes of a phone number): the number confirmed by a code, the number the
#: latest code went to, and the landline the resident chose to submit with unconfirmed.
VERIFIED_KEY = "phone_verified"
SENT_KEY = "phone_code_sent"
LANDLINE_KEY = "phone_landline"
#: extra_data key of why the automatic send failed (shown on the code page).
NOTICE_KEY = "phone_notice"


def enabled() -> bool:
    return bool(getattr(settings, "WIZARD_PHONE_VERIFICATION", False))


def confirmation(wizard, phone) -> str:
    """How ``phone`` was confirmed for this draft (a ``submissions.PHONE_CONFIRMATIONS`` action)."""
    if not enabled():
        return submissions.PHONE_IN_PERSON
    if wizard.storage.extra_data.get(VERIFIED_KEY) == verification.phone_hash(phone):
        return submissions.PHONE_SMS_CODE
    return submissions.PHONE_LANDLINE


def _subject(wizard) -> str:
    return f"wizard:{wizard.storage.extra_data.get('idempotency_key', '')}"


def _send(wizard, phone, digest):
    """Send a code for this draft; returns the refusal reason or None."""
    result = verification.issue(Purpose.VERIFY_PHONE, phone, _subject(wizard))
    if result:
        wizard.storage.extra_data[SENT_KEY] = digest
        return None
    return result.reason


def gate(wizard, phone):
    """None when the draft may be submitted now, else the response that asks for the code first."""
    if not enabled():
        return None
    extra = wizard.storage.extra_data
    digest = verification.phone_hash(phone)
    if extra.get(VERIFIED_KEY) == digest:
        return None
    if not rules.is_mobile(phone):
        if extra.get(LANDLINE_KEY) == digest:
            return None
    elif extra.get(SENT_KEY) != digest:
        refused = _send(wizard, phone, digest)
        if refused:
            extra[NOTICE_KEY] = refused
    return redirect(wizard.get_step_url(CONFIRM_PAGE))


def confirm_view(wizard, request):
    """GET: the code page. POST: check the code (then submit), send a new code, or submit with a landline."""
    if not wizard.started():
        return wizard.no_session_response()
    review_url = wizard.get_step_url("review")
    identity = wizard.cleaned_for(IDENTITY_STEP)
    if not enabled() or identity is None or wizard.first_incomplete_step():
        return redirect(review_url)
    phone = identity["phone"]
    digest = verification.phone_hash(phone)
    extra = wizard.storage.extra_data
    mobile = rules.is_mobile(phone)
    error = notice = None
    if extra.get(NOTICE_KEY):
        error = str(Reason(extra.pop(NOTICE_KEY)).label)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not mobile:
            if action == "landline":
                extra[LANDLINE_KEY] = digest
                return wizard.finish()
        elif action == "resend":
            refused = _send(wizard, phone, digest)
            if refused:
                error = str(Reason(refused).label)
            else:
                notice = _("We sent a new code. Codes sent before it no longer work.")
        elif extra.get(SENT_KEY) != digest:
            error = str(Reason.NO_CODE.label)
        else:
            result = verification.check(Purpose.VERIFY_PHONE, _subject(wizard), request.POST.get("code", ""))
            if result:
                extra[VERIFIED_KEY] = digest
                return wizard.finish()
            error = result.message
            if result.reason == Reason.WRONG:
                error = _("%(message)s You have %(left)d more tries.") % {
                    "message": error,
                    "left": result.attempts_left,
                }
    context = {
        "page": wizard.page,
        "masked_phone": mask_phone(phone),
        "mobile": mobile,
        "code_sent": extra.get(SENT_KEY) == digest,
        "error": error,
        "notice": notice,
        "minutes": rules.CODE_TTL_SECONDS // 60,
        "change_url": wizard.get_step_url(IDENTITY_STEP, "from=review"),
        "review_url": review_url,
    }
    response = TemplateResponse(request, "forms_intake/confirm_phone.html", context)
    add_never_cache_headers(response)
    return response
