"""Push deliveries to a real local HTTP receiver that fails, times out and then succeeds.

The receiver (``http.server`` on 127.0.0.1 in a thread) answers each delivery by a script: 500, then a
reply slower than the timeout, then 200. Deliveries are signed (HMAC-SHA256 of timestamp and body with
the subscription's secret), keep one event id across attempts (the idempotency key), arrive in order per
submission, and go to the dead-letter state after the last attempt; a retry by hand sends it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from forms_intake.models import Delivery, OutboxEvent, Submission, Subscription
from forms_intake.services import deliveries, outbox

from .support import TOWN_B, make_client, register

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook endpoint answering by ``script`` (a list of "fail" / "slow" / "ok"; "ok" once it runs out)."""

    def __init__(self, script=()):
        self.script = list(script)
        self.received = []  # (headers, body) of every request, accepted or not
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                action = receiver.script.pop(0) if receiver.script else "ok"
                if action == "slow":
                    time.sleep(1.5)
                status = 500 if action == "fail" else 200
                try:
                    self.send_response(status)
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fast_retries(settings):
    settings.API_WEBHOOK_BACKOFF_SECONDS = 0
    settings.API_WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.API_WEBHOOK_MAX_ATTEMPTS = 4


def subscribe(url, **flags):
    client, _token = make_client(**flags)
    return Subscription.objects.create(client=client, url=url)


def run_worker(passes=10):
    for _ in range(passes):
        deliveries.deliver_due(timeout=0.5)


def test_fails_times_out_then_succeeds_signed_once_per_event_id(fast_retries):
    with Receiver(["fail", "slow"]) as receiver:
        subscription = subscribe(receiver.url)
        submission = register()
        register(TOWN_B)  # outside the client's divisions: no delivery
        run_worker()
        delivery = Delivery.objects.get()
        assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 3
        assert len(receiver.received) == 3
        event_ids = {headers["X-Portal-Event-Id"] for headers, _body in receiver.received}
        assert event_ids == {str(OutboxEvent.objects.get(submission=submission).event_id)}
        headers, body = receiver.received[-1]
        expected = hmac.new(subscription.secret.encode(), headers["X-Portal-Timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert headers["X-Portal-Signature"] == f"sha256={expected}"
        payload = json.loads(body)
        assert payload["event_type"] == "submission.created"
        assert payload["submission"]["reference"] == submission.reference
        stored = Submission.objects.get(pk=submission.pk)
        assert stored.id_number not in body.decode()  # this client may not see full ID numbers


def test_in_order_per_submission_and_dead_letter_then_retry_by_hand(fast_retries):
    with Receiver(["fail"] * 4) as receiver:
        subscribe(receiver.url)
        submission = register()
        Submission.objects.filter(pk=submission.pk).update(status="registered")
        outbox.record_change(submission, "register", from_status="awaiting_review", to_status="registered")
        run_worker()
        first, second = Delivery.objects.order_by("event_id")
        assert first.state == Delivery.State.DEAD and first.attempts == 4 and first.last_error == "HTTP 500"
        # The later event of the same submission waits behind the dead letter: never out of order.
        assert second.state == Delivery.State.PENDING and second.attempts == 0
        assert len(receiver.received) == 4

        deliveries.retry(first)
        run_worker()
        types = [json.loads(body)["event_type"] for _h, body in receiver.received[4:]]
        assert types == ["submission.created", "submission.registered"]
        assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DELIVERED}


def test_an_unreachable_receiver_is_a_failed_attempt_with_backoff(settings):
    settings.API_WEBHOOK_BACKOFF_SECONDS = 60
    subscribe("http://127.0.0.1:9/closed")
    register()
    run_worker(1)
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("URLError")
    run_worker(1)  # not due yet: no second attempt
    assert Delivery.objects.get().attempts == 1
    assert deliveries.backoff(1).total_seconds() == 60 and deliveries.backoff(3).total_seconds() == 240


def test_the_outbox_row_exists_only_if_the_change_commits():
    register()  # divisions and the first submission
    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        register()
        raise RuntimeError("the change fails after the outbox write")
    assert OutboxEvent.objects.count() == before
