"""Prints messages for development. The number is masked: logs and terminals keep no phone numbers."""

from __future__ import annotations

import sys

from .base import BaseSmsBackend


def masked(number: str) -> str:
    return number[:3] + "*" * max(len(number) - 7, 0) + number[-4:] if len(number) > 7 else "*" * len(number)


class SmsBackend(BaseSmsBackend):
    def send(self, message) -> None:
        stream = self.options.get("stream") or sys.stdout
        stream.write(f"[SMS to {masked(message.to)}] {message.body}\n")
        stream.flush()
