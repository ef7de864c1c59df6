"""Webhook deliveries of outbox events: signed, retried with backoff, in order per submission, dead-lettered.

The worker (``tasks.deliver_webhooks``) calls ``deliver_due()``. A delivery is due when it is pending, its
``next_attempt_at`` has come, and no earlier event of the same submission is still undelivered to the
same subscription (in order per submission: a later change never overtakes an earlier one; a dead
letter holds the submission's later events back until it is retried by hand). Each delivery is claimed
by a conditional UPDATE that pushes ``next_attempt_at`` past the request's timeout, so two workers never
send the same delivery at once.

The body is the event with the submission's record as it is at delivery time (``records.event_record``),
so a retried old event never carries stale data. Headers: ``X-Portal-Event-Id`` (the receiver's
idempotency key: the same for every attempt), ``X-Portal-Event-Type``, ``X-Portal-Timestamp`` and
``X-Portal-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` with the subscription's
secret. A 2xx answer is success; anything else (an error status, a timeout, a refused connection) is an
attempt that failed: the next one follows after ``BACKOFF_SECONDS * 2**(attempts-1)`` (at most
``BACKOFF_MAX_SECONDS``), and after ``MAX_ATTEMPTS`` the delivery is dead. Errors are recorded as the
status or the exception's class name, never the receiver's answer (it might echo personal data).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from forms_intake.models import Delivery
from forms_intake.services.records import event_record

logger = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 60 * 60
TIMEOUT_SECONDS = 10


def max_attempts():
    """Attempts before a delivery is dead (``API_WEBHOOK_MAX_ATTEMPTS``)."""
    return int(_setting("API_WEBHOOK_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: exponential, capped."""
    base = float(_setting("API_WEBHOOK_BACKOFF_SECONDS", BACKOFF_SECONDS))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Portal-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answer that redirects is a failure, not an invitation to post elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST ``body``; returns the HTTP status (an ``HTTPError``'s too). Network errors raise."""
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError("webhook URLs are http(s) only")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked above
    try:
        with _OPENER.open(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked above
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def due_deliveries(now=None, limit=100):
    """Pending deliveries due at ``now`` whose submission has no earlier undelivered event for that subscription."""
    now = now or timezone.now()
    earlier_open = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        submission_id_copy=OuterRef("submission_id_copy"),
        event_id__lt=OuterRef("event_id"),
    ).exclude(state=Delivery.State.DELIVERED)
    return (
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .exclude(Exists(earlier_open))
        .order_by("event_id")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(pk, now, timeout) -> bool:
    lease = now + timedelta(seconds=timeout + 30)
    return bool(
        Delivery.objects.filter(pk=pk, state=Delivery.State.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=lease
        )
    )


def attempt(delivery: Delivery, timeout=None) -> bool:
    """Send ``delivery`` once and record the outcome; True if the receiver accepted it."""
    timeout = timeout or float(_setting("API_WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS))
    subscription = delivery.subscription
    event = delivery.event
    body = json.dumps(
        event_record(event, full=subscription.client.can_see_personal_data), ensure_ascii=False, sort_keys=True
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "hunan-insurance-portal-webhooks/1",
        "X-Portal-Event-Id": str(event.event_id),
        "X-Portal-Event-Type": event.event_type,
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": signature(subscription.secret, timestamp, body),
    }
    try:
        status = send(subscription.url, body, headers, timeout)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except Exception as exc:  # noqa: BLE001 - any network failure is a failed attempt
        error = type(exc).__name__
        if isinstance(getattr(exc, "reason", None), Exception):
            error = f"{error}: {type(exc.reason).__name__}"
    delivery.attempts += 1
    now = timezone.now()
    if not error:
        delivery.state, delivery.delivered_at, delivery.last_error = Delivery.State.DELIVERED, now, ""
    elif delivery.attempts >= max_attempts():
        delivery.state, delivery.last_error = Delivery.State.DEAD, error[:200]
    else:
        delivery.next_attempt_at, delivery.last_error = now + backoff(delivery.attempts), error[:200]
    delivery.save(update_fields=["attempts", "state", "delivered_at", "last_error", "next_attempt_at"])
    logger.info(
        "Webhook delivery %s of event %s: attempt %s, %s",
        delivery.pk, event.pk, delivery.attempts, error or "delivered",
    )
    return not error


def deliver_due(now=None, limit=100, timeout=None) -> dict:
    """Deliver what is due now (one pass, in event order); returns counts and when the next attempt falls."""
    counts = {"delivered": 0, "failed": 0}
    for pk in list(due_deliveries(now, limit)):
        moment = timezone.now()
        if not _claim(pk, moment, timeout or TIMEOUT_SECONDS):
            continue
        delivery = Delivery.objects.select_related("event__submission", "subscription__client").get(pk=pk)
        delivery.next_attempt_at = moment
        counts["delivered" if attempt(delivery, timeout) else "failed"] += 1
    nxt = (
        Delivery.objects.filter(state=Delivery.State.PENDING).order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True).first()
    )
    counts["next_attempt_at"] = nxt
    return counts


def retry(delivery: Delivery) -> None:
    """Put a dead delivery back in the queue (the dead-letter list's retry button)."""
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.DEAD).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
