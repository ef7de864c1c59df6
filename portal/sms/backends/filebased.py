"""Appends each message as a JSON line to settings.SMS_FILE_PATH (a local file readable only by its owner)."""

from __future__ import annotations

import json
import os

from django.conf import settings

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def send(self, message) -> None:
        path = self.options.get("path") or settings.SMS_FILE_PATH
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
            line = {"to": message.to, "body": message.body, "sent_at": message.sent_at.isoformat()}
            stream.write(json.dumps(line, ensure_ascii=False) + "\n")
