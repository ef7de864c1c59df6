"""Security events as structured log lines, and the request id that correlates them.

`log_security_event()` writes one line per event (login, lockout, scope
denial, reveal, export, purge, rate-limiter outage…) with the time, the user
id, what the installed apps add about the user, and the request id; never
personal data. It lives apart from portal/security.py (the middleware) so that
the rate limiter and the page cache can log and correlate without importing the
middleware, and the middleware can use the rate limiter's client identity.

The kernel knows no app: an app that wants its data in every line (the
registration app adds the user's division codes) registers a *log context
provider* in its `AppConfig.ready()`::

    register_log_context_provider(division_codes)   # division_codes(user) -> {"division": "430102001"}

A provider is called at most once per user object (the result is kept on the
user for the rest of the request), gets the user (or None), and returns a
mapping of field names to values. Its fields come after `user` and before
`request_id`, in registration order. A provider that fails costs its fields,
never the request (logging must never break what it describes).
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

logger = logging.getLogger("portal.security")

# Field names that must never reach a log line, whatever a caller passes.
_PERSONAL_FIELDS = frozenset(
    {"id_number", "phone", "name", "proxy_phone", "proxy_id_number", "proxy_name", "address", "password", "email"}
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Where the providers' fields are kept on a user object for the rest of the request.
_USER_CONTEXT_ATTRIBUTE = "_portal_log_context"

LogContextProvider = Callable[[object], Mapping[str, object]]
_providers: list[LogContextProvider] = []


def register_log_context_provider(provider: LogContextProvider) -> LogContextProvider:
    """Add `provider(user) -> {field: value}` to every security event (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_log_context_provider(provider: LogContextProvider) -> None:
    """Remove a provider registered earlier (tests; an app that is switched off)."""
    if provider in _providers:
        _providers.remove(provider)


def log_context_providers() -> tuple[LogContextProvider, ...]:
    """The registered providers, in the order their fields appear."""
    return tuple(_providers)


def clean(value) -> str:
    """A log-safe rendering: control characters (CR, LF…) escaped so no value can forge a line."""
    text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text[:200]


def _authenticated(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _user_context(user) -> dict[str, str]:
    """The providers' fields for `user`, computed once per user object."""
    cached = getattr(user, _USER_CONTEXT_ATTRIBUTE, None) if _authenticated(user) else None
    if cached is not None:
        return cached
    fields = {}
    for provider in _providers:
        try:
            provided = provider(user if _authenticated(user) else None) or {}
            fields.update({clean(key): clean(value) for key, value in provided.items()})
        except Exception:  # noqa: BLE001 - a provider's failure costs its fields, never the request
            logger.debug("security log context provider %r failed", provider, exc_info=True)
    if _authenticated(user):
        # A user object that takes no attributes (__slots__) is asked again next time.
        with contextlib.suppress(AttributeError):
            setattr(user, _USER_CONTEXT_ATTRIBUTE, fields)
    return fields


def request_id(request) -> str:
    """The id of this request (from a trusted X-Request-ID or generated), for correlating log lines."""
    if request is None:
        return ""
    rid = getattr(request, "request_id", None)
    if not rid:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
    return rid


def log_security_event(event: str, request=None, *, user=None, level=logging.INFO, **fields) -> dict:
    """Log one security event as a structured line and return its fields.

    The line is `security_event event=… time=… user=… <providers' fields> request_id=… key=value…`
    and the same fields go to handlers as `record.security_event` (JSON logging
    picks them up). Values are escaped; personal fields are dropped. Pass ids,
    counts and codes only: a reference number, never a name or an ID number.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    record = {
        "event": clean(event),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": str(user.pk) if _authenticated(user) else "",
    }
    for key, value in _user_context(user).items():
        record.setdefault(key, value)
    record["request_id"] = request_id(request)
    for key, value in sorted(fields.items()):
        if key in _PERSONAL_FIELDS or key in record:
            continue
        record[clean(key)] = clean(value)
    message = "security_event " + " ".join(f"{key}={value}" for key, value in record.items())
    logger.log(level, "%s", message, extra={"security_event": record})
    return record
