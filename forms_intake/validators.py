"""Validation, normalisation and masking rules for Annex 2 (湖南省未参加社会保险人员登记表).

Plain functions with no database access, so forms, the API and imports can
share them. Validators raise ``django.core.exceptions.ValidationError`` with a
``code`` and ``params`` (tests and callers should rely on those, not on the
wording, which will be translated). ``validate_*`` functions can be used as
Django field validators (Django ignores return values); they also return the
normalised value for callers that want it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_37_36

from .choices import EmploymentStatus

__all__ = [
    "MIN_WORKING_AGE",
    "PRESCHOOL_MAX_AGE",
    "PROVINCE_CODES",
    "REFERENCE_ALPHABET",
    "REFERENCE_PREFIX",
    "STUDENT_MAX_AGE",
    "STUDENT_MIN_AGE",
    "ResidentId",
    "check_employment_status_for_age",
    "format_phone",
    "generate_reference_number",
    "is_valid_reference_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalize_employer_code",
    "normalize_id_number",
    "normalize_person_name",
    "normalize_phone",
    "normalize_reference_number",
    "parse_resident_id",
    "validate_employer_code",
    "validate_organization_code",
    "validate_person_name",
    "validate_phone",
    "validate_resident_id",
    "validate_unified_social_credit_code",
]

# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

# Dash look-alikes that Chinese IMEs and word processors produce.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TABLE = {ord(ch): "-" for ch in _DASHES}


def _to_text(value) -> str:
    """Return ``value`` as a str ('' for None) without ever raising."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break validation
        return ""


def _today() -> date:
    """Today's date in the site's time zone (falls back to the system date without settings)."""
    try:
        # With USE_TZ the server clock may be UTC; localdate() gives the
        # date in Hunan (TIME_ZONE), which is what a birth date is compared to.
        if settings.USE_TZ:
            return timezone.localdate()
    except ImproperlyConfigured:
        pass
    return date.today()


def _as_date(value: date) -> date:
    """Accept a datetime where a date is expected (datetime < date comparisons raise TypeError)."""
    return value.date() if isinstance(value, datetime) else value


def _compact_code(value) -> str:
    """Upper-case a code and drop whitespace and hyphens (full-width forms folded to ASCII)."""
    text = unicodedata.normalize("NFKC", _to_text(value)).translate(_DASH_TABLE)
    return re.sub(r"[\s\-]+", "", text).upper()


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
        on = _as_date(on)
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def normalize_id_number(value) -> str:
    """Return the ID number with all whitespace removed, full-width digits and X
    converted to ASCII and a lower-case x upper-cased. Never raises; does not validate."""
    text = _to_text(value).translate(_ID_TABLE)
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
    if birth_date > _as_date(today or _today()):
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

_NAME_DOT = "\u00b7"
# Middle-dot look-alikes that IMEs produce for names like 买买提·艾力.
# (NFKC already turns the half-width katakana dot U+FF65 into U+30FB.)
_NAME_DOT_TABLE = {0x2022: _NAME_DOT, 0x30FB: _NAME_DOT}
_NAME_MIN_LENGTH = 2
_NAME_MAX_LENGTH = 40
# Latin names (e.g. foreign permanent residents) may contain these between letters.
_LATIN_NAME_PUNCTUATION = "-'"

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
    text = unicodedata.normalize("NFKC", _to_text(value)).translate(_NAME_DOT_TABLE).strip()
    # Only ordinary spaces are tidied inside the name: other whitespace such
    # as tabs is a control character that validation must report.
    text = re.sub(" {2,}", " ", text)
    text = re.sub(f" ?{_NAME_DOT} ?", _NAME_DOT, text)
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
    if not _NAME_MIN_LENGTH <= len(name) <= _NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name must be between %(min)s and %(max)s characters long."),
            code="invalid_length",
            params={"min": _NAME_MIN_LENGTH, "max": _NAME_MAX_LENGTH, "length": len(name)},
        )
    if name.startswith(_NAME_DOT) or name.endswith(_NAME_DOT):
        raise ValidationError(
            _("A name cannot start or end with a middle dot (·)."),
            code="dot_at_end",
        )
    if _NAME_DOT * 2 in name:
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
    allowed_separators = {_NAME_DOT, " "} | (set(_LATIN_NAME_PUNCTUATION) if has_latin else set())
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


def _clean_phone_text(value) -> str:
    """NFKC (full-width digits, ＋ and brackets to ASCII), unify dashes, trim."""
    return unicodedata.normalize("NFKC", _to_text(value)).translate(_DASH_TABLE).strip()


def normalize_phone(value) -> str:
    """Validate a mainland China phone number and return it in E.164 form, e.g. "+8613812345678".

    Accepts mobiles (11 digits, 13x–19x) and landlines with their area code
    ("0731-84567890", "073184567890", "(0731)84567890"), optionally with +86
    or 0086, full-width digits and spaces. E.164 is the stored form because
    it is unambiguous; format for display with ``phonenumbers``. Raises
    ``ValidationError`` with code ``required``, ``invalid_characters``,
    ``not_mainland``, ``missing_area_code``, ``invalid`` or ``not_personal``.
    """
    text = _clean_phone_text(value)
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


# --------------------------------------------------------------------------
# Employer codes: 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714)
# --------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_PATTERN = re.compile(f"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")
_ORG_CODE_PATTERN = re.compile(r"[0-9A-Z]{8}[0-9X]")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_employer_code(value) -> str:
    """Return an employer code upper-cased, without spaces or hyphens (full-width folded). Never raises."""
    return _compact_code(value)


def validate_unified_social_credit_code(value) -> str:
    """Django validator for an 18-character unified social credit code; returns it normalised.

    Characters 1–2 (registering authority and entity type) may be letters —
    e.g. "N2…" for rural collective economic organisations — so only
    stdnum's check-digit function is used: ``stdnum.cn.uscc.validate``
    insists on eight leading digits.
    """
    code = normalize_employer_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("Enter an 18-character unified social credit code."),
            code="invalid_length",
            params={"length": len(code)},
        )
    if not _USCC_PATTERN.fullmatch(code):
        raise ValidationError(
            _(
                "A unified social credit code contains only digits and capital letters "
                "(not I, O, S, V or Z), and characters 3–8 are digits."
            ),
            code="invalid_characters",
        )
    try:
        expected = stdnum_uscc.calc_check_digit(code[:-1])
    except Exception:  # noqa: BLE001 - defensive: no library error may escape
        expected = None
    if code[-1] != expected:
        raise ValidationError(
            _(
                "This unified social credit code is not valid: the last character does not match the others. "
                "Please check the code for typing errors."
            ),
            code="invalid_checksum",
        )
    return code


def _organization_code_check_digit(body: str) -> str:
    """GB 11714 check character for the 8-character body (0–9, A–Z valued 0–35)."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_organization_code(value) -> str:
    """Django validator for a 9-character organization code (GB 11714), e.g. "D2143569-X".

    The hyphen is optional; returns the code without it ("D2143569X").
    python-stdnum has no module for this code, so the check is done here.
    """
    code = normalize_employer_code(value)
    if len(code) != 9:
        raise ValidationError(
            _("Enter a 9-character organization code, e.g. D2143569-X."),
            code="invalid_length",
            params={"length": len(code)},
        )
    if not _ORG_CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            _("An organization code has 8 digits or capital letters followed by a digit or X."),
            code="invalid_characters",
        )
    if code[-1] != _organization_code_check_digit(code[:8]):
        raise ValidationError(
            _(
                "This organization code is not valid: the last character does not match the others. "
                "Please check the code for typing errors."
            ),
            code="invalid_checksum",
        )
    return code


def validate_employer_code(value) -> str:
    """Django validator for an employer code: an 18-character unified social
    credit code or a 9-character organization code (chosen by length after
    removing spaces and hyphens). Returns the normalised code."""
    code = normalize_employer_code(value)
    if len(code) == 18:
        return validate_unified_social_credit_code(code)
    if len(code) == 9:
        return validate_organization_code(code)
    raise ValidationError(
        _("Enter the employer's 18-character unified social credit code or 9-character organization code."),
        code="invalid_length",
        params={"length": len(code)},
    )


# --------------------------------------------------------------------------
# Employment status against age
# --------------------------------------------------------------------------

#: 学龄前 only below this age: compulsory schooling starts at 6 and may be
#: deferred to 7 (义务教育法 第十一条).
PRESCHOOL_MAX_AGE = 7
#: 在校学生 from kindergarten age up to mature students in adult education.
STUDENT_MIN_AGE = 5
STUDENT_MAX_AGE = 60
#: Employers may not hire anyone under 16 (劳动法 第十五条), so the work
#: statuses, including 未就业 (not working), need at least this age.
MIN_WORKING_AGE = 16

_WORKING_STATUSES = frozenset(
    {
        EmploymentStatus.EMPLOYED_IN_PROVINCE,
        EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE,
        EmploymentStatus.UNEMPLOYED,
        EmploymentStatus.FREELANCER,
    }
)


def check_employment_status_for_age(status, age: int | None) -> None:
    """Raise ``ValidationError`` if the employment status does not fit the age.

    ``status`` is an ``EmploymentStatus`` or its value; ``age`` is in
    completed years (e.g. ``ResidentId.age_on(today)``). Nothing is checked
    when ``age`` is None. Error codes: ``invalid_status``,
    ``preschool_age``, ``student_age``, ``working_age``; params include
    ``status`` (the label), ``age`` and the limits.
    """
    try:
        status = EmploymentStatus(status)
    except ValueError:
        raise ValidationError(
            _("Select a valid employment status."),
            code="invalid_status",
            params={"value": status},
        ) from None
    if age is None:
        return
    params = {"status": status.label, "age": age}
    if status == EmploymentStatus.PRESCHOOL and age >= PRESCHOOL_MAX_AGE:
        raise ValidationError(
            _("“%(status)s” applies only to children under %(limit)s; the ID number shows an age of %(age)s."),
            code="preschool_age",
            params={**params, "limit": PRESCHOOL_MAX_AGE},
        )
    if status == EmploymentStatus.STUDENT and not STUDENT_MIN_AGE <= age <= STUDENT_MAX_AGE:
        raise ValidationError(
            _("“%(status)s” applies only to ages %(min)s to %(max)s; the ID number shows an age of %(age)s."),
            code="student_age",
            params={**params, "min": STUDENT_MIN_AGE, "max": STUDENT_MAX_AGE},
        )
    if status in _WORKING_STATUSES and age < MIN_WORKING_AGE:
        raise ValidationError(
            _(
                "“%(status)s” applies only to people aged %(limit)s or over (the minimum legal working age); "
                "the ID number shows an age of %(age)s."
            ),
            code="working_age",
            params={**params, "limit": MIN_WORKING_AGE},
        )


# --------------------------------------------------------------------------
# Reference numbers
# --------------------------------------------------------------------------

#: Digits and capitals without the look-alikes 0/O, 1/I/L and U (Crockford-
#: style). 30 symbols, and 31 is prime, so ISO 7064 hybrid MOD 31,30 catches
#: every single-character substitution and most adjacent swaps.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "HN"
# 10 random symbols = 30**10 ≈ 5.9e14 (~49 bits): unguessable, and a
# collision in a million submissions has odds of about 1 in 1,200.
_REFERENCE_RANDOM_LENGTH = 10
_REFERENCE_BODY_LENGTH = _REFERENCE_RANDOM_LENGTH + 1  # plus the check character


def _format_reference(body: str) -> str:
    """Format the 11-character body as HN-XXXX-XXXX-XXC (C = the check character)."""
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:8]}-{body[8:]}"


def _reference_body(value) -> str:
    """The body of a reference: NFKC, upper case, no spaces or hyphens, prefix removed if present."""
    compact = _compact_code(value)
    # The prefix letters are also in the alphabet, so strip it only when
    # the length shows it is there.
    if len(compact) == len(REFERENCE_PREFIX) + _REFERENCE_BODY_LENGTH and compact.startswith(REFERENCE_PREFIX):
        compact = compact[len(REFERENCE_PREFIX) :]
    return compact


def generate_reference_number() -> str:
    """A new random reference like "HN-7K3M-Q9PX-TW4": 10 symbols from
    ``REFERENCE_ALPHABET`` chosen with ``secrets`` plus an ISO 7064 MOD 31,30
    check character (stdnum's mod_37_36 with this alphabet). 16 characters.

    Uniqueness is overwhelmingly likely but not guaranteed: the database's
    unique constraint remains the final word (retry on IntegrityError).
    """
    random_part = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(_REFERENCE_RANDOM_LENGTH))
    check = mod_37_36.calc_check_digit(random_part, alphabet=REFERENCE_ALPHABET)
    return _format_reference(random_part + check)


def normalize_reference_number(value) -> str:
    """Return a reference as typed by a resident in canonical "HN-XXXX-XXXX-XXX" form.

    Spaces and hyphens are ignored, lower case is accepted, full-width
    characters are folded and the "HN" prefix is optional. Look-alikes
    (0, O, 1, I, L, U) are not mapped to anything: none of them is ever
    generated, so there is no single right guess and the check character
    rejects them. Input that does not have 11 body characters is returned
    cleaned but unformatted. Never raises; use ``is_valid_reference_number``.
    """
    body = _reference_body(value)
    if len(body) == _REFERENCE_BODY_LENGTH:
        return _format_reference(body)
    return body


def is_valid_reference_number(value) -> bool:
    """True if ``value`` is a well-formed reference whose check character matches.

    Lets typing errors be reported without a database query. Never raises.
    """
    try:
        body = _reference_body(value)
        return (
            len(body) == _REFERENCE_BODY_LENGTH
            and all(ch in REFERENCE_ALPHABET for ch in body)
            and mod_37_36.is_valid(body, alphabet=REFERENCE_ALPHABET)
        )
    except Exception:  # noqa: BLE001 - documented never to raise
        return False


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


def mask_phone(value) -> str:
    """Mask a phone number (E.164 or as typed) for display.

    Mobiles: "138****5678". Landlines: the area code and at most half of
    the local number, at most 4 digits: "0731-****7890". Other input: stars
    with the last 2 digits. '' for empty input. Never raises.
    """
    try:
        text = _clean_phone_text(value)
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
        name = normalize_person_name(value)[: _NAME_MAX_LENGTH * 2]
        separators = {_NAME_DOT, " "} | set(_LATIN_NAME_PUNCTUATION)
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
        number = phonenumbers.parse(_clean_phone_text(value), "CN")
        if number.country_code == 86:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except Exception:  # noqa: BLE001, S110 - display only: fall back to the stored text
        pass
    return _to_text(value)
