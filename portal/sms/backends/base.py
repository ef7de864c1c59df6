"""The interface every SMS backend implements."""

from __future__ import annotations


class BaseSmsBackend:
    def __init__(self, **options):
        self.options = options

    def send(self, message) -> None:  # pragma: no cover - the interface
        """Deliver `message` (portal.sms.SmsMessage) or raise portal.sms.SmsError."""
        raise NotImplementedError
