"""Text messages (SMS), the way Django sends e-mail: one call, a backend chosen by settings.

    from portal import sms
    sms.send_sms("13812345678", "【湖南社保】您的验证码是 123456，10 分钟内有效。")

SMS_BACKEND names the backend class (the dotted path of a BaseSmsBackend subclass):
- portal.sms.backends.console.SmsBackend: prints each message (development; the number masked);
- portal.sms.backends.filebased.SmsBackend: appends JSON lines to SMS_FILE_PATH (local checks);
- portal.sms.backends.locmem.SmsBackend: keeps messages in portal.sms.outbox (tests);
- a provider adapter for production (docs/sms.md).

Messages are sent by background workers (forms_intake's tasks), never inside a request, except the
verification codes a resident is waiting for. The kernel knows nothing of registrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils.module_loading import import_string

#: The locmem backend's messages (tests read and empty it, like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class SmsError(Exception):
    """The provider refused or could not be reached; the caller decides whether to retry."""


@dataclass(frozen=True)
class SmsMessage:
    """One text message. Providers in mainland China send only approved templates: ``template`` names one
    (a key of settings.SMS_TEMPLATES, e.g. "verification_code") and ``params`` fills its variables; the
    development backends show ``body``, the full text."""

    to: str
    body: str
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    template: str = ""
    params: tuple = ()


def get_backend(backend: str | None = None, **options):
    """An instance of `backend` (a dotted path; settings.SMS_BACKEND by default) with its options."""
    backend_class = import_string(backend or settings.SMS_BACKEND)
    return backend_class(**options)


def send_sms(to: str, body: str, *, backend=None, template: str = "", params=()) -> SmsMessage:
    """Send one message; raises SmsError when the backend fails."""
    message = SmsMessage(to=to, body=body, template=template, params=tuple(str(p) for p in params))
    (backend or get_backend()).send(message)
    return message
