"""Personal data for display: masking for lists, exports and logs; phone formatting; lookup hashes."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError

from forms_intake.rules.crypto import lookup_hash
from forms_intake.rules.text import to_text
from forms_intake.rules.validators import (
    LATIN_NAME_PUNCTUATION,
    NAME_DOT,
    NAME_MAX_LENGTH,
    clean_phone_text,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
)

# --------------------------------------------------------------------------
# Masking for lists, exports and logs
# --------------------------------------------------------------------------


def mask_id_number(value) -> str:
    """Mask an ID number for display: "430102********123X".

    18 characters show the region code and the last four only, never the
    birth date; an old 15-digit number shows 6 + 3. Anything else is fully
    masked (at most 18 stars). '' for empty input. Never raises.
    """
    try:
        number = normalize_id_number(value)
        if len(number) == 18:
            return number[:6] + "*" * 8 + number[-4:]
        if len(number) == 15:
            return number[:6] + "*" * 6 + number[-3:]
        return "*" * min(len(number), 18)
    except Exception:  # noqa: BLE001 - masking runs in lists and logs: never raise
        return ""


def _mask_digits_fallback(text: str) -> str:
    """Mask an unrecognised phone number: stars, with the last 2 digits shown if there are 6 or more."""
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())[:20]
    if len(digits) >= 6:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


_E164_CN_MOBILE = re.compile(r"\+861[0-9]{10}")


def mask_phone(value) -> str:
    """Mask a phone number (E.164 or as typed) for display.

    Mobiles: "138****5678". Landlines: the area code and at most half of
    the local number, at most 4 digits: "0731-****7890". Other input: stars
    with the last 2 digits. '' for empty input. Never raises.
    """
    try:
        if isinstance(value, str) and _E164_CN_MOBILE.fullmatch(value):
            # The stored form of a mainland mobile (imports mask millions): what the parse below gives.
            return value[3:6] + "****" + value[-4:]
        text = clean_phone_text(value)
        if not text:
            return ""
        try:
            number = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            return _mask_digits_fallback(text)
        if number.country_code == 86:
            national = phonenumbers.national_significant_number(number)
            if len(national) == 11 and national.startswith("1"):
                return national[:3] + "****" + national[-4:]
            area_length = phonenumbers.length_of_geographical_area_code(number)
            if area_length and len(national) > area_length:
                local = national[area_length:]
                shown = min(4, len(local) // 2)
                return f"0{national[:area_length]}-" + "*" * (len(local) - shown) + local[len(local) - shown :]
        return _mask_digits_fallback(text)
    except Exception:  # noqa: BLE001 - masking runs in lists and logs: never raise
        return ""


def mask_name(value) -> str:
    """Mask a name for display: "张*", "张**", "买**·*力", "J*** ****h".

    The first character is shown; the last one too when the name has four
    or more letters (for common 2–3 character Chinese names that would
    reveal too much). Middle dots, spaces, hyphens and apostrophes are kept.
    '' for empty input. Never raises.
    """
    try:
        name = normalize_person_name(value)[: NAME_MAX_LENGTH * 2]
        separators = {NAME_DOT, " "} | set(LATIN_NAME_PUNCTUATION)
        letters = [i for i, ch in enumerate(name) if ch not in separators]
        if len(letters) <= 1:
            return "*" * len(letters)
        shown = {letters[0]}
        if len(letters) >= 4:
            shown.add(letters[-1])
        return "".join(ch if i in shown or ch in separators else "*" for i, ch in enumerate(name))
    except Exception:  # noqa: BLE001 - masking runs in lists and logs: never raise
        return ""


def format_phone(value) -> str:
    """A stored (E.164) phone number as residents write it: "138 1234 5678", "0731 8456 7890".

    Returns the input unchanged when it is not a number phonenumbers can read. Never raises.
    """
    try:
        number = phonenumbers.parse(clean_phone_text(value), "CN")
        if number.country_code == 86:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except Exception:  # noqa: BLE001, S110 - display only: fall back to the stored text
        pass
    return to_text(value)


# --------------------------------------------------------------------------
# Keyed lookup hashes (exact search and duplicate checks without plaintext)
# --------------------------------------------------------------------------


def id_hash(value) -> str:
    """The keyed lookup hash of an ID number as stored in ``id_number_hash``."""
    return lookup_hash(normalize_id_number(value))


def phone_hash(value) -> str:
    """The keyed lookup hash of a phone number (E.164) as stored in ``phone_hash``."""
    try:
        return lookup_hash(normalize_phone(value))
    except ValidationError:
        return lookup_hash(str(value or "").strip())
