"""Measurements that need Django itself; bench/run.py runs this with the production settings.

    python bench/probe.py pages       # URLs, markers and query counts (warm and cold) of the public pages
    python bench/probe.py backoffice  # back-office latencies at the current number of submissions
    python bench/probe.py export N    # peak memory of a CSV export of about N rows
    python bench/probe.py count       # number of submissions and their table

Each prints one JSON object on its last line of output. `BENCH_TREE` (default:
the tree this file is in) is the project tree to import, so that the same probe
measures a baseline checkout (bench/run.py --baseline). Models are looked up by
app label (`apps.get_model("forms_intake", "Submission")`) and screens by URL
name, never by internal module paths; the only project module imported is
portal.roles, for the names of the staff groups.
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

import jobs_probe  # noqa: E402
from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from verdicts import REFERENCE, check_page, is_login_page, page_marker  # noqa: E402

HOST = "localhost"
# The public page types of the issue, by model; the first live Chinese page of each is measured.
PAGE_TYPES = [
    ("home", "home.HomePage"),
    ("notice", "home.NoticePage"),
    ("Q&A", "faq.FaqPage"),
    ("schedule", "home.SchedulePage"),
]
# Group names of the staff roles (portal.roles), in case that module moves.
HANDLER_GROUP, PROVINCIAL_ADMIN_GROUP = "经办人", "省级管理员"


def _emit(data):
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _client():
    return Client(HTTP_HOST=HOST)


def _submission_model():
    return apps.get_model("forms_intake", "Submission")


def pages():
    """URL, content marker and query counts (page cache off; warm and cold memo) of each public page type."""
    from django.conf import settings
    from wagtail.models import Locale

    settings.PAGE_CACHE_ENABLED = False
    zh = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    client = _client()
    found = []
    for label, model_path in PAGE_TYPES:
        try:
            model = apps.get_model(model_path)
        except LookupError:
            found.append({"page": label, "missing": f"no {model_path} model"})
            continue
        page = model.objects.live().filter(locale=zh).order_by("path").first()
        if page is None:
            found.append({"page": label, "missing": f"no live {model_path}"})
            continue
        url = page.get_url()
        marker = page_marker(page.title)
        client.get(url, secure=True)  # warm: template loading, the memo of page parts (portal/content_memo.py)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        # Cold: as the first render after a publish (the memo switched off).
        settings.CONTENT_MEMO_ENABLED = False
        with CaptureQueriesContext(connection) as cold:
            cold_response = client.get(url, secure=True)
        settings.CONTENT_MEMO_ENABLED = True
        problems = []
        for name, answer in (("warm", response), ("cold", cold_response)):
            problems += [
                f"in process, {name}: {p}"
                for p in check_page(answer.status_code, answer.get("Content-Type"), answer.content, marker)
            ]
        found.append(
            {
                "page": label,
                "url": url,
                "marker": marker,
                "status": response.status_code,
                "queries": len(queries),
                "queries_cold": len(cold),
                "bytes": len(response.content),
                "problems": problems,
            }
        )
    _emit({"pages": found})


def _group_names():
    try:
        from portal import roles

        return roles.HANDLER, roles.PROVINCIAL_ADMIN
    except (ImportError, AttributeError):
        return HANDLER_GROUP, PROVINCIAL_ADMIN_GROUP


def _bench_users():
    """A county handler for the busiest county and a provincial administrator (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.db.models.functions import Left

    division_model = apps.get_model("forms_intake", "Division")
    staff_division_model = apps.get_model("forms_intake", "StaffDivision")
    handler_group, admin_group = _group_names()
    users = get_user_model()
    busiest = (
        _submission_model().objects.exclude(queue_code="43")
        .annotate(county=Left("queue_code", 6))
        .values("county")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    county = busiest["county"]
    result = {}
    for username, group, division in [
        ("bench_county_handler", handler_group, county),
        ("bench_provincial_admin", admin_group, "430000"),
    ]:
        user, _created = users.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=group))
        staff_division_model.objects.get_or_create(user=user, division=division_model.objects.get(code=division))
        result[username] = user
    return result, county, busiest["n"]


def _screen_problems(response, url, marker):
    """Why a back-office answer is not the expected screen: status, the sign-in page, the marker missing."""
    chain = getattr(response, "redirect_chain", [])
    final = chain[-1][0] if chain else url
    if is_login_page(final) or (response.status_code == 200 and is_login_page("", response.content)):
        return ["the sign-in page"]
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    if not marker.search(response.content.decode("utf-8", "replace")):
        return [f"marker {marker.pattern!r} missing"]
    return []


def _time(client, url, marker, repeat, data=None):
    # follow=True: an ID-number search answers with a redirect that keeps the number out of the URL;
    # the figure must include the listing it leads to. Every answer (the warm-up too) must be the screen.
    # With `data`, the request is a POST of that form (the dashboard's search box posts its query).
    def request():
        if data is not None:
            return client.post(url, data, secure=True, follow=True)
        return client.get(url, secure=True, follow=True)

    problems = _screen_problems(request(), url, marker)
    errors = len(problems) > 0
    times, cpu = [], []
    status = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        # This process's CPU (Python: views, templates), not the database's: on a loaded machine the
        # wall time above is this plus the wait for a core, which tells the code from the load.
        cpu.append((time.process_time() - started_cpu) * 1000)
        status = response.status_code
        found = _screen_problems(response, url, marker)
        errors += len(found) > 0
        problems += found
    return {
        "url": url,
        "status": status,
        "requests": repeat + 1,
        "errors": errors,
        "problems": sorted(set(problems)),
        "p50_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


def backoffice(repeat=7):
    """Latency of the back-office views for a county handler and a provincial administrator."""
    from django.urls import NoReverseMatch, reverse

    submission_model = _submission_model()
    users, county, county_rows = _bench_users()
    handler = _client()
    handler.force_login(users["bench_county_handler"])
    admin = _client()
    admin.force_login(users["bench_provincial_admin"])
    results = {"submissions": submission_model.objects.count(), "county": county, "county_rows": county_rows}
    try:
        index = reverse("forms_intake_submission:index")
    except NoReverseMatch:
        _emit({**results, "missing": "no back-office queue (forms_intake_submission:index)"})
        return
    # The handler's scope is the county: its submissions are those routed to a division under it.
    scoped = submission_model.objects.filter(queue_code__startswith=county)
    pages = max(1, scoped.filter(status="submitted").count() // 50)
    deep = min(pages, 100)
    sample = scoped.order_by("-id").first()
    raw_id = sample.id_number  # decrypted by the model field, used only as a search term
    any_reference = REFERENCE
    its_reference = re.compile(re.escape(sample.reference))
    # The queue sorted by working days waiting, most first (the column's sort key "-waiting"), over the
    # states that wait (what the queue opens on), and the overdue filter (more than 10 working days).
    waiting = "&".join(f"status={state}" for state in _waiting_states())
    checks = [
        ("queue list, county scope, first page", handler, lambda: index, any_reference),
        ("queue sorted by working days waiting, county", handler, lambda: f"{index}?{waiting}&ordering=-waiting",
         any_reference),
        ("queue, overdue only, by working days waiting, county", handler,
         lambda: f"{index}?overdue=yes&ordering=-waiting", any_reference),
        ("queue list, state filter", handler, lambda: f"{index}?status=submitted", any_reference),
        (f"queue list, state filter, page {deep}", handler, lambda: f"{index}?status=submitted&p={deep}",
         any_reference),
        ("detail page", handler, lambda: reverse("forms_intake_submission:inspect", args=[sample.pk]), its_reference),
        ("dashboard counts (admin home)", handler, lambda: reverse("wagtailadmin_home"),
         re.compile(r"registrations-panel-heading")),
        ("search by ID number", handler, lambda: f"{index}?q={raw_id}", its_reference),
        ("search by ID number, dashboard box (POST)", handler, lambda: reverse("forms_intake_search"),
         its_reference, {"q": raw_id}),
        ("queue list, province (admin)", admin, lambda: index, any_reference),
        ("queue sorted by working days waiting, province (admin)", admin,
         lambda: f"{index}?{waiting}&ordering=-waiting", any_reference),
        ("statistics report, province", admin, lambda: reverse("forms_intake_statistics"),
         re.compile(r"registration-statistics")),
    ]
    timings = []
    for label, client, url_of, marker, *data in checks:
        try:
            url = url_of()
        except NoReverseMatch as error:
            timings.append({"check": label, "missing": f"no URL ({error})"})
            continue
        timing = _time(client, url, marker, repeat, *data)
        timing["url"] = timing["url"].replace(raw_id, "<id>")
        timing["marker"] = "a reference number" if marker is any_reference else (
            "the sample's reference number" if marker is its_reference else marker.pattern)
        timings.append({"check": label, **timing})
    results["timings"] = timings
    # The report jobs of seed items 19 and 22, run as a worker runs their tasks (bench/jobs_probe.py).
    results["reports"] = jobs_probe.report_jobs(admin)
    _emit(results)


def _waiting_states():
    try:
        from forms_intake.services.deadlines import WAITING_STATES

        return [str(state) for state in WAITING_STATES]
    except ImportError:  # a tree without deadlines: the states the queue opens on
        return ["submitted", "claimed", "awaiting_review"]


def _drain(response):
    """Bytes and lines of a response, streamed and discarded."""
    if getattr(response, "streaming", False):
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return size, lines
    return len(response.content), response.content.count(b"\n")


def export(target_rows=100_000):
    """One province-wide CSV export of about `target_rows` rows, the way staff get it.

    Above EXPORT_JOB_THRESHOLD the export button answers a confirmation page; the probe posts its form
    (as "Prepare the file" does), runs the job's task in this process (as a worker would), then downloads
    the file. Reported: the job's time, the download's time, and the process's peak RSS over both.
    """
    import re

    from django.db.models import Count
    from django.urls import reverse

    from forms_intake.backoffice.jobs import export_registrations

    submission_model = _submission_model()
    users, _county, _rows = _bench_users()
    # The province-wide export of one state, whichever state is closest to the target size.
    counts = dict(submission_model.objects.values_list("status").annotate(n=Count("id")))
    status, rows = min(counts.items(), key=lambda item: abs(item[1] - target_rows))
    client = _client()
    client.force_login(users["bench_provincial_admin"])
    url = f"{reverse('forms_intake_submission:index')}?status={status}&export=csv"
    marks = jobs_probe.audit_marks()  # issue 15: one export audit entry per export, no timeline event
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(url, secure=True)
    via_job = not getattr(response, "streaming", False) and b'name="view"' in response.content
    job_seconds = None
    if via_job:
        form = dict(re.findall(rb'<input type="hidden" name="(\w+)" value="([^"]*)"', response.content))
        data = {k.decode(): v.decode().replace("&amp;", "&") for k, v in form.items()}
        started_job = client.post(reverse("forms_intake_jobs:start_export"), data, secure=True)
        job_id = started_job["Location"].rstrip("/").split("/")[-1]
        job_started = time.perf_counter()
        export_registrations.call(job_id)  # what a worker runs
        job_seconds = round(time.perf_counter() - job_started, 1)
        response = client.get(reverse("forms_intake_jobs:download", args=[job_id]), secure=True)
    size, lines = _drain(response)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _emit(
        {
            **jobs_probe.audit_counts(marks, status),
            "status": response.status_code,
            "content_type": response.get("Content-Type", ""),
            "streaming": bool(getattr(response, "streaming", False)),
            "via_job": via_job,
            "job_seconds": job_seconds,
            "rows": lines - 1,
            "expected_rows": rows,
            "bytes": size,
            "seconds": round(elapsed, 1),
            "rss_before_mb": round(baseline),
            "peak_rss_mb": round(peak),
        }
    )


def count():
    model = _submission_model()
    _emit({"submissions": model.objects.count(), "table": model._meta.db_table})


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "pages":
        pages()
    elif command == "backoffice":
        backoffice()
    elif command == "export":
        export(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    elif command == "count":
        count()
    else:
        raise SystemExit(__doc__)
