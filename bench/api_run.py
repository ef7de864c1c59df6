"""The API part of the suite (issue 13): runs bench/api_probe.py against the tree and renders its section.

The probe pages through the change feed, posts results and measures webhook delivery lag with a real
worker and a local receiver (see its docstring and bench/README.md); here only the process, the
verdicts (verdicts.api_verdicts) and the table.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from verdicts import API_TARGETS, api_verdicts, verdict

BENCH_DIR = Path(__file__).resolve().parent


def api(tree, lag_seconds, log, timeout=3 * 3600):
    """The probe's figures and the verdicts; a failure is recorded (never raised)."""
    if not tree.ok:
        return {"missing": "the current tree could not be measured, see above"}
    started = time.monotonic()
    try:
        run = subprocess.run(
            [sys.executable, str(BENCH_DIR / "api_probe.py"), "--lag-seconds", str(lag_seconds)],
            env=dict(tree.env, BENCH_TREE=str(tree.path)), cwd=tree.path, capture_output=True, text=True,
            check=False, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"missing": f"api_probe did not finish in {timeout} s"}
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode != 0 or not lines:
        tail = (run.stderr or run.stdout).strip().splitlines()
        return {"missing": f"api_probe failed: {tail[-1] if tail else 'no output'}"}
    data = json.loads(lines[-1])
    data["wall_seconds"] = round(time.monotonic() - started, 1)
    data["verdicts"] = api_verdicts(data)
    log(f"api: feed {data['feed'].get('per_second')} records/s, result p50 {data['result'].get('p50_ms')} ms, "
        f"lag p95 {data['lag'].get('p95_ms')} ms")
    return data


def render_api(data, out):
    """The API section of the result table (markdown lines appended to ``out``)."""
    if not data:
        return
    out += ["", "## API: change feed, result postings, webhook deliveries", ""]
    if data.get("missing"):
        out.append(f"Not measured — MISSED: {data['missing']}.")
        return
    v, feed, result, lag = data["verdicts"], data["feed"], data["result"], data["lag"]
    out += [
        f"{data['submissions']:,} submissions; in process (Django test client, production settings), one full-data "
        f"client for the whole province ({data['backfilled_events']:,} feed events backfilled for generated rows "
        f"in {data['backfill_seconds']} s, not counted).",
        "",
        "| measurement | figure | target | checks | verdict |",
        "|---|---:|---|---|---|",
        f"| feed, whole, pages of {feed['page_size']} | {feed.get('per_second') or 0:,} records/s "
        f"({feed['records']:,} in {feed['seconds']} s) | ≥ {API_TARGETS['feed_per_second']:,}/s | "
        f"{feed['records']:,} of {feed['expected']:,} events, {feed['out_of_order']} out of order, "
        f"{feed['errors']} failed pages of {feed['pages']} | {verdict(v['feed'])} |",
    ]
    if result.get("missing"):
        out.append(f"| result posting (enrolment) | — | p50 < {API_TARGETS['result_p50_ms']} ms | "
                   f"{result['missing']} | MISSED |")
    else:
        out.append(f"| result posting (enrolment) | p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max "
                   f"{result['max_ms']} ms | p50 < {API_TARGETS['result_p50_ms']} ms | {result['errors']} errors of "
                   f"{result['requests']} | {verdict(v['result'])} |")
    if lag.get("p50_ms") is None:
        out.append(f"| delivery lag | — | p95 < {API_TARGETS['lag_p95_ms']:,} ms | not measured: "
                   f"{lag.get('worker_error') or 'no event delivered'} | MISSED |")
    else:
        out.append(
            f"| delivery lag, {lag['posted']} results posted in {lag['seconds']} s (asked {lag['rate_per_second']}/s), "
            f"1 worker | p50 {lag['p50_ms']:,} ms, p95 {lag['p95_ms']:,} ms, max {lag['max_ms']:,} ms | p95 < "
            f"{API_TARGETS['lag_p95_ms']:,} ms (ours) | {lag['delivered']} of {lag['events']} events received, "
            f"{lag['duplicates']} twice, {lag['bad_signatures']} bad signatures, {lag['post_errors']} failed "
            f"postings | {verdict(v['lag'])} |")
