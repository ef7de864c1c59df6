"""One-time codes sent by SMS (phone verification, save and resume, online correction): the pure rules.

A code is six digits drawn with `secrets`, valid for one purpose and one subject (a draft, a saved
draft, a submission) for `CODE_TTL_SECONDS`, at most `MAX_ATTEMPTS` wrong tries, and is never stored:
only a keyed hash (HMAC-SHA256) of purpose, subject and code is kept, with a keyed hash of the phone.
The database side (issue, check, send limits) is `forms_intake/services/verification.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 6
CODE_TTL_SECONDS = 10 * 60
MAX_ATTEMPTS = 5
#: Codes sent per phone number, and per subject, in SEND_WINDOW_SECONDS (settings may lower or raise it).
MAX_SENDS_PER_WINDOW = 5
SEND_WINDOW_SECONDS = 60 * 60
#: Longest input looked at: anything longer is not a code (no work on megabytes of input).
MAX_INPUT_LENGTH = 40


class Purpose(models.TextChoices):
    VERIFY_PHONE = "verify_phone", _("confirm the phone number")
    RESUME = "resume", _("come back to a saved registration")
    CORRECTION = "correction", _("correct a returned registration")


class Reason(models.TextChoices):
    """Why a code was (not) accepted or sent: callers show a message per reason."""

    OK = "ok", _("The code is correct.")
    MALFORMED = "malformed", _("Enter the 6-digit code from the text message, using numbers only.")
    WRONG = "wrong", _("The code is not correct. Check the text message and try again.")
    EXPIRED = "expired", _("The code has expired. Ask for a new code.")
    TOO_MANY_ATTEMPTS = "too_many_attempts", _("You entered a wrong code too many times. Ask for a new code.")
    NO_CODE = "no_code", _("No code was sent for this, or it was already used. Ask for a new code.")
    TOO_MANY_SENDS = "too_many_sends", _("Too many codes were sent. Wait an hour before asking for another.")
    NOT_MOBILE = "not_mobile", _("Codes can be sent to mobile numbers only.")
    NOT_SENT = "not_sent", _("The text message could not be sent. Try again in a few minutes.")


def generate_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def normalize_code(value) -> str | None:
    """The code as typed, reduced to its six ASCII digits; None when it cannot be a code.

    Full-width digits (１２３４５６) and spaces or hyphens between groups ("123 456") are accepted;
    anything else (letters, other scripts' digits, control characters, more or fewer digits) is not.
    """
    if not isinstance(value, str) or len(value) > MAX_INPUT_LENGTH:
        return None
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if ch not in " -\u3000\t")
    if len(text) != CODE_LENGTH or not all("0" <= ch <= "9" for ch in text):
        return None
    return text


def _hmac(key: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def subject_hash(key: str, subject: str) -> str:
    """Keyed hash of a subject (draft id, reference number): the table never names it."""
    return _hmac(key, "verification-subject", str(subject))


def phone_hash(key: str, phone: str) -> str:
    """Keyed hash of an E.164 phone number, separate from the submissions' lookup hash."""
    return _hmac(key, "verification-phone", str(phone))


def code_hash(key: str, purpose: str, subject_digest: str, code: str) -> str:
    """Keyed hash of a code, bound to its purpose and subject: a code for one never opens another."""
    return _hmac(key, "verification-code", str(purpose), subject_digest, code)


def codes_match(expected_hash: str, key: str, purpose: str, subject_digest: str, code: str) -> bool:
    return hmac.compare_digest(expected_hash, code_hash(key, purpose, subject_digest, code))


def is_mobile(phone: str) -> bool:
    """True for a mainland China mobile number (E.164 or as typed); landlines cannot receive a code."""
    try:
        number = phonenumbers.parse(str(phone), "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


@dataclass(frozen=True)
class CodeState:
    """What is known of a stored code when a resident types one."""

    expires_at: datetime
    attempts: int
    used: bool


def refusal(state: CodeState | None, now: datetime) -> str | None:
    """The reason a stored code can no longer be accepted (before comparing it), or None."""
    if state is None or state.used:
        return Reason.NO_CODE
    if state.attempts >= MAX_ATTEMPTS:
        return Reason.TOO_MANY_ATTEMPTS
    if now >= state.expires_at:
        return Reason.EXPIRED
    return None


def message_text(purpose: str, code: str, minutes: int, until: str = "") -> str:
    """The text message of a code (translated in the active language); never logged.

    `until` (a date as text) replaces the minutes for a code that works for days (a saved registration's).
    """
    what = {
        Purpose.VERIFY_PHONE: gettext("to confirm your phone number for your registration"),
        Purpose.RESUME: gettext("to come back to your saved registration"),
        Purpose.CORRECTION: gettext("to correct your registration"),
    }.get(purpose, "")
    if until:
        text = gettext("【湖南社保】Your code %(what)s is %(code)s. It works until %(until)s. Do not share it.")
        return text % {"what": what, "code": code, "until": until}
    text = gettext("【湖南社保】Your code %(what)s is %(code)s. It expires in %(minutes)d minutes. Do not share it.")
    return text % {
        "what": what,
        "code": code,
        "minutes": minutes,
    }
