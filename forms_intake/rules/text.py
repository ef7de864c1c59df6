"""Text and date helpers shared by the Annex 2 rules: never raise, no database."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

# Dash look-alikes that Chinese IMEs and word processors produce.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
DASH_TABLE = {ord(ch): "-" for ch in DASHES}


def to_text(value) -> str:
    """Return ``value`` as a str ('' for None) without ever raising."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break validation
        return ""


def current_date() -> date:
    """Today's date in the site's time zone (falls back to the system date without settings)."""
    try:
        # With USE_TZ the server clock may be UTC; localdate() gives the
        # date in Hunan (TIME_ZONE), which is what a birth date is compared to.
        if settings.USE_TZ:
            return timezone.localdate()
    except ImproperlyConfigured:
        pass
    return date.today()


def as_date(value: date) -> date:
    """Accept a datetime where a date is expected (datetime < date comparisons raise TypeError)."""
    return value.date() if isinstance(value, datetime) else value


def compact_code(value) -> str:
    """Upper-case a code and drop whitespace and hyphens (full-width forms folded to ASCII)."""
    text = unicodedata.normalize("NFKC", to_text(value)).translate(DASH_TABLE)
    return re.sub(r"[\s\-]+", "", text).upper()


