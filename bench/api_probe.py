"""The API part of the suite (issue 13): the change feed, a result posting, and webhook delivery lag.

    python bench/api_probe.py [--lag-seconds S] [--lag-rate R]

Run by bench/run.py with the tree's production settings and database (``api`` part). In process,
through Django's test client, as bench/probe.py measures the back office:

1. **Feed**: a bench client that may see everything (the province, full personal data) pages through
   the whole change feed from ``after=0`` with ``limit=1000``: records per second, and the answers
   checked (200, every event exactly once, in order). Generated submissions have no outbox event (they
   are inserted in bulk), so each one without any gets its ``submission.created`` event first, once, in
   one INSERT … SELECT (not timed; later runs reuse them).
2. **Result posting**: enrolment results POSTed to registered submissions (a real change each: an
   audited event and an outbox row): p50 / p95 after a warm-up, each answer 200 with the record.
3. **Delivery lag**: a local HTTP receiver (a thread of this process) subscribed as the bench client's
   webhook, a real worker (``manage.py jobs_worker``, another process) and results posted at a steady
   rate for ``--lag-seconds``: lag from each event's creation (``OutboxEvent.created_at``) to its first
   receipt, p50 / p95; every event must arrive, with a valid signature. The subscription is switched
   off at the end, so that other parts of the suite write no deliveries.

Prints one JSON object on its last line.
"""

import argparse
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TREE = Path(os.environ.get("BENCH_TREE") or BENCH_DIR.parent)
sys.path.insert(0, str(TREE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

CLIENT_NAME = "bench-api (full data)"
FEED_PAGE = 1000
ENROLMENTS = ({"outcome": "enrolled", "insurance_type": "resident_pension", "enrolled_on": "2026-12-01"},
              {"outcome": "insured_elsewhere"})


def _emit(data):
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _model(name):
    return apps.get_model("forms_intake", name)


def percentile(values, share):
    """The ``share`` percentile (0–1) of ``values`` by the nearest rank; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def backfill_events():
    """One ``submission.created`` event for each submission without any (bulk-generated rows); how many."""
    event, submission = _model("OutboxEvent"), _model("Submission")
    with connection.cursor() as cursor:
        # Table names from the models; no value is interpolated (nosec: no user input).
        cursor.execute(
            f"INSERT INTO {event._meta.db_table} (event_id, submission_id, event_type, payload, created_at) "  # noqa: S608  # nosec B608
            f"SELECT gen_random_uuid(), s.id, 'submission.created', "
            f"jsonb_build_object('from_status', '', 'to_status', s.status), s.created_at "
            f"FROM {submission._meta.db_table} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {event._meta.db_table} e WHERE e.submission_id = s.id) ORDER BY s.id"
        )
        return cursor.rowcount


def bench_client():
    """(client, token): the bench's API client for the whole province, full data and results, a fresh token."""
    api_client_model, division = _model("ApiClient"), _model("Division")
    client = api_client_model.objects.filter(name=CLIENT_NAME).first() or api_client_model(name=CLIENT_NAME)
    client.can_read_feed = client.can_see_personal_data = client.can_report_results = True
    client.revoked, client.allowed_networks = False, ""
    client.rate_limit_per_minute = 1_000_000  # the bench measures the API, not its rate limit
    token = client.set_new_token()
    client.save()
    client.divisions.set(division.objects.filter(code="430000"))
    return client, token


def _api(token):
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/json")


def measure_feed(token):
    """Page through the whole feed; records/s and what was wrong with the answers."""
    expected = _model("OutboxEvent").objects.count()
    http = _api(token)
    after, records, pages, errors, disorder = 0, 0, 0, 0, 0
    started = time.perf_counter()
    while True:
        response = http.get("/api/v1/submissions/feed", {"after": after, "limit": FEED_PAGE}, secure=True)
        pages += 1
        if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
            errors += 1
            break
        page = response.json()
        seqs = [item["seq"] for item in page["items"]]
        disorder += sum(1 for a, b in zip([after, *seqs], seqs, strict=False) if b <= a)
        records += len(seqs)
        after = page["next_cursor"]
        if not page["has_more"]:
            break
    seconds = time.perf_counter() - started
    return {"records": records, "expected": expected, "pages": pages, "page_size": FEED_PAGE, "errors": errors,
            "out_of_order": disorder, "seconds": round(seconds, 2),
            "per_second": round(records / seconds) if seconds else None}


def _registered(count):
    submission = _model("Submission")
    return list(submission.objects.filter(status="registered").order_by("pk").values_list("reference", flat=True)
                [:count])


class _Poster:
    """Posts enrolment results, each the other outcome than the submission's current one (so always a change)."""

    def __init__(self, token, references):
        self.http = _api(token)
        current = dict(_model("EnrolmentResult").objects.filter(submission__reference__in=references)
                       .values_list("submission__reference", "outcome"))
        self.next = {ref: 1 if current.get(ref) == ENROLMENTS[0]["outcome"] else 0 for ref in references}

    def post(self, reference):
        """(milliseconds, answered 200 with the record)."""
        body = ENROLMENTS[self.next[reference]]
        started = time.perf_counter()
        response = self.http.post(f"/api/v1/submissions/{reference}/enrolment", body,
                                  content_type="application/json", secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        ok = response.status_code == 200 and response.json().get("reference") == reference
        if ok:
            self.next[reference] = 1 - self.next[reference]
        return elapsed, ok


def measure_results(token, count=40, warmup=5):
    """p50 / p95 of enrolment postings to distinct registered submissions (each a change)."""
    references = _registered(count + warmup)
    if len(references) < count + warmup:
        return {"missing": f"only {len(references)} registered submissions"}
    poster = _Poster(token, references)
    times, errors = [], 0
    for n, reference in enumerate(references):
        elapsed, ok = poster.post(reference)
        errors += not ok
        if n >= warmup:
            times.append(elapsed)
    return {"requests": len(times), "errors": errors, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1)}


class _Receiver(BaseHTTPRequestHandler):
    """The webhook receiver: the first receipt time of each event id; signatures checked."""

    secret = ""
    received: dict = {}
    duplicates = 0
    bad_signatures = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - http.server's name
        now = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        signed = self.headers.get("X-Portal-Timestamp", "").encode() + b"." + body
        wanted = "sha256=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        event_id = self.headers.get("X-Portal-Event-Id", "")
        with self.lock:
            if not hmac.compare_digest(wanted, self.headers.get("X-Portal-Signature", "")):
                type(self).bad_signatures += 1
            elif event_id in self.received:
                type(self).duplicates += 1
            else:
                self.received[event_id] = now
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def measure_lag(client, token, seconds, rate):
    """Results posted at ``rate``/s for ``seconds`` with a worker running; each event's delivery lag."""
    subscription_model, event_model = _model("Subscription"), _model("OutboxEvent")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    subscription_model.objects.filter(client=client).update(active=False)
    subscription = subscription_model.objects.create(client=client, url=f"http://127.0.0.1:{server.server_port}/hook")
    _Receiver.secret = subscription.secret
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(TREE / "manage.py"), "jobs_worker", "--no-reload"], cwd=TREE,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    result = {"rate_per_second": rate, "seconds": seconds}
    try:
        references = _registered(50)
        poster = _Poster(token, references)
        # Warm-up: one posting, delivered, before the clock starts (the worker takes seconds to start).
        warm = event_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        poster.post(references[0])
        ready = time.monotonic() + 60
        while time.monotonic() < ready and not set(map(str, _events_since(warm))) & set(_Receiver.received):
            time.sleep(0.1)
        result["worker_ready_seconds"] = round(time.monotonic() - ready + 60, 1)
        first = event_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started, n, errors = time.monotonic(), 0, 0
        while time.monotonic() - started < seconds:
            _elapsed, ok = poster.post(references[n % len(references)])
            errors += not ok
            n += 1
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        events = _events_since(first)  # the postings' events (nothing else writes meanwhile)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(set(map(str, events)) & set(_Receiver.received)) < len(events):
            time.sleep(0.2)
        lags = [(_Receiver.received[str(eid)] - created.timestamp()) * 1000
                for eid, created in events.items() if str(eid) in _Receiver.received]
        result.update(posted=n, post_errors=errors, events=len(events), delivered=len(lags),
                      duplicates=_Receiver.duplicates, bad_signatures=_Receiver.bad_signatures,
                      p50_ms=round(percentile(lags, 0.5), 1) if lags else None,
                      p95_ms=round(percentile(lags, 0.95), 1) if lags else None,
                      max_ms=round(max(lags), 1) if lags else None)
    finally:
        subscription_model.objects.filter(pk=subscription.pk).update(active=False)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.shutdown()
        if worker.returncode not in (0, -15) and not result.get("delivered"):
            result["worker_error"] = (worker.stderr.read() or "")[-300:]
    return result


def _events_since(first):
    return dict(_model("OutboxEvent").objects.filter(pk__gt=first).values_list("event_id", "created_at"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lag-seconds", type=float, default=10)
    parser.add_argument("--lag-rate", type=float, default=10, help="result postings per second during the lag test")
    args = parser.parse_args()
    t0 = time.perf_counter()
    backfilled = backfill_events()
    data = {"backfilled_events": backfilled, "backfill_seconds": round(time.perf_counter() - t0, 1),
            "submissions": _model("Submission").objects.count()}
    client, token = bench_client()
    data["feed"] = measure_feed(token)
    data["result"] = measure_results(token)
    data["lag"] = measure_lag(client, token, args.lag_seconds, args.lag_rate)
    _emit(data)


if __name__ == "__main__":
    main()
