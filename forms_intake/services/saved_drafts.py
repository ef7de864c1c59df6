"""Registrations saved to come back to later ("save and resume"): stored encrypted, found by phone and code.

    token, expires_at = saved_drafts.save({"step": "address", "steps": {...}}, phone)
    answers = saved_drafts.take(subject_hash)   # once the resume code matched: the answers, then deleted

The answers (the wizard's step data, which holds ID and phone numbers) are one Fernet token
(EncryptedTextField); the row knows the phone only as a keyed hash and the resume code is sent by
forms_intake/services/verification.py with the random token as its subject. Saved registrations
live SAVED_DRAFT_DAYS (7 by default) and are deleted by the retention run when they expire.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forms_intake.models import SavedDraft
from forms_intake.services import verification

DEFAULT_DAYS = 7
#: Saved registrations per phone number: the oldest go beyond this (a family, not a script).
MAX_PER_PHONE = 6


def days() -> int:
    return int(getattr(settings, "SAVED_DRAFT_DAYS", DEFAULT_DAYS))


def save(answers: dict, phone: str) -> tuple[str, datetime]:
    """Store `answers` for `phone` (E.164); returns the token (the resume code's subject) and the expiry."""
    token = secrets.token_urlsafe(24)
    expires_at = timezone.now() + timedelta(days=days())
    phone_digest = verification.phone_hash(phone)
    with transaction.atomic():
        SavedDraft.objects.create(
            token_hash=verification.subject_hash(token),
            phone_hash=phone_digest,
            answers=json.dumps(answers),
            expires_at=expires_at,
        )
        older = SavedDraft.objects.filter(phone_hash=phone_digest).order_by("-created_at", "-pk")[MAX_PER_PHONE:]
        SavedDraft.objects.filter(pk__in=[row.pk for row in older]).delete()
    return token, expires_at


def discard(token: str) -> None:
    SavedDraft.objects.filter(token_hash=verification.subject_hash(token)).delete()


def take(subject_hash: str) -> dict | None:
    """The answers saved under the token whose keyed hash is `subject_hash`, deleted as they are read; None if gone."""
    with transaction.atomic():
        row = (
            SavedDraft.objects.select_for_update()
            .filter(token_hash=subject_hash, expires_at__gt=timezone.now())
            .first()
        )
        if row is None:
            return None
        answers = json.loads(row.answers)
        row.delete()
    return answers


def purge_expired(now: datetime | None = None) -> int:
    """Delete saved registrations past their expiry; returns how many."""
    return SavedDraft.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
