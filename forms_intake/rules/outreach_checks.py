"""Per-cell checks of imported files, with fast paths for the common well-formed values.

An import checks millions of cells with the wizard's own rules (rules/validators.py). Those rules are
general (any form of phone number, any script of name) and so slow for the common case. Each check here
first tries a *fast path* that accepts only values the wizard's rule would certainly accept, and returns
exactly what that rule would return; anything else (an unusual form, a doubtful value, an error) goes to
the wizard's rule itself, which gives the reason code. The fast paths therefore never weaken a check:
tests/forms_intake/outreach/test_outreach_checks.py compares both on many values.

- ID numbers: 18 ASCII characters, a province code, the GB 11643 check digit (python-stdnum's
  ``calc_check_digit``, as the wizard) and a birth date from a cache of the dates seen (a file of 5
  million people has some 40,000 distinct dates).
- Names: Chinese characters of the basic block or Extension A, optionally parts joined by a middle dot,
  2–40 characters: the wizard's rule accepts them unchanged (NFKC leaves these characters alone).
- Mobile numbers: 11 ASCII digits matched against phonenumbers' own metadata for China (the pattern of
  the general description and of mobiles, and none of the special types the wizard rejects); the
  E.164 form is then "+86" and the digits. Landlines, +86 prefixes and anything else go to phonenumbers.

Pure: no database, no file access.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from phonenumbers.phonemetadata import PhoneMetadata
from stdnum.cn import ric as stdnum_ric

from forms_intake.rules.employer_codes import validate_employer_code
from forms_intake.rules.validators import (
    NAME_MAX_LENGTH,
    PROVINCE_CODES,
    ResidentId,
    normalize_phone,
    parse_resident_id,
    validate_person_name,
)

TEXT_MAX_LENGTH = 200
#: Division codes: county (6), township (9) or village / community (12) digits.
DIVISION_LENGTHS = (6, 9, 12)

_ID_DATE_CODES = {"invalid_birth_date", "birth_date_too_early", "birth_date_in_future"}
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH_YEAR = 1900  # as rules/validators.py


# ---- ID numbers ----


@lru_cache(maxsize=1 << 16)
def _birth_date(digits: str, today: date) -> date | None:
    """The date of YYYYMMDD ``digits`` if a birth date the wizard accepts on ``today``, else None."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return born if born.year >= _EARLIEST_BIRTH_YEAR and born <= today else None


def check_id_number(value: str, today: date):
    """(ResidentId or None, reason or None) for an ID number, with the wizard's rules."""
    if len(value) == 18 and value.isascii() and value[:2] in PROVINCE_CODES and _ID_PATTERN.fullmatch(value):
        born = _birth_date(value[6:14], today)
        if born is not None and stdnum_ric.calc_check_digit(value) == value[17]:
            return ResidentId(value, value[:6], value[:2], born, "M" if int(value[16]) % 2 else "F"), None
    try:
        return parse_resident_id(value, today=today), None
    except ValidationError as exc:
        if exc.code == "invalid_checksum":
            return None, "id_checksum"
        if exc.code in _ID_DATE_CODES:
            return None, "id_birth_date"
        return None, "id_format"


# ---- names ----

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_PLAIN_CHINESE_NAME = re.compile(f"[{_CJK}]+(?:\u00b7[{_CJK}]+)*")


def check_name(value: str, today=None):
    if 2 <= len(value) <= NAME_MAX_LENGTH and _PLAIN_CHINESE_NAME.fullmatch(value):
        return value, None
    try:
        return validate_person_name(value), None
    except ValidationError:
        return None, "name_invalid"


# ---- phone numbers ----


def _mobile_matcher():
    """A fullmatch for national numbers phonenumbers certainly reads as valid Chinese mobiles (or None)."""
    metadata = PhoneMetadata.metadata_for_region("CN")
    if metadata is None or metadata.mobile is None or metadata.general_desc is None:
        return None

    def matcher(desc):
        if desc is None or not desc.national_number_pattern:
            return None
        if desc.possible_length and 11 not in desc.possible_length:
            return None
        return re.compile(desc.national_number_pattern).fullmatch

    general, mobile = matcher(metadata.general_desc), matcher(metadata.mobile)
    if general is None or mobile is None:
        return None
    # The types phonenumbers tests before mobiles; the wizard rejects them all.
    special = [
        m
        for m in map(
            matcher,
            (
                metadata.premium_rate,
                metadata.toll_free,
                metadata.shared_cost,
                metadata.voip,
                metadata.personal_number,
                metadata.pager,
                metadata.uan,
                metadata.voicemail,
            ),
        )
        if m
    ]
    # A number phonenumbers might shorten (carrier selection prefixes) is left to phonenumbers.
    prefix = re.compile(metadata.national_prefix_for_parsing).match if metadata.national_prefix_for_parsing else None

    def is_plain_mobile(digits: str) -> bool:
        return bool(
            general(digits)
            and mobile(digits)
            and not (prefix and prefix(digits))
            and not any(m(digits) for m in special)
        )

    return is_plain_mobile


_is_plain_mobile = _mobile_matcher()


def check_phone(value: str, today=None):
    if _is_plain_mobile and len(value) == 11 and value.isascii() and value.isdigit() and _is_plain_mobile(value):
        return "+86" + value, None
    try:
        return normalize_phone(value), None
    except ValidationError:
        return None, "phone_invalid"


# ---- codes and text ----


def check_division(value: str, today=None):
    if value.isascii() and value.isdigit() and len(value) in DIVISION_LENGTHS and value[:2] in PROVINCE_CODES:
        return value, None
    return None, "division_invalid"


def check_employer_code(value: str, today=None):
    try:
        return validate_employer_code(value), None
    except ValidationError:
        return None, "employer_code_invalid"


def check_text(value: str, today=None):
    return (value, None) if len(value) <= TEXT_MAX_LENGTH else (None, "too_long")


def choice_check(table: dict[str, str], reason: str):
    """A check accepting a code or label of ``table`` (any case), returning the code."""
    lookup = {}
    for code, label in table.items():
        lookup.setdefault(code.casefold(), code)
        lookup.setdefault(label.casefold(), code)

    def check(value: str, today=None):
        code = lookup.get(value.casefold())
        return (code, None) if code else (None, reason)

    return check
