"""Keeps messages in portal.sms.outbox, for tests."""

from __future__ import annotations

from portal import sms

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def send(self, message) -> None:
        sms.outbox.append(message)
