"""Measurements that need Django itself; bench/run.py runs this with the production settings.

    python bench/probe.py pages       # URLs of the public pages to load-test, and their warm query counts
    python bench/probe.py backoffice  # back-office latencies at the current number of submissions
    python bench/probe.py export N    # peak memory of a CSV export of about N rows
    python bench/probe.py count       # number of submissions

Each prints one JSON object on its last line of output.
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

HOST = "localhost"
# The public page types of the issue, by model; the first live Chinese page of each is measured.
PAGE_TYPES = [
    ("home", "home.HomePage"),
    ("notice", "home.NoticePage"),
    ("Q&A", "faq.FaqPage"),
    ("schedule", "home.SchedulePage"),
]


def _emit(data):
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _client():
    return Client(HTTP_HOST=HOST)


def pages():
    """URL and query counts (page cache off; warm and cold memo) of each public page type."""
    from django.apps import apps
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
        client.get(url, secure=True)  # warm: template loading, the memo of page parts (portal/content_memo.py)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        # Cold: as the first render after a publish (the memo switched off).
        settings.CONTENT_MEMO_ENABLED = False
        with CaptureQueriesContext(connection) as cold:
            client.get(url, secure=True)
        settings.CONTENT_MEMO_ENABLED = True
        found.append(
            {
                "page": label,
                "url": url,
                "status": response.status_code,
                "queries": len(queries),
                "queries_cold": len(cold),
                "bytes": len(response.content),
            }
        )
    _emit({"pages": found})


def _bench_users():
    """A county handler for the busiest county and a provincial administrator (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.db.models.functions import Left

    from forms_intake.models import Division, StaffDivision, Submission
    from portal import roles

    users = get_user_model()
    busiest = (
        Submission.objects.exclude(queue_code="43")
        .annotate(county=Left("queue_code", 6))
        .values("county")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    county = busiest["county"]
    result = {}
    for username, group, division in [
        ("bench_county_handler", roles.HANDLER, county),
        ("bench_provincial_admin", roles.PROVINCIAL_ADMIN, "430000"),
    ]:
        user, _created = users.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=group))
        StaffDivision.objects.get_or_create(user=user, division=Division.objects.get(code=division))
        result[username] = user
    return result, county, busiest["n"]


def _time(client, url, repeat):
    # follow=True: an ID-number search answers with a redirect that keeps the number out of the URL;
    # the figure must include the listing it leads to.
    client.get(url, secure=True, follow=True)  # warm-up
    times = []
    status = None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, secure=True, follow=True)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return {"url": url, "status": status, "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def backoffice(repeat=7):
    """Latency of the back-office views for a county handler and a provincial administrator."""
    from django.urls import NoReverseMatch, reverse

    from forms_intake.models import Submission
    from forms_intake.scope import scoped_submissions

    users, county, county_rows = _bench_users()
    handler = _client()
    handler.force_login(users["bench_county_handler"])
    admin = _client()
    admin.force_login(users["bench_provincial_admin"])
    results = {"submissions": Submission.objects.count(), "county": county, "county_rows": county_rows}
    try:
        index = reverse("forms_intake_submission:index")
    except NoReverseMatch:
        _emit({**results, "missing": "no back-office queue (forms_intake_submission:index)"})
        return
    scoped = scoped_submissions(users["bench_county_handler"])
    pages = max(1, scoped.filter(status="submitted").count() // 50)
    deep = min(pages, 100)
    sample = scoped.order_by("-id").first()
    raw_id = sample.id_number  # decrypted by the model field, used only as a search term
    checks = [
        ("queue list, county scope, first page", handler, index),
        ("queue list, state filter", handler, f"{index}?status=submitted"),
        (f"queue list, state filter, page {deep}", handler, f"{index}?status=submitted&p={deep}"),
        ("detail page", handler, reverse("forms_intake_submission:inspect", args=[sample.pk])),
        ("dashboard counts (admin home)", handler, reverse("wagtailadmin_home")),
        ("search by ID number", handler, f"{index}?q={raw_id}"),
        ("queue list, province (admin)", admin, index),
    ]
    try:
        checks.append(("statistics report, province", admin, reverse("forms_intake_statistics")))
    except NoReverseMatch:
        results["statistics_missing"] = True
    timings = []
    for label, client, url in checks:
        timing = _time(client, url, repeat)
        timing["url"] = timing["url"].replace(raw_id, "<id>")
        timings.append({"check": label, **timing})
    results["timings"] = timings
    _emit(results)


def export(target_rows=100_000):
    """Peak memory (RSS) of one CSV export of about `target_rows` rows, streamed and discarded."""
    from django.db.models import Count
    from django.urls import reverse

    from forms_intake.models import Submission

    users, _county, _rows = _bench_users()
    # The province-wide export of one state, whichever state is closest to the target size.
    counts = dict(Submission.objects.values_list("status").annotate(n=Count("id")))
    status, rows = min(counts.items(), key=lambda item: abs(item[1] - target_rows))
    client = _client()
    client.force_login(users["bench_provincial_admin"])
    url = f"{reverse('forms_intake_submission:index')}?status={status}&export=csv"
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(url, secure=True)
    size = 0
    lines = 0
    if getattr(response, "streaming", False):
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
    else:
        size = len(response.content)
        lines = response.content.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _emit(
        {
            "status": response.status_code,
            "streaming": bool(getattr(response, "streaming", False)),
            "rows": lines - 1,
            "expected_rows": rows,
            "bytes": size,
            "seconds": round(elapsed, 1),
            "rss_before_mb": round(baseline),
            "peak_rss_mb": round(peak),
        }
    )


def count():
    from forms_intake.models import Submission

    _emit({"submissions": Submission.objects.count()})


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
