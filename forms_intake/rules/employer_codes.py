"""Employer codes: 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc

from forms_intake.rules.text import compact_code

# --------------------------------------------------------------------------
# Employer codes: 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714)
# --------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_PATTERN = re.compile(f"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")
_ORG_CODE_PATTERN = re.compile(r"[0-9A-Z]{8}[0-9X]")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_employer_code(value) -> str:
    """Return an employer code upper-cased, without spaces or hyphens (full-width folded). Never raises."""
    return compact_code(value)


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


