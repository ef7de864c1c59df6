"""The outreach part's measurements that need Django (bench/run.py runs each in its own process).

    python bench/outreach_probe.py reset               # empty the outreach tables (bench databases only)
    python bench/outreach_probe.py generate DIR ROWS   # population.csv, insured.csv and manifest.json in DIR
    python bench/outreach_probe.py import KIND PATH    # one file through the import job (the task function)
    python bench/outreach_probe.py compare             # the comparison job the imports queued (the task)
    python bench/outreach_probe.py screens FOCUS       # a township's roster page and recording a visit

Each run is one process, like a worker: it prints one JSON object on its last line, with its own peak
resident memory (``ru_maxrss``) and that of its PostgreSQL backend (VmHWM of /proc/<pid>/status, when
readable). The import and the comparison run through the real job code path: ``start_import`` /
``enqueue_comparison`` create the Job, and the task function runs it here (``Task.call``), as
``manage.py jobs_worker`` would.
"""

import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("BENCH_TREE") or str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import TextField  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402
from outreach_data import generate  # noqa: E402

from forms_intake.models import (  # noqa: E402
    CoverageCount,
    DataImport,
    Division,
    InsuredPerson,
    PopulationRecord,
    RosterEntry,
    Submission,
    SubmissionInsurance,
    SuspectRecord,
    Visit,
)
from forms_intake.rules import crypto  # noqa: E402
from forms_intake.rules.personal_data import id_hash  # noqa: E402
from forms_intake.rules.states import SubmissionStatus  # noqa: E402
from forms_intake.services import imports, tasks  # noqa: E402
from portal.jobs.models import Job  # noqa: E402

HOST = "localhost"
#: Share of population rows that are registered (IDs of submissions), as in outreach_data.SHARES.
REGISTERED_SHARE = 0.03
SOURCE = "police"


def _emit(data):
    print(json.dumps(data, ensure_ascii=False, default=str), flush=True)


def _rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _backend_peak_mb():
    """Peak RSS of this connection's PostgreSQL backend (None when /proc/<pid> is not readable)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024) if match else None


def _guard():
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("bench"):
        raise SystemExit(f"refusing: {name!r} is not a bench database")


def reset():
    """Empty every outreach table, so that a run measures a first import and a first comparison."""
    _guard()
    for model in (Visit, RosterEntry, CoverageCount, SuspectRecord, SubmissionInsurance, InsuredPerson,
                  PopulationRecord):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE")  # noqa: S608
    DataImport.objects.all().delete()
    Job.objects.filter(kind__in=[tasks.IMPORT_JOB_KIND, tasks.COMPARISON_KIND]).delete()
    Submission.objects.filter(flag_already_insured=True).update(flag_already_insured=False)
    _emit({"reset": True})


def generate_files(out_dir, rows):
    """The two files, with registered people taken from the submissions and nobody else matching one."""
    started = time.monotonic()
    townships = list(Division.objects.filter(level=Division.Level.TOWNSHIP, code__startswith="43")
                     .order_by("code").values_list("code", flat=True))
    taken = {bytes.fromhex(h) for h in Submission.objects.exclude(id_number_hash="")
             .values_list("id_number_hash", flat=True).iterator(chunk_size=20_000)}
    wanted = int(rows * REGISTERED_SHARE)
    # One submission per person (a re-used ID number is one person), none rejected. The ciphertext is read
    # as text and decrypted here: rows written under keys no longer configured are skipped, not fatal.
    tokens = (
        Submission.objects.exclude(status=SubmissionStatus.REJECTED).exclude(id_number_hash="")
        .order_by("id_number_hash").distinct("id_number_hash")
        .annotate(token=Cast("id_number", TextField())).values_list("token", flat=True)
    )
    registered = []
    for token in tokens.iterator(chunk_size=5000):
        try:
            registered.append(crypto.decrypt(token))
        except ImproperlyConfigured:
            continue
        if len(registered) >= wanted:
            break
    setup = time.monotonic() - started
    manifest = generate(out_dir, rows, townships, registered_ids=registered,
                        taken=lambda number: bytes.fromhex(id_hash(number)) in taken)
    manifest.update(setup_seconds=round(setup, 1), townships=len(townships), peak_rss_mb=_rss_mb())
    (Path(out_dir) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    _emit(manifest)


def run_import(kind, path):
    """Upload a file and run its import job here; wall time, rows per second, counts, peak memory."""
    started = time.monotonic()
    path = Path(path)
    with open(path, "rb") as handle:
        data_import = imports.receive_upload(iter(lambda: handle.read(1 << 20), b""), kind=kind, source=SOURCE,
                                             file_name=path.name)
    received = time.monotonic() - started
    job = tasks.start_import(data_import, user=None)
    t0 = time.monotonic()
    tasks.import_outreach_data.call(str(job.pk))
    seconds = time.monotonic() - t0
    data_import.refresh_from_db()
    job.refresh_from_db()
    _emit({
        "kind": kind,
        "state": data_import.state,
        "job_state": job.state,
        "message": data_import.message,
        "rows": data_import.rows_total,
        "imported": data_import.rows_imported,
        "rejected": data_import.rows_rejected,
        "receive_seconds": round(received, 1),
        "seconds": round(seconds, 1),
        "rows_per_second": round(data_import.rows_total / seconds) if seconds else None,
        "comparison_job": (job.result or {}).get("comparison_job"),
        "peak_rss_mb": _rss_mb(),
        "db_backend_peak_mb": _backend_peak_mb(),
    })


def compare():
    """Run the comparison job queued by the imports (one, shared); counts, timings, suspects, memory."""
    job = Job.objects.filter(kind=tasks.COMPARISON_KIND, state="queued").order_by("-pk").first()
    if job is None:
        job = tasks.enqueue_comparison(None)
    t0 = time.monotonic()
    tasks.compare_population.call(str(job.pk))
    seconds = time.monotonic() - t0
    job.refresh_from_db()
    suspects = dict(SuspectRecord.objects.values_list("rule").annotate(n=django.db.models.Count("id")))
    _emit({
        "job_state": job.state,
        "message": job.message,
        "result": job.result,
        "seconds": round(seconds, 1),
        "roster_entries": RosterEntry.objects.count(),
        "suspects": suspects,
        "peak_rss_mb": _rss_mb(),
        "db_backend_peak_mb": _backend_peak_mb(),
    })


def _township_handler(focus):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from forms_intake.models import StaffDivision
    from portal import roles

    user, _created = get_user_model().objects.get_or_create(username="bench_township_handler",
                                                            defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=roles.HANDLER))
    StaffDivision.objects.get_or_create(user=user, division=Division.objects.get(code=focus))
    return user


def screens(focus, repeat=15):
    """p50 of the township's roster page (the roster, 50 rows) and of recording a visit (未见到本人)."""
    from django.test import Client
    from django.urls import reverse

    from forms_intake.services import visits

    user = _township_handler(focus)
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    in_scope = visits.scoped_entries(user).count()
    url = reverse("forms_intake_roster:index")
    problems, times = [], []
    for attempt in range(repeat + 1):  # the first answer warms up; it must be the roster too
        started = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        body = response.content.decode("utf-8", "replace")
        rows = body.count("data-roster-row=")
        if response.status_code != 200 or "data-roster>" not in body or rows != min(50, in_scope):
            problems.append(f"status {response.status_code}, {rows} roster rows")
        if attempt:
            times.append(elapsed)
    page = {"url": url, "in_scope": in_scope, "requests": repeat + 1, "errors": len(problems),
            "problems": sorted(set(problems)), "p50_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1), "marker": "the roster table with 50 rows (data-roster-row)"}
    entries = list(visits.scoped_entries(user).filter(status=RosterEntry.Status.TO_VISIT, visit_count=0)
                   .order_by("-id")[: repeat + 1])
    visit_problems, visit_times = [], []
    for attempt, entry in enumerate(entries):
        entry_url = reverse("forms_intake_roster:entry", args=[entry.pk])
        started = time.perf_counter()
        response = client.post(entry_url, {"outcome": "not_met", "seen_visits": "0", "note": ""}, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        entry.refresh_from_db()
        if response.status_code != 302 or entry.visit_count != 1 or entry.status != RosterEntry.Status.REVISIT:
            visit_problems.append(f"status {response.status_code}, entry {entry.status} ×{entry.visit_count}")
        if attempt:
            visit_times.append(elapsed)
    visit = {"requests": len(entries), "errors": len(visit_problems), "problems": sorted(set(visit_problems)),
             "recorded": Visit.objects.filter(entry__in=entries).count(),
             "p50_ms": round(statistics.median(visit_times), 1) if visit_times else None,
             "max_ms": round(max(visit_times), 1) if visit_times else None,
             "marker": "302 to the roster, the entry 待再访 with one visit"}
    _emit({"roster_page": page, "visit": visit, "peak_rss_mb": _rss_mb()})


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "reset":
        reset()
    elif command == "generate":
        generate_files(sys.argv[2], int(sys.argv[3]))
    elif command == "import":
        run_import(sys.argv[2], sys.argv[3])
    elif command == "compare":
        compare()
    elif command == "screens":
        screens(sys.argv[2])
    else:
        raise SystemExit(__doc__)
