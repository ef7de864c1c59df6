"""Fault drill on the local cluster (`make cluster`): residents keep registering while things break.

    .venv/bin/python bench/faults.py [--seconds 20] [--residents 4]

Loopback only, bounded: each phase lasts `--seconds`, with `--residents` simulated
residents (bench/loadgen.py's browser) registering at a steady pace through
HAProxy. One fault per phase: SIGKILL an app server (restarted as a process
manager would), restart Redis, SIGKILL a worker in the middle of an export job,
stop the replica (and start it again), restart PgBouncer, roll every app server
(drain, graceful restart, re-enable, one by one). A resident who gets HAProxy's
friendly retry page or a refused connection waits a second and repeats the same
step, as a person would; any other 5xx is counted. At the end: every receipt's
reference must be in the database exactly once and every row of the drill must
have had a receipt. The table goes to bench/results/faults-<timestamp>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

import loadgen  # noqa: E402
from loadgen import _CSRF, REQUEST_TIMEOUT, Unexpected, _answers, _Browser, _percentile, _sent_code  # noqa: E402
from verdicts import receipt_reference, step_of  # noqa: E402

from portal.cluster import services  # noqa: E402
from portal.cluster.stack import PORTS, Cluster, psql  # noqa: E402

PREFIX = "/register/"
FRIENDLY = b"data-friendly-retry"
RETRIES = 15


class Resident(_Browser):
    """A resident who repeats a step after a friendly retry page or a refused connection.

    Each resident counts the statuses of its own requests (merged into the drill's at the end):
    the status of the request that just failed is read from that counter, which no other resident
    touches, so a 502 of one resident is never taken for another's.
    """

    def __init__(self, drill, host, port):
        super().__init__(host, port, [], Counter())
        self.drill = drill
        self.prefix = PREFIX
        self.last_status = 0

    async def patient(self, method, path, data=None, expect=200):
        for _attempt in range(RETRIES):
            started = time.perf_counter()
            try:
                headers, body = await self.request(method, path, data, expect=expect)
                self.drill.timed(started)
                return headers, body
            except Unexpected:
                self.drill.timed(started)
                # HAProxy answers 502/503/504 with its friendly retry page only (errorfile); the app's own
                # 5xx are errors.
                if self.last_status in (502, 503, 504):
                    self.drill.count("friendly retry pages")
                elif self.last_status >= 500:
                    self.drill.count("other 5xx")
                    raise
                else:
                    raise
            except (OSError, TimeoutError, ConnectionError):
                self.drill.count("connection errors")
            await asyncio.sleep(1)
        raise Unexpected(f"{method} gave up after {RETRIES} attempts")

    async def request(self, method, path, data=None, expect=200):
        self.last_status = 0
        before = Counter(self.statuses)
        try:
            return await super().request(method, path, data, expect=expect)
        except Unexpected:
            changed = [status for status in self.statuses if self.statuses[status] != before[status]]
            self.last_status = changed[0] if changed else 0
            raise

    async def register(self, rng):
        self.cookies = {}
        self.address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        answers = _answers(rng)
        phone = dict(answers)["identity"]["phone"]
        path = f"{PREFIX}step/filer/"
        _headers, body = await self.patient("GET", path)
        for step, data in answers:
            if step_of(body) != step:
                raise Unexpected(f"showed step {step_of(body)!r}, expected {step!r}")
            payload = {"registration-current_step": step, **{f"{step}-{k}": v for k, v in data.items()},
                       "csrfmiddlewaretoken": csrf(body)}
            headers, _body = await self.patient("POST", f"{PREFIX}step/{step}/", payload, expect=302)
            path = local(headers)
            if urlsplit(path).path == f"{PREFIX}step/confirm-phone/":
                path = await self.confirm_phone(path, phone)
            _headers, body = await self.patient("GET", path)
        reference = receipt_reference(body)
        if reference is None:
            raise Unexpected("no reference number on the receipt")
        return reference


    async def confirm_phone(self, path, phone):
        """Phone verification: type the code the site texted (from its SMS file); where the page leads.

        A code whose request was cut (a 502 after the server checked it) is spent: the page comes back
        with an error, and the resident asks for a new code once, as a person would.
        """
        _headers, body = await self.patient("GET", path)
        for attempt in range(2):
            if attempt:
                self.drill.count("new SMS code asked")
                resend = {"action": "resend", "csrfmiddlewaretoken": csrf(body)}
                _headers, body = await self.patient("POST", path, resend)
            code = {"action": "check", "code": await _sent_code(phone), "csrfmiddlewaretoken": csrf(body)}
            try:
                headers, _body = await self.patient("POST", path, code, expect=302)
                return local(headers)
            except Unexpected:
                if attempt or self.last_status != 200:
                    raise
        raise AssertionError("unreachable")


def csrf(body):
    token = _CSRF.search(body)
    return token.group(1).decode() if token else ""


def local(headers):
    """The path (and query) of a redirect, relative or absolute, as a browser follows it."""
    location = urlsplit(headers.get("location", [""])[-1])
    return location.path + (f"?{location.query}" if location.query else "")


class Drill:
    def __init__(self, cluster, residents, seconds):
        self.cluster, self.residents, self.seconds = cluster, residents, seconds
        self.phase = "baseline"
        self.latencies: dict[str, list[float]] = {}
        self.counts: dict[str, Counter] = {}
        self.references: list[str] = []
        self.running = True
        self.people: list[Resident] = []

    def count(self, what, n=1):
        self.counts.setdefault(self.phase, Counter())[what] += n

    def timed(self, started):
        self.latencies.setdefault(self.phase, []).append((time.perf_counter() - started) * 1000)

    async def resident(self, index):
        rng = random.Random(index * 7919 + int(time.time()))
        person = Resident(self, "127.0.0.1", PORTS.haproxy)
        self.people.append(person)
        while self.running:
            self.count("started")
            try:
                self.references.append(await person.register(rng))
                self.count("completed")
            except Unexpected as error:
                self.count(f"failed: {str(error)[:60]}")
            await asyncio.sleep(0.2)  # a steady pace, not a flood

    async def faults(self):
        plan = [("baseline", None), ("app server SIGKILL", self.kill_app), ("Redis restart", self.restart_redis),
                ("worker SIGKILL mid-job", self.kill_worker), ("replica stopped", self.stop_replica),
                ("PgBouncer restart", self.restart_pgbouncer), ("rolling release", self.roll)]
        for name, action in plan:
            self.phase = name
            started = time.monotonic()
            if action:
                note = await asyncio.to_thread(action)
                if note:
                    self.count(note)
            await asyncio.sleep(max(0.0, self.seconds - (time.monotonic() - started)))
        self.running = False

    # --- the faults (run in a thread: they block) ---
    def kill_app(self):
        services.kill_app(self.cluster, 1)
        time.sleep(5)  # the process manager notices and starts it again
        services.start_app(self.cluster, 1)

    def restart_redis(self):
        services.stop_redis(self.cluster)
        services.start_redis(self.cluster)

    def kill_worker(self):
        job = self.job = start_export_job(self.cluster)
        # Mid-job: running, with some rows written (a worker may take a while to pick it up on a busy machine).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (job_state(job)[0] == "running" and job_done(job) > 0):
            time.sleep(0.05)
        self.job_killed_in, first_attempt = job_state(job)
        busy = busiest_worker(self.cluster)
        self._kill_and_restart_worker(busy)
        # Which worker runs the job is a guess from CPU time (the other one may be busy with the residents'
        # notifications). If the job still advances on the same attempt, the guess was wrong: the job's own
        # worker is the other one, and it gets the SIGKILL too.
        done_after_kill = job_done(job)
        time.sleep(1.5)
        state, attempt = job_state(job)
        if state == "running" and attempt == first_attempt and job_done(job) > done_after_kill:
            for index in range(self.cluster.workers):
                if index != busy:
                    self._kill_and_restart_worker(index)
        return f"export job killed in state {self.job_killed_in} ({job_done(job)} rows written)"

    def _kill_and_restart_worker(self, index):
        services.stop_pid(self.cluster.pid_file(services.worker_name(index)), sig=9, grace=1)
        services.start_worker(self.cluster, index)

    def stop_replica(self):
        services.stop_replica(self.cluster)
        time.sleep(max(1.0, self.seconds / 2))
        services.start_replica(self.cluster)

    def restart_pgbouncer(self):
        services.stop_pgbouncer(self.cluster)
        services.start_pgbouncer(self.cluster)

    def roll(self):
        for index in range(self.cluster.apps):
            services.roll_app(self.cluster, index)

    async def run(self):
        await asyncio.gather(self.faults(), *[self.resident(i) for i in range(self.residents)])


def manage_shell(cluster, code):
    out = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(BENCH.parent / "manage.py"), "shell", "-c", code],
        env=cluster.env(), capture_output=True, text=True, check=True, timeout=REQUEST_TIMEOUT * 2,
    )
    return out.stdout.strip().splitlines()[-1]


def start_export_job(cluster):
    """An export of every registration, as a provincial administrator would start it; its Job id."""
    return manage_shell(cluster, (
        "from django.contrib.auth import get_user_model as g; "
        "u=g().objects.filter(username='drill').first() or g().objects.create_superuser('drill','d@example.com',None); "
        "from forms_intake.backoffice.jobs import export_registrations, EXPORT_KIND; from portal.jobs import runner; "
        "import uuid; j,_=runner.start(export_registrations,user=u,kind=EXPORT_KIND,params={'view':"
        "'forms_intake_submission:index','query':'drill='+uuid.uuid4().hex,'format':'csv','language':'zh-hans'}); "
        "print(j.pk)"))


def top_up(cluster, rows):
    """Synthetic submissions (generate_submissions) up to `rows`: an export of a few rows ends before any kill."""
    have = int(psql(PORTS.primary, "SELECT count(*) FROM forms_intake_submission"))
    if have < rows:
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(BENCH.parent / "manage.py"), "generate_submissions", str(rows - have),
             "--allow-production", "--workers", "1", "--seed", str(time.time_ns() % 2**31)],
            env=cluster.direct_env(), check=True, stdout=subprocess.DEVNULL, timeout=600,
        )


def job_state(job_id):
    row = psql(PORTS.primary, f"SELECT state, attempt FROM portal_jobs_job WHERE id = '{job_id}'")  # noqa: S608
    state, _, attempt = row.partition("|")
    return state, int(attempt or 0)


def job_done(job_id):
    return int(psql(PORTS.primary, f"SELECT done FROM portal_jobs_job WHERE id = '{job_id}'") or 0)  # noqa: S608


def busiest_worker(cluster):
    """The worker that is running the job: the one whose CPU time grows."""
    def cpu(index):
        pid = services.read_pid(cluster.pid_file(services.worker_name(index)))
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            return 0
    before = [cpu(i) for i in range(cluster.workers)]
    time.sleep(0.3)
    return max(range(cluster.workers), key=lambda i: cpu(i) - before[i])


def report(drill, started_at, seconds_total):
    rows = psql(PORTS.primary, "SELECT reference FROM forms_intake_submission "  # noqa: S608
                f"WHERE created_at >= to_timestamp({started_at})").split()
    receipts = Counter(drill.references)
    in_db = Counter(rows)
    lost = [ref for ref in receipts if in_db[ref] == 0]
    duplicated = [ref for ref, n in receipts.items() if n > 1 or in_db[ref] > 1]
    without_receipt = [ref for ref in in_db if ref not in receipts]
    job = getattr(drill, "job", None)
    if job:
        # Stall detection (JOBS_STALL_SECONDS), the sweep, then the whole export again.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and job_state(job)[0] not in ("done", "failed"):
            time.sleep(1)
    total = Counter()
    lines = ["| phase | started | completed | gave up | friendly retry pages | connection errors | other 5xx "
             "| p95 ms |", "|---|---|---|---|---|---|---|---|"]
    for phase, counts in drill.counts.items():
        total.update(counts)
        lines.append(f"| {phase} | {counts['started']} | {counts['completed']} | {gave_up(counts)} | "
                     f"{counts['friendly retry pages']} | {counts['connection errors']} | {counts['other 5xx']} | "
                     f"{_percentile(drill.latencies.get(phase, []), 0.95):.0f} |")
    notes = sorted(k for c in drill.counts.values() for k in c if k.startswith(("failed", "export job")))
    state, attempts = job_state(job) if job else ("-", 0)
    summary = {
        "registrations started": total["started"], "completed (receipts)": len(receipts),
        "rows in the database (drill)": len(rows), "receipts not in the database (lost)": len(lost),
        "duplicated references": len(duplicated), "rows without a receipt": len(without_receipt),
        "friendly retry pages": total["friendly retry pages"], "other 5xx": total["other 5xx"],
        "new SMS code asked (a spent code's request was cut)": total["new SMS code asked"],
        "export job": f"{state} after {attempts} attempt(s)",
        "HTTP statuses": dict(sorted(sum((person.statuses for person in drill.people), Counter()).items())),
        "seconds": round(seconds_total), "residents": drill.residents, "app servers": drill.cluster.apps,
    }
    verdicts = targets(drill.counts, lost, duplicated, without_receipt,
                       (getattr(drill, "job_killed_in", ""), state, attempts) if job else None)
    text = ["# Fault drill (bench/faults.py on `make cluster`)", "", *lines, "",
            "| target | result |", "|---|---|",
            *[f"| {name} | {'met' if ok else '**MISSED**'} |" for name, ok in verdicts],
            "", *[f"- {key}: {value}" for key, value in summary.items()],
            *[f"- note: {note}" for note in notes], ""]
    return "\n".join(text), summary, [name for name, ok in verdicts if not ok]


def gave_up(counts):
    """Registrations abandoned in a phase: an answer that no retry could turn into the next step."""
    return sum(n for key, n in counts.items() if key.startswith("failed"))


def targets(counts, lost, duplicated, without_receipt, job):
    """(target, met) of issue 16; the drill exits 1 when one is missed."""
    rolling, killed = counts.get("rolling release", Counter()), counts.get("app server SIGKILL", Counter())
    failed_requests = rolling["friendly retry pages"] + rolling["connection errors"] + rolling["other 5xx"]
    found = [
        ("zero registrations lost (every receipt's reference in the database)", not lost),
        ("zero duplicated (each reference once) and every row has a receipt", not duplicated and not without_receipt),
        ("every phase completed registrations (the drill measured something)",
         all(phase["completed"] > 0 for phase in counts.values())),
        ("rolling release: zero failed requests, zero abandoned registrations",
         failed_requests == 0 and gave_up(rolling) == 0),
        ("app server SIGKILL: residents retrying the same step all finish", gave_up(killed) == 0),
        ("no 5xx other than the friendly retry page, whole drill",
         sum(phase["other 5xx"] for phase in counts.values()) == 0),
    ]
    if job is not None:
        killed_in, state, attempts = job
        found.append(("export job SIGKILLed mid-job with its worker: done once, on a later attempt",
                      killed_in == "running" and state == "done" and attempts >= 2))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("DRILL_SECONDS", "20")))
    parser.add_argument("--residents", type=int, default=4)
    parser.add_argument("--out", default=str(BENCH / "results"))
    parser.add_argument("--export-rows", type=int, default=10000,
                        help="submissions on the primary before the drill, so that the export outlasts the SIGKILL")
    args = parser.parse_args(argv)
    cluster = Cluster(apps=int(os.environ.get("CLUSTER_APPS", "3")))
    top_up(cluster, args.export_rows)
    loadgen.SMS_FILE = str(cluster.sms_file)
    drill = Drill(cluster, args.residents, args.seconds)
    started_at, clock = time.time(), time.monotonic()
    asyncio.run(drill.run())
    text, summary, problems = report(drill, started_at, time.monotonic() - clock)
    print(text)
    out = Path(args.out) / time.strftime("faults-%Y%m%d-%H%M%S.md")
    out.write_text(text)
    print(json.dumps({"written": str(out)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
