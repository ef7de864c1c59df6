"""Validation and normalisation of Annex 2 identity answers: ID numbers (GB 11643), names, phone numbers.

Plain functions with no database access, so forms, the API and imports can
share them. Validators raise ``django.core.exceptions.ValidationError`` with a
``code`` and ``params`` (tests and callers rely on those, not on the
wording, which is translated). ``validate_*`` functions can be used as
Django field validators (Django ignores return values); they also return the
normalised value for callers that want it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric as stdnum_ric

from forms_intake.rules.text import DASH_TABLE, as_date, current_date, to_text

# --------------------------------------------------------------------------
# Resident ID numbers (公民身份号码, GB 11643-1999)
# --------------------------------------------------------------------------

#: Province-level codes (GB/T 2260) that can start an 18-digit ID number.
#: 83 is not in GB/T 2260 but starts the numbers on residence permits for
#: Taiwan residents (台湾居民居住证), which are valid for social insurance.
PROVINCE_CODES = frozenset(
    [str(c) for c in range(11, 16)]
    + [str(c) for c in range(21, 24)]
    + [str(c) for c in range(31, 38)]
    + [str(c) for c in range(41, 47)]
    + [str(c) for c in range(50, 55)]
    + [str(c) for c in range(61, 66)]
    + ["71", "81", "82", "83"]
)

# Nobody alive was born before this; earlier dates are typing errors.
_EARLIEST_BIRTH_YEAR = 1900

# Full-width digits and X (from Chinese IMEs) to ASCII; lower-case x to X.
_ID_TABLE = {0xFF10 + i: str(i) for i in range(10)}
_ID_TABLE.update({0xFF38: "X", 0xFF58: "X", ord("x"): "X"})

_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class ResidentId:
    """A parsed, validated 18-character resident ID number."""

    number: str
    region_code: str
    province_code: str
    birth_date: date
    sex: str  # "M" or "F"

    def age_on(self, on: date) -> int:
        """Age in completed years on ``on``.

        Someone born on 29 February turns a year older on 1 March in
        non-leap years. Negative if ``on`` is before the birth date.
        """
        on = as_date(on)
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def normalize_id_number(value) -> str:
    """Return the ID number with all whitespace removed, full-width digits and X
    converted to ASCII and a lower-case x upper-cased. Never raises; does not validate."""
    text = to_text(value).translate(_ID_TABLE)
    return "".join(text.split())


def parse_resident_id(value, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts.

    Checks, in order: length and characters, the GB 11643 check digit
    (ISO 7064 MOD 11-2), that digits 7–14 are a real date between 1900 and
    ``today`` (default: today in the site's time zone), and that the first two
    digits are a province-level code.

    The county code (digits 3–6) is deliberately not checked against a list
    of divisions: a number keeps the county code under which it was first
    issued, even after that county was merged or renamed.

    Raises ``ValidationError`` (and nothing else) with one of the codes
    ``obsolete_15_digit``, ``invalid_length``, ``invalid_characters``,
    ``invalid_checksum``, ``invalid_birth_date``, ``birth_date_too_early``,
    ``birth_date_in_future`` or ``invalid_province``.
    """
    number = normalize_id_number(value)

    if len(number) == 15 and number.isascii() and number.isdigit():
        # First-generation cards were withdrawn in 2013; say so rather than
        # just "wrong length".
        raise ValidationError(
            _(
                "15-digit numbers from first-generation ID cards are no longer accepted. "
                "Enter the 18-character number from your current ID card."
            ),
            code="obsolete_15_digit",
        )
    if len(number) != 18:
        raise ValidationError(
            _("Enter a valid 18-character resident ID number."),
            code="invalid_length",
            params={"length": len(number)},
        )
    if not _ID_PATTERN.fullmatch(number):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or the letter X."),
            code="invalid_characters",
        )

    # Only stdnum's check-digit function is used: stdnum.cn.ric.validate()
    # also looks the county up in its own table (rejecting merged counties,
    # and raising KeyError for unknown ones) and accepts future birth dates.
    try:
        expected = stdnum_ric.calc_check_digit(number)
    except Exception:  # noqa: BLE001 - defensive: no library error may escape
        expected = None
    if number[-1] != expected:
        raise ValidationError(
            _(
                "This resident ID number is not valid: the last character does not match the others. "
                "Please check the number for typing errors."
            ),
            code="invalid_checksum",
        )

    digits = number[6:14]
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            _("The date of birth in this ID number (%(digits)s) is not a real date. Please check the number."),
            code="invalid_birth_date",
            params={"digits": digits},
        ) from None
    if birth_date.year < _EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("The date of birth in this ID number (%(date)s) is before 1900. Please check the number."),
            code="birth_date_too_early",
            params={"date": birth_date.isoformat()},
        )
    if birth_date > as_date(today or current_date()):
        raise ValidationError(
            _("The date of birth in this ID number (%(date)s) is in the future. Please check the number."),
            code="birth_date_in_future",
            params={"date": birth_date.isoformat()},
        )

    province_code = number[:2]
    if province_code not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "The first two digits of this ID number (%(code)s) are not a valid province code. "
                "Please check the number."
            ),
            code="invalid_province",
            params={"code": province_code},
        )

    return ResidentId(
        number=number,
        region_code=number[:6],
        province_code=province_code,
        birth_date=birth_date,
        # GB 11643: the 17th digit (sequence code) is odd for men, even for women.
        sex="M" if int(number[16]) % 2 else "F",
    )


def validate_resident_id(value) -> str:
    """Django validator for an 18-character resident ID number; returns the normalised number.

    See ``parse_resident_id`` for the checks made.
    """
    return parse_resident_id(value).number


# --------------------------------------------------------------------------
# Person names
# --------------------------------------------------------------------------

NAME_DOT = "\u00b7"
# Middle-dot look-alikes that IMEs produce for names like 买买提·艾力.
# (NFKC already turns the half-width katakana dot U+FF65 into U+30FB.)
_NAME_DOT_TABLE = {0x2022: NAME_DOT, 0x30FB: NAME_DOT}
_NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 40
# Latin names (e.g. foreign permanent residents) may contain these between letters.
LATIN_NAME_PUNCTUATION = "-'"

# CJK Unified Ideographs, Extension A, and Extensions B–I (rare characters
# do occur in names). The compatibility supplement U+2F800–2FA1F is
# excluded: NFKC maps it to unified ideographs.
_IDEOGRAPH_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0x20000, 0x2F7FF),
    (0x30000, 0x323AF),
)


def _is_ideograph(ch: str) -> bool:
    """True for a CJK unified ideograph (any extension)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IDEOGRAPH_RANGES)


def _is_latin_letter(ch: str) -> bool:
    """True for a Latin letter, including accented ones (é, ü, ñ...)."""
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN ")


def normalize_person_name(value) -> str:
    """Return a name in canonical form. Never raises; does not validate.

    Applies NFKC (full-width Latin letters and spaces become ASCII), maps the
    middle-dot variants U+2022 and U+30FB to U+00B7, trims the ends,
    collapses runs of spaces, and removes spaces around a middle dot and
    between two Chinese characters ("张 三" → "张三").
    """
    text = unicodedata.normalize("NFKC", to_text(value)).translate(_NAME_DOT_TABLE).strip()
    # Only ordinary spaces are tidied inside the name: other whitespace such
    # as tabs is a control character that validation must report.
    text = re.sub(" {2,}", " ", text)
    text = re.sub(f" ?{NAME_DOT} ?", NAME_DOT, text)
    chars = list(text)
    kept = [
        ch
        for i, ch in enumerate(chars)
        if not (ch == " " and 0 < i < len(chars) - 1 and _is_ideograph(chars[i - 1]) and _is_ideograph(chars[i + 1]))
    ]
    return "".join(kept)


def validate_person_name(value) -> str:
    """Django validator for a person's name; returns the normalised name.

    Accepts Chinese characters (CJK unified ideographs, extensions included),
    with a middle dot between the parts of transliterated names such as
    买买提·艾力, or Latin letters with spaces (hyphens and apostrophes allowed
    between letters). 2–40 characters after normalisation; no digits, no
    control or invisible characters, no dot at either end or two in a row,
    no mixing of Chinese and Latin.
    """
    name = normalize_person_name(value)

    # Cn (unassigned) is allowed for ideographs only: new CJK extensions may
    # be newer than Python's Unicode database.
    if any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
        or (unicodedata.category(ch) == "Cn" and not _is_ideograph(ch))
        for ch in name
    ):
        raise ValidationError(
            _("A name cannot contain control characters or invisible characters."),
            code="control_characters",
        )
    if any(unicodedata.category(ch) == "Nd" for ch in name):
        raise ValidationError(_("A name cannot contain digits."), code="digits")
    if not _NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name must be between %(min)s and %(max)s characters long."),
            code="invalid_length",
            params={"min": _NAME_MIN_LENGTH, "max": NAME_MAX_LENGTH, "length": len(name)},
        )
    if name.startswith(NAME_DOT) or name.endswith(NAME_DOT):
        raise ValidationError(
            _("A name cannot start or end with a middle dot (·)."),
            code="dot_at_end",
        )
    if NAME_DOT * 2 in name:
        raise ValidationError(
            _("A name cannot contain two middle dots (··) in a row."),
            code="double_dot",
        )

    has_ideograph = any(_is_ideograph(ch) for ch in name)
    has_latin = any(_is_latin_letter(ch) for ch in name)
    if has_ideograph and has_latin:
        raise ValidationError(
            _("Write the name either in Chinese characters or in Latin letters, not both."),
            code="mixed_scripts",
        )
    allowed_separators = {NAME_DOT, " "} | (set(LATIN_NAME_PUNCTUATION) if has_latin else set())
    is_letter = _is_ideograph if has_ideograph else _is_latin_letter
    invalid = _(
        "A name may contain only Chinese characters, or Latin letters and spaces, "
        "with a middle dot (·) between the parts of a name."
    )
    if not all(is_letter(ch) or ch in allowed_separators for ch in name):
        raise ValidationError(invalid, code="invalid_characters")
    # Separators only between letters: "Jean--Luc", "O' Brien", "A·'B" are typing errors.
    if re.search(r"[·\-' ]{2,}", name) or name[0] in allowed_separators or name[-1] in allowed_separators:
        raise ValidationError(invalid, code="invalid_characters")
    return name


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------

_PHONE_ALLOWED = re.compile(r"\+?[0-9\s\-().]+")
# Personal contact numbers only; 400/800 and premium numbers are rejected.
_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def clean_phone_text(value) -> str:
    """NFKC (full-width digits, ＋ and brackets to ASCII), unify dashes, trim."""
    return unicodedata.normalize("NFKC", to_text(value)).translate(DASH_TABLE).strip()


def normalize_phone(value) -> str:
    """Validate a mainland China phone number and return it in E.164 form, e.g. "+8613812345678".

    Accepts mobiles (11 digits, 13x–19x) and landlines with their area code
    ("0731-84567890", "073184567890", "(0731)84567890"), optionally with +86
    or 0086, full-width digits and spaces. E.164 is the stored form because
    it is unambiguous; format for display with ``phonenumbers``. Raises
    ``ValidationError`` with code ``required``, ``invalid_characters``,
    ``not_mainland``, ``missing_area_code``, ``invalid`` or ``not_personal``.
    """
    text = clean_phone_text(value)
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    # phonenumbers turns letters into digits (vanity numbers) and reads
    # "ext." as an extension; neither belongs in a contact number here.
    if not _PHONE_ALLOWED.fullmatch(text):
        raise ValidationError(
            _("A phone number may contain only digits, spaces, hyphens, brackets and a leading +."),
            code="invalid_characters",
        )
    invalid = ValidationError(
        _("Enter a valid mobile number (11 digits) or a landline number with its area code, e.g. 0731-84567890."),
        code="invalid",
    )
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise invalid from None
    if number.country_code != 86:  # Hong Kong, Macao and Taiwan have their own country codes
        raise ValidationError(
            _("Enter a mainland China phone number (+86)."),
            code="not_mainland",
        )
    if not phonenumbers.is_valid_number(number):
        national = phonenumbers.national_significant_number(number)
        # 7–8 digits not starting with 0 or 1 look like a local landline number.
        if len(national) in {7, 8} and not national.startswith("1") and not text.startswith(("0", "+")):
            raise ValidationError(
                _("Include the area code with a landline number, e.g. 0731-84567890."),
                code="missing_area_code",
            )
        raise invalid
    if phonenumbers.number_type(number) not in _PHONE_TYPES:
        raise ValidationError(
            _(
                "Enter a personal mobile or landline number; "
                "service numbers such as 400 or 800 numbers are not accepted."
            ),
            code="not_personal",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value) -> str:
    """Django validator for a mainland China phone number; returns the E.164 form.

    See ``normalize_phone`` for what is accepted.
    """
    return normalize_phone(value)


