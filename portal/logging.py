"""JSON log lines for production (one object per line on stdout), without personal data.

Log collectors (journald, Docker, Kubernetes, Loki…) read stdout; one JSON
object per line keeps fields apart without parsing free text. Personal data
must never reach the logs (team rule 9): the code never logs it on purpose, and
as a second line of defence `JsonFormatter` masks anything that looks like a
resident ID number or a mainland mobile number in the message and traceback.
"""

import json
import logging
import re
from datetime import UTC, datetime

# 18-character resident ID numbers and 11-digit mobiles (optionally +86),
# not inside longer digit runs (hashes, reference numbers, timestamps).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86)?1[3-9][0-9]{9}(?![0-9])")

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD_ATTRS = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}
# `extra=` keys that may carry request details we do not want in logs.
_DROPPED_EXTRAS = {"request", "args", "scope"}


def scrub(text):
    """Mask ID and mobile numbers in free text: a log line must never carry them."""
    text = _ID_NUMBER.sub("[id-number]", text)
    return _MOBILE.sub("[phone]", text)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, extras, exception."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRS or key in _DROPPED_EXTRAS or key.startswith("_"):
                continue
            if isinstance(value, str):
                value = scrub(value)
            elif not isinstance(value, int | float | bool | type(None)):
                value = scrub(str(value))
            entry[key] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
