"""One-time codes by SMS for one purpose (phone verification, save and resume, online correction).

    from forms_intake.rules.verification import Purpose
    from forms_intake.services import verification

    sent = verification.issue(Purpose.CORRECTION, "+8613812345678", subject=submission.reference)
    if not sent:                      # sent.reason: Reason.TOO_MANY_SENDS, NOT_MOBILE or NOT_SENT
        ...
    result = verification.check(Purpose.CORRECTION, submission.reference, request.POST["code"])
    if result:                        # result.reason: Reason.OK, or why not (WRONG, EXPIRED, ...)
        ...

A new code replaces the subject's earlier ones (only the latest works); a correct code is used
up. Each code allows MAX_ATTEMPTS wrong tries; at most VERIFICATION_MAX_SENDS codes go to one phone
number, and to one subject, per hour. Codes, phones and subjects are stored as keyed hashes only
(settings.VERIFICATION_HASH_KEY, by default LOOKUP_HASH_KEY); nothing personal is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from forms_intake.models import VerificationCode
from forms_intake.rules import verification as rules
from forms_intake.rules.verification import Reason
from portal import sms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssueResult:
    sent: bool
    reason: str = Reason.OK
    expires_at: datetime | None = None
    #: Seconds until another code may be sent (when refused for too many sends).
    retry_after: int = 0

    def __bool__(self):
        return self.sent


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str
    attempts_left: int = 0
    #: The keyed hash of the subject whose code matched (find() by phone, e.g. for resume).
    subject_hash: str = ""

    def __bool__(self):
        return self.ok

    @property
    def message(self) -> str:
        return str(Reason(self.reason).label)


def _key() -> str:
    key = getattr(settings, "VERIFICATION_HASH_KEY", "") or settings.LOOKUP_HASH_KEY
    if not key:
        raise ImproperlyConfigured("VERIFICATION_HASH_KEY (or LOOKUP_HASH_KEY) is empty.")
    return key


def max_sends() -> int:
    return int(getattr(settings, "VERIFICATION_MAX_SENDS", rules.MAX_SENDS_PER_WINDOW))


def subject_hash(subject: str) -> str:
    return rules.subject_hash(_key(), subject)


def phone_hash(phone: str) -> str:
    return rules.phone_hash(_key(), phone)


def _retry_after(rows, now) -> int | None:
    """Seconds until the oldest of `rows` (sent in the window) leaves it, if they reach the limit."""
    sent = sorted(rows.values_list("created_at", flat=True))
    if len(sent) < max_sends():
        return None
    window = timedelta(seconds=rules.SEND_WINDOW_SECONDS)
    return max(1, int((sent[-max_sends()] + window - now).total_seconds()))


def issue(purpose: str, phone: str, subject: str, *, ttl_seconds: int | None = None) -> IssueResult:
    """Send a new code for `purpose` and `subject` to the mobile `phone` (E.164); the earlier ones stop working.

    `ttl_seconds`: how long the code works (CODE_TTL_SECONDS, ten minutes, unless the caller needs
    longer, e.g. the resume code of a saved registration, which still allows MAX_ATTEMPTS tries only).
    """
    return issue_for_subject_hash(purpose, phone, subject_hash(subject), ttl_seconds=ttl_seconds)


def issue_for_subject_hash(purpose: str, phone: str, digest: str, *, ttl_seconds: int | None = None) -> IssueResult:
    """issue() for a subject known only by its keyed hash (a saved registration's token)."""
    if not rules.is_mobile(phone):
        return IssueResult(False, Reason.NOT_MOBILE)
    now = timezone.now()
    phone_digest = phone_hash(phone)
    since = now - timedelta(seconds=rules.SEND_WINDOW_SECONDS)
    recent = VerificationCode.objects.filter(created_at__gt=since)
    for rows in (recent.filter(phone_hash=phone_digest), recent.filter(purpose=purpose, subject_hash=digest)):
        wait = _retry_after(rows, now)
        if wait is not None:
            return IssueResult(False, Reason.TOO_MANY_SENDS, retry_after=wait)
    code = rules.generate_code()
    ttl = ttl_seconds or rules.CODE_TTL_SECONDS
    expires_at = now + timedelta(seconds=ttl)
    with transaction.atomic():
        VerificationCode.objects.filter(purpose=purpose, subject_hash=digest, used_at__isnull=True).update(used_at=now)
        row = VerificationCode.objects.create(
            purpose=purpose,
            subject_hash=digest,
            phone_hash=phone_digest,
            code_hash=rules.code_hash(_key(), purpose, digest, code),
            expires_at=expires_at,
        )
    try:
        until = "" if ttl <= rules.CODE_TTL_SECONDS else f"{timezone.localtime(expires_at):%Y-%m-%d %H:%M}"
        sms.send_sms(phone, rules.message_text(purpose, code, ttl // 60, until))
    except sms.SmsError as error:
        # The code was never delivered: it must not count against the resident's resends.
        row.delete()
        logger.warning("Verification code not sent (%s): %s", purpose, type(error).__name__)
        return IssueResult(False, Reason.NOT_SENT)
    return IssueResult(True, Reason.OK, expires_at=expires_at)


def _try(row, code, now) -> CheckResult:
    """Compare `code` with the stored `row` (locked by the caller); counts a wrong try, uses up a right one."""
    state = rules.CodeState(expires_at=row.expires_at, attempts=row.attempts, used=row.used_at is not None)
    refused = rules.refusal(state, now)
    if refused:
        return CheckResult(False, refused)
    if rules.codes_match(row.code_hash, _key(), row.purpose, row.subject_hash, code):
        VerificationCode.objects.filter(pk=row.pk).update(used_at=now)
        return CheckResult(True, Reason.OK, subject_hash=row.subject_hash)
    VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    left = rules.MAX_ATTEMPTS - row.attempts - 1
    return CheckResult(False, Reason.WRONG if left > 0 else Reason.TOO_MANY_ATTEMPTS, attempts_left=max(0, left))


def check(purpose: str, subject: str, code) -> CheckResult:
    """Is `code` (as typed) the latest code of `purpose` and `subject`? A correct code is used up."""
    normalized = rules.normalize_code(code)
    if normalized is None:
        return CheckResult(False, Reason.MALFORMED)
    now = timezone.now()
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(purpose=purpose, subject_hash=subject_hash(subject))
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            return CheckResult(False, Reason.NO_CODE)
        return _try(row, normalized, now)


def find(purpose: str, phone: str, code) -> CheckResult:
    """The subject whose live code for `purpose` sent to `phone` is `code` (save and resume: no reference).

    A wrong code counts against every live code of that phone and purpose, so that several saved
    registrations give no more tries than one.
    """
    normalized = rules.normalize_code(code)
    if normalized is None:
        return CheckResult(False, Reason.MALFORMED)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            VerificationCode.objects.select_for_update()
            .filter(purpose=purpose, phone_hash=phone_hash(phone), used_at__isnull=True)
            .order_by("-created_at", "-pk")
        )
        if not rows:
            return CheckResult(False, Reason.NO_CODE)
        live = [r for r in rows if rules.refusal(rules.CodeState(r.expires_at, r.attempts, False), now) is None]
        if not live:
            # The most telling reason: the latest code's.
            return CheckResult(False, rules.refusal(rules.CodeState(rows[0].expires_at, rows[0].attempts, False), now))
        for row in live:
            if rules.codes_match(row.code_hash, _key(), row.purpose, row.subject_hash, normalized):
                return _try(row, normalized, now)
        VerificationCode.objects.filter(pk__in=[r.pk for r in live]).update(attempts=F("attempts") + 1)
        left = rules.MAX_ATTEMPTS - max(r.attempts for r in live) - 1
        return CheckResult(False, Reason.WRONG if left > 0 else Reason.TOO_MANY_ATTEMPTS, attempts_left=max(0, left))


def discard(purpose: str, subject: str) -> None:
    """Make every code of `purpose` and `subject` unusable (e.g. the number was changed)."""
    VerificationCode.objects.filter(purpose=purpose, subject_hash=subject_hash(subject), used_at__isnull=True).update(
        used_at=timezone.now()
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete codes that can no longer be used nor count against a send limit; returns how many."""
    now = now or timezone.now()
    window = timedelta(seconds=rules.SEND_WINDOW_SECONDS)
    deleted, _ = VerificationCode.objects.filter(expires_at__lt=now, created_at__lt=now - window).delete()
    return deleted
