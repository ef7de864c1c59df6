"""Text messages telling residents what staff did: 退回补正, 已登记, 不予登记, 已发卡 (issue 14; docs/sms.md).

``queue()`` is called by the transitions (services/transitions.py) inside the change's transaction: it writes
a ``Notification`` row and, after the commit, enqueues the task ``send_notifications`` (never sent inside the
request; a rolled-back change leaves no row and sends nothing). The worker sends every due notification:
the text is built then, from the registration and the timeline event of the change, to the registration's
联系电话; nothing personal is stored with the notification. A failure is tried again with backoff up to
``max_attempts()``; an error the provider calls permanent fails at once. Logs carry ids, kinds and error codes.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from forms_intake.models import Notification, SocialSecurityCard, StatusLookupPage
from forms_intake.rules.personal_data import mask_id_number
from forms_intake.rules.states import RejectionReason
from forms_intake.rules.states import SubmissionStatus as S
from portal import sms

logger = logging.getLogger(__name__)

#: The transition (audit action) that sends each kind of notification.
KINDS = {
    "return": Notification.Kind.RETURNED,
    "register": Notification.Kind.REGISTERED,
    "reject": Notification.Kind.REJECTED,
    "issue_card": Notification.Kind.CARD_ISSUED,
}
#: The language of every message (residents are told in Chinese, whatever the screen's language was).
LANGUAGE = "zh-hans"
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 60 * 60
#: While one worker sends a notification, others leave it alone for this long.
LEASE_SECONDS = 120
#: The staff's message is cut to this many characters in the SMS (the status lookup shows all of it).
MESSAGE_CHARS = 60
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])[1-9][0-9]{14}(?![0-9])")


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff(attempts: int) -> timedelta:
    base = float(getattr(settings, "NOTIFICATION_RETRY_SECONDS", RETRY_SECONDS))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


# ---- queueing (inside the change's transaction) ----


def queue(submission, action, event=None):
    """Record the notification of ``action`` on ``submission`` (None if the action tells the resident nothing).

    Call it inside the change's ``transaction.atomic()``; the send is enqueued after the commit.
    """
    kind = KINDS.get(action)
    if kind is None:
        return None
    notification = Notification.objects.create(submission_id=submission.pk, event=event, kind=kind)
    transaction.on_commit(kick)
    return notification


def kick():
    """Ask a worker to send what is due (the rows wait in the table if the queue is unreachable)."""
    try:
        send_notifications.enqueue()
    except Exception:  # noqa: BLE001 - the next kick, retry or `manage.py send_notifications` sends them
        logger.exception("Could not enqueue notifications")


# ---- the text ----


def status_lookup_url() -> str:
    """The public status lookup's address (the Chinese page), absolute."""
    pages = StatusLookupPage.objects.live()
    page = pages.filter(locale__language_code=settings.LANGUAGE_CODE).first() or pages.first()
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    if page is None:
        return base
    url = page.get_url() or "/"
    return url if url.startswith(("http://", "https://")) else urljoin(base.rstrip("/") + "/", url.lstrip("/"))


def _no_id_numbers(text: str) -> str:
    """Staff text as it goes into an SMS: any ID number in it masked, on one line, cut short."""
    text = " ".join(_ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text or "").split())
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def _rejection_reason(submission, event) -> str:
    reason = submission.rejection_reason
    label = str(RejectionReason(reason).label) if reason in RejectionReason.values else ""
    note = submission.resident_message
    if reason == RejectionReason.OTHER and note:
        return _no_id_numbers(note)
    return f"{label}（{_no_id_numbers(note)}）" if note else label


def _collection_point(submission) -> str:
    card = SocialSecurityCard.objects.filter(submission_id=submission.pk).only("collection_point").first()
    if card and card.collection_point:
        return _no_id_numbers(card.collection_point)
    return _("您登记所在乡镇（街道）的社保服务窗口")


def message_for(notification) -> tuple[str, str, tuple]:
    """(text, template key, template variables) of ``notification``, built from the registration now."""
    submission = notification.submission
    event = notification.event
    reference = submission.reference
    with translation.override(LANGUAGE):
        if notification.kind == Notification.Kind.RETURNED:
            staff = _no_id_numbers(event.note if event is not None else submission.resident_message)
            url = status_lookup_url()
            params = (reference, staff, url)
            text = _("您的参保登记（编号%(reference)s）需要补正：%(message)s。请凭编号和身份证号在%(url)s查询并补正。")
            text %= {"reference": reference, "message": staff, "url": url}
        elif notification.kind == Notification.Kind.REGISTERED:
            params = (reference,)
            text = _("您的参保登记（编号%(reference)s）已登记。") % {"reference": reference}
        elif notification.kind == Notification.Kind.REJECTED:
            reason, url = _rejection_reason(submission, event), status_lookup_url()
            params = (reference, reason, url)
            text = _("您的参保登记（编号%(reference)s）不予登记，原因：%(reason)s。详情请在%(url)s查询。") % {
                "reference": reference, "reason": reason, "url": url}
        else:
            place = _collection_point(submission)
            params = (reference, place)
            text = _("您的社会保障卡已制发（登记编号%(reference)s），请携带身份证到%(place)s领取。") % {
                "reference": reference, "place": place}
    return text, str(notification.kind), params


# ---- sending (the worker) ----


def _claim(pk, now) -> bool:
    """Take a due notification for this worker: a conditional UPDATE pushes its next attempt past a lease."""
    return bool(
        Notification.objects.filter(pk=pk, status=Notification.Status.PENDING, next_attempt_at__lte=now)
        .update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
    )


def attempt(notification) -> bool:
    """Send ``notification`` once and record the outcome; True if the provider accepted it, None if cancelled."""
    submission = notification.submission
    error, permanent = "", False
    if notification.kind == Notification.Kind.RETURNED and submission.status != S.RETURNED:
        # Corrected and resubmitted before the message went out: asking for a correction now would mislead.
        Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.CANCELLED)
        logger.info("Notification %s (%s): cancelled, no longer returned", notification.pk, notification.kind)
        return None
    if not submission.phone:
        error, permanent = "NoPhoneNumber", True
    else:
        try:
            text, template, params = message_for(notification)
            sms.send_sms(submission.phone, text, template=template, params=params)
        except sms.SmsError as exc:
            error = str(getattr(exc, "code", "") or type(exc).__name__)
            permanent = getattr(exc, "retryable", True) is False
    notification.attempts += 1
    now = timezone.now()
    if not error:
        notification.status, notification.sent_at, notification.last_error = Notification.Status.SENT, now, ""
    elif permanent or notification.attempts >= max_attempts():
        notification.status, notification.last_error = Notification.Status.FAILED, error[:100]
    else:
        notification.next_attempt_at, notification.last_error = now + backoff(notification.attempts), error[:100]
    notification.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    logger.info("Notification %s (%s): attempt %s, %s", notification.pk, notification.kind,
                notification.attempts, error or "sent")
    return not error


def send_due(now=None, limit=100) -> dict:
    """Send the notifications due now (one pass); returns counts and when the next retry falls."""
    counts = {"sent": 0, "failed": 0}
    now = now or timezone.now()
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    for pk in list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]):
        if not _claim(pk, now):
            continue
        notification = Notification.objects.select_related("submission", "event").get(pk=pk)
        outcome = attempt(notification)
        key = "sent" if outcome else ("failed" if outcome is False else "cancelled")
        counts[key] = counts.get(key, 0) + 1
    counts["next_attempt_at"] = (
        Notification.objects.filter(status=Notification.Status.PENDING).order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True).first()
    )
    return counts


@task()
def send_notifications():
    """Task: send the due notifications; enqueue itself again for the next retry, if any."""
    counts = send_due()
    nxt = counts.pop("next_attempt_at")
    if nxt is not None and nxt > timezone.now() and send_notifications.get_backend().supports_defer:
        send_notifications.using(run_after=nxt).enqueue()
    return counts


def for_staff(submission):
    """The registration's notifications for its detail page: kind, status, attempts, times, masked number."""
    rows = Notification.objects.filter(submission_id=submission.pk).order_by("created_at", "id")
    return [{"notification": n, "phone": submission.phone_masked} for n in rows]
