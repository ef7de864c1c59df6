"""The suite's targets and the rules that turn measurements into verdicts (pure Python, no Django).

A verdict is "met" only when the figure reaches its target *and* every measured
request gave the expected answer: the expected status, the expected content
(a marker of the page or screen), no socket errors. A fast answer that is a
redirect to the login page, a 404 or a "session expired" page is not a fast
page; it is an error, counted and shown, and the verdict is MISSED.

bench/run.py, bench/loadgen.py and bench/probe.py use these functions;
tests/bench/ tests them.
"""

import html
import re

TARGETS = {
    # Public pages, requests/s as a share of the same server's static file in the same run.
    "cached_vs_static": 0.90,  # page cache on
    "memo_vs_static": 0.15,  # page cache off, memo of page parts on (a render after the first)
    "cold_vs_static": 0.05,  # page cache off and memo off (every render as the first after a publish)
    "max_queries": 12,  # per public page render, warm (memo filled) and cold (memo off)
    "backoffice_p50_ms": 150,
    "report_ms": 1000,
    "report_job_s": 60,  # the province's analysis report job (issue 15, seed item 19)
    "export_peak_mb": 300,
    "wizard_per_second": 20,
    "wizard_p95_ms": 200,
}

#: Public-page server modes: (key, label, PAGE_CACHE, CONTENT_MEMO, target key).
MODES = [
    ("cached", "page cache on", "1", "1", "cached_vs_static"),
    ("memo", "page cache off, memo on", "0", "1", "memo_vs_static"),
    ("cold", "page cache off, memo off", "0", "0", "cold_vs_static"),
]
MODE_TARGET = {key: target for key, _label, _page_cache, _memo, target in MODES}

#: A reference number as the receipt shows it: HN-XXXX-XXXX-XXC (forms_intake's REFERENCE_ALPHABET).
REFERENCE = re.compile(r"\bHN-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{3}\b")
_RECEIPT_REFERENCE = re.compile(r"data-reference[^>]*>\s*(" + REFERENCE.pattern + r")\s*<")
_LOGIN_PATH = re.compile(r"/admin/login/?(\?|$)")


def verdict(ok):
    return "met" if ok else "MISSED"


def is_success(status):
    """2xx: what every measured request must answer (a 3xx is an error too: it is not the page)."""
    return isinstance(status, int) and 200 <= status < 300


def count_unexpected(statuses):
    """Responses that were not 2xx, from a {status: count} mapping (keys may be strings, as in JSON)."""
    return sum(n for status, n in statuses.items() if not is_success(int(status)))


def page_marker(title):
    """What a public page must contain: its own title as the page's main heading (`<h1 …>title</h1>`)."""
    return f">{html.escape(title, quote=False)}</h1>"


def check_page(status, content_type, body, marker=None, kind="html"):
    """Problems with one real GET of a measured URL (no redirect followed); [] when it is the expected page.

    `kind` is "html" for a page (200, text/html, the marker in the body) or "css"
    for the static file (200, text/css, not empty).
    """
    problems = []
    if status != 200:
        problems.append(f"status {status}")
        return problems
    content_type = (content_type or "").lower()
    if kind == "css":
        if "text/css" not in content_type:
            problems.append(f"content type {content_type or 'missing'}")
        if not body:
            problems.append("empty body")
        return problems
    if "text/html" not in content_type:
        problems.append(f"content type {content_type or 'missing'}")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if marker and marker not in text:
        problems.append(f"marker {marker!r} missing")
    return problems


def receipt_reference(body):
    """The reference number on a receipt page, or None (the 'session expired' page has none)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    match = _RECEIPT_REFERENCE.search(text)
    return match.group(1) if match else None


def step_of(body):
    """The step a wizard page is the form of (its management form's current_step), or None."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    for tag in re.findall(r"<input\b[^>]*>", text):
        if re.search(r'name="[^"]*-current_step"', tag):
            value = re.search(r'value="([^"]*)"', tag)
            return value.group(1) if value else None
    return None


def is_login_page(url, body=b""):
    """A redirect to, or the body of, the admin's sign-in screen."""
    if url and _LOGIN_PATH.search(url):
        return True
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    return 'name="password"' in text and 'name="username"' in text


# --- verdicts per measurement ----------------------------------------------------------------------


def public_problems(row):
    """Why a public-page row cannot be 'met' whatever its speed: errors, non-2xx, content checks."""
    problems = []
    if row.get("errors"):
        problems.append(f"{row['errors']} socket errors")
    if row.get("non2xx"):
        problems.append(f"{row['non2xx']} non-2xx")
    problems += row.get("content_problems") or []
    if not row.get("requests"):
        problems.append("no request answered")
    return problems


def public_verdict(row):
    """(ok, reason) for a public page row: ratio to the static file ≥ the mode's target, and no problems."""
    problems = public_problems(row)
    ratio = row.get("vs_static")
    if row["page"] == "static file":
        return (not problems), "; ".join(problems)
    goal = TARGETS[MODE_TARGET[row["mode"]]]
    if ratio is None:
        problems.append("no static figure to compare with")
        return False, "; ".join(problems)
    return (ratio >= goal and not problems), "; ".join(problems)


def queries_verdict(warm, cold):
    """≤ max_queries warm and cold; None for a count means it was not measured (MISSED)."""
    limit = TARGETS["max_queries"]
    return warm is not None and cold is not None and warm <= limit and cold <= limit


def wizard_verdicts(wiz):
    """Verdicts of a wizard run: rate, p95, failed registrations and rows created = completions."""
    errors = wiz.get("failed", 0)
    rows = wiz.get("rows_created")
    found = wiz.get("references_found")
    return {
        "rate": wiz["per_second"] >= TARGETS["wizard_per_second"] and errors == 0,
        "p95": wiz["p95_ms"] < TARGETS["wizard_p95_ms"] and errors == 0,
        "errors": errors == 0,
        "rows": rows is not None and rows == wiz["completed"] and found == wiz["completed"],
    }


def backoffice_verdict(timing):
    """p50 under its target and every timed request the expected screen (200, marker, not the sign-in page)."""
    goal = TARGETS["report_ms"] if "statistics" in timing["check"] else TARGETS["backoffice_p50_ms"]
    ok = timing.get("p50_ms") is not None and timing["p50_ms"] < goal and not timing.get("errors")
    return ok, goal


def report_job_verdict(job, target_s=None):
    """A report job: done, its file downloaded (200, not empty), and its task under `target_s` seconds if given.

    A job with no target (the summary report) is met when it finished with its file; one not measured is MISSED.
    """
    if job.get("missing") or job.get("seconds") is None:
        return False
    finished = job.get("state") == "done" and job.get("download_status") == 200 and job.get("bytes", 0) > 0
    return finished and (target_s is None or job["seconds"] < target_s)


def export_audit_verdict(export):
    """One export, one audit entry with the export's row count, and no event in the exported submissions' timelines."""
    if "audit_entries" not in export:
        return False
    return (export["audit_entries"] == 1 and export.get("audit_rows") == [export.get("expected_rows")]
            and export.get("new_events") == 0)


def export_verdict(export):
    return (
        export.get("status") == 200
        and export.get("rows") == export.get("expected_rows")
        and export.get("peak_rss_mb", float("inf")) < TARGETS["export_peak_mb"]
    )


# --- outreach (issue 12): imports, comparison, roster screens ------------------------------------------

OUTREACH_TARGETS = {"total_seconds": 15 * 60, "peak_rss_mb": 500, "roster_p50_ms": 150, "visit_p50_ms": 100}


def outreach_problems(result):
    """Why the outreach figures cannot be 'met' whatever their speed: a stage failed or found the wrong rows.

    `result` holds the manifest's expectations ("expect") and each stage's answer ("population",
    "insured", "compare", "screens"); every count the generator planted must be found.
    """
    problems = []
    expect = result.get("expect") or {}
    rows = result.get("rows")
    for kind, bad in (("population", 0), ("insured", expect.get("insured_rows_bad", 0))):
        stage = result.get(kind) or {}
        if stage.get("state") != "done":
            problems.append(f"{kind} import {stage.get('state', 'not run')}")
            continue
        if stage.get("rows") != rows or stage.get("rejected") != bad or stage.get("imported") != rows - bad:
            problems.append(f"{kind} import: {stage.get('imported')} imported, {stage.get('rejected')} rejected "
                            f"of {stage.get('rows')} (expected {rows - bad} and {bad} of {rows})")
    wanted = (result.get("generate") or {}).get("registered_wanted") or 0
    if expect and expect.get("registered", 0) < wanted * 0.9:
        problems.append(f"only {expect.get('registered', 0)} registered people planted of {wanted} wanted "
                        "(too few submissions readable with the configured keys)")
    compare = result.get("compare") or {}
    counts = compare.get("result") or {}
    if compare.get("job_state") != "done":
        problems.append(f"comparison job {compare.get('job_state', 'not run')}")
    else:
        for key in ("insured", "deceased", "moved_out", "unregistered", "registered"):
            if counts.get(key, 0) != expect.get(key, 0):
                problems.append(f"comparison: {counts.get(key, 0)} {key}, expected {expect.get(key, 0)}")
        if compare.get("roster_entries") != expect.get("unregistered"):
            problems.append(f"{compare.get('roster_entries')} roster entries, expected {expect.get('unregistered')}")
        suspects = compare.get("suspects") or {}
        for rule in ("invalid_id", "age_impossible", "name_mismatch", "duplicate_insurance", "insured_deceased"):
            if suspects.get(rule, 0) != expect.get(rule, 0):
                problems.append(f"suspects {rule}: {suspects.get(rule, 0)}, expected {expect.get(rule, 0)}")
    return problems


def outreach_verdicts(result):
    """Verdicts {total, memory, roster, visit}: each met only with its figure under target and no problem."""
    problems = outreach_problems(result)
    screens = result.get("screens") or {}
    page, visit = screens.get("roster_page") or {}, screens.get("visit") or {}
    peaks = [p for p in result.get("peak_rss_mb", {}).values() if p is not None]
    total = result.get("total_seconds")
    return {
        "total": not problems and total is not None and total < OUTREACH_TARGETS["total_seconds"],
        "memory": not problems and bool(peaks) and max(peaks) < OUTREACH_TARGETS["peak_rss_mb"],
        "roster": (page.get("p50_ms") is not None and page["p50_ms"] < OUTREACH_TARGETS["roster_p50_ms"]
                   and not page.get("errors") and page.get("in_scope", 0) >= 5000),
        "visit": (visit.get("p50_ms") is not None and visit["p50_ms"] < OUTREACH_TARGETS["visit_p50_ms"]
                  and not visit.get("errors") and visit.get("recorded") == visit.get("requests")),
    }


# --- the API (issue 13): change feed, result postings, webhook delivery lag -------------------------------

#: feed and result targets are the issue's; it sets none for the lag: ours is p95 under 5 s with a worker
#: polling every second (django-tasks-db's default), every event delivered once with a valid signature.
API_TARGETS = {"feed_per_second": 2000, "result_p50_ms": 50, "lag_p95_ms": 5000}


def api_verdicts(result):
    """Verdicts {feed, result, lag}: each met only when its figure reaches the target and the answers were right.

    Feed: every event of the feed read exactly once and in order (records == expected, nothing out of order),
    no failed page. Result: no failed posting. Lag: every event posted during the load received, none
    twice, none with a wrong signature, and the postings themselves answered as expected.
    """
    feed, posted, lag = result.get("feed") or {}, result.get("result") or {}, result.get("lag") or {}
    rate = feed.get("per_second")
    return {
        "feed": (rate is not None and rate >= API_TARGETS["feed_per_second"] and not feed.get("errors")
                 and feed.get("records") == feed.get("expected") and feed.get("records", 0) > 0
                 and not feed.get("out_of_order")),
        "result": (posted.get("p50_ms") is not None and posted["p50_ms"] < API_TARGETS["result_p50_ms"]
                   and posted.get("requests", 0) > 0 and not posted.get("errors")),
        "lag": (lag.get("p95_ms") is not None and lag["p95_ms"] < API_TARGETS["lag_p95_ms"]
                and lag.get("events", 0) > 0 and lag.get("delivered") == lag.get("events")
                and not lag.get("duplicates") and not lag.get("bad_signatures") and not lag.get("post_errors")),
    }
