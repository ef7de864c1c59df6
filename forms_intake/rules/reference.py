"""Reference numbers of submissions (HN-XXXX-XXXX-XXC) with an ISO 7064 check character."""

from __future__ import annotations

import secrets

from stdnum.iso7064 import mod_37_36

from forms_intake.rules.text import compact_code

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
    compact = compact_code(value)
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


