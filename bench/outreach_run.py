"""The outreach part of the suite (issue 12, "Scale and speed"): import, compare, roster, visit, on PostgreSQL.

Stages, each in its own process (bench/outreach_probe.py), timed from here:

1. generate a population file and an insured file of ``rows`` rows each (bench/outreach_data.py) with a
   manifest of what the comparison must find (not part of the total: the files stand for the data
   holders' exports);
2. import the population file, then the insured file, each through the import job (the task function);
3. run the comparison job the imports queued (roster, coverage, 已参保 flags) against the submissions;
4. a township's roster page (5,000 people in scope) and recording a visit, through the Django client.

The total is stages 2 and 3 (< 15 minutes); every process's peak RSS (< 500 MB). A verdict is met only
when every stage found what the manifest says (verdicts.outreach_problems).
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verdicts import OUTREACH_TARGETS, outreach_problems, outreach_verdicts, verdict

BENCH_DIR = Path(__file__).resolve().parent


def _probe(tree, *args, timeout=4 * 3600):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / "outreach_probe.py"), *args], env=dict(tree.env, BENCH_TREE=str(tree.path)),
        cwd=tree.path, capture_output=True, text=True, check=False, timeout=timeout,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        tail = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(f"outreach_probe {args[0]} failed: {tail[-1] if tail else 'no output'}")
    data = json.loads(lines[-1])
    data["wall_seconds"] = round(time.monotonic() - started, 1)
    return data


def outreach(tree, rows, log):
    """Every stage's figures and the verdicts; a failed stage is recorded (never raised)."""
    result = {"rows": rows, "peak_rss_mb": {}}
    with tempfile.TemporaryDirectory(prefix="bench-outreach-") as folder:
        try:
            _probe(tree, "reset")
            log(f"outreach: generating {rows:,} + {rows:,} rows")
            manifest = _probe(tree, "generate", folder, str(rows))
            result.update(generate=manifest, expect=manifest["expect"])
            result["peak_rss_mb"]["generator"] = manifest.get("peak_rss_mb")
            total = 0.0
            for kind in ("population", "insured"):
                log(f"outreach: importing the {kind} file")
                stage = _probe(tree, "import", kind, str(Path(folder) / f"{kind}.csv"))
                result[kind] = stage
                total += stage["wall_seconds"]
                result["peak_rss_mb"][f"{kind} import"] = stage.get("peak_rss_mb")
                result["peak_rss_mb"][f"{kind} import, PostgreSQL backend"] = stage.get("db_backend_peak_mb")
                log(f"outreach: {kind}: {stage['wall_seconds']} s, {stage.get('rows_per_second')} rows/s")
            log("outreach: comparison")
            stage = _probe(tree, "compare")
            result["compare"] = stage
            total += stage["wall_seconds"]
            result["peak_rss_mb"]["comparison"] = stage.get("peak_rss_mb")
            result["peak_rss_mb"]["comparison, PostgreSQL backend"] = stage.get("db_backend_peak_mb")
            result["total_seconds"] = round(total, 1)
            log(f"outreach: comparison {stage['wall_seconds']} s; total {total:.0f} s")
            result["screens"] = _probe(tree, "screens", manifest["focus"])
            result["peak_rss_mb"]["screens"] = result["screens"].get("peak_rss_mb")
        except (RuntimeError, subprocess.TimeoutExpired, KeyError) as error:
            result["error"] = str(error)
            log(f"outreach: {error}")
    result["problems"] = outreach_problems(result)
    if result.get("error"):
        result["problems"].insert(0, result["error"])
    result["verdicts"] = outreach_verdicts(result)
    return result


def _rate(stage, rows_key="rows"):
    seconds = stage.get("wall_seconds")
    return f"{stage.get(rows_key, 0) / seconds:,.0f}" if seconds else "—"


def render_outreach(data, out):
    """The outreach section of the result table (markdown lines appended to `out`)."""
    if not data:
        return
    out += ["", "## Outreach: imports, comparison, roster", ""]
    if data.get("missing"):
        out.append(f"Not measured — MISSED: {data['missing']}.")
        return
    v = data.get("verdicts", {})
    gen = data.get("generate") or {}
    out += [
        f"{data['rows']:,} population rows and {data['rows']:,} insured rows (bench/outreach_data.py, generated in "
        f"{gen.get('seconds', '—')} s, {gen.get('rows_per_second') or 0:,} rows/s, not counted); each stage a "
        "separate process running the job's task function; wall time includes the process start.",
        "",
        "| stage | wall s | rows | rows/s | result |",
        "|---|---:|---:|---:|---|",
    ]
    for kind in ("population", "insured"):
        stage = data.get(kind)
        if stage:
            out.append(f"| import {kind} | {stage['wall_seconds']} | {stage.get('rows', 0):,} | {_rate(stage)} | "
                       f"{stage.get('state')}: {stage.get('imported', 0):,} imported, {stage.get('rejected', 0):,} "
                       "rejected |")
    compare = data.get("compare")
    if compare:
        counts = compare.get("result") or {}
        summary = ", ".join(f"{k} {counts.get(k, 0):,}" for k in
                            ("insured", "registered", "unregistered", "deceased", "moved_out"))
        out.append(f"| comparison | {compare['wall_seconds']} | {counts.get('population_rows', 0):,} | "
                   f"{_rate({'rows': counts.get('population_rows', 0), 'wall_seconds': compare['wall_seconds']})} | "
                   f"{compare.get('job_state')}: {summary}; {compare.get('roster_entries', 0):,} roster entries; "
                   f"suspects {compare.get('suspects')} |")
    total = data.get("total_seconds")
    peaks = {k: p for k, p in data.get("peak_rss_mb", {}).items() if p is not None}
    out += [
        "",
        f"- Total (imports + comparison): {total if total is not None else '—'} s — target < "
        f"{OUTREACH_TARGETS['total_seconds']} s: {verdict(v.get('total'))}",
        f"- Peak RSS: {', '.join(f'{k} {p} MB' for k, p in peaks.items()) or '—'} — target < "
        f"{OUTREACH_TARGETS['peak_rss_mb']} MB each: {verdict(v.get('memory'))}",
    ]
    screens = data.get("screens") or {}
    page, visit = screens.get("roster_page") or {}, screens.get("visit") or {}
    if page:
        out.append(f"- Roster page of the township ({page.get('in_scope', 0):,} people in scope; {page['marker']}): "
                   f"p50 {page.get('p50_ms')} ms, max {page.get('max_ms')} ms, {page.get('errors')} errors of "
                   f"{page.get('requests')} — target < {OUTREACH_TARGETS['roster_p50_ms']} ms: "
                   f"{verdict(v.get('roster'))}")
    if visit:
        out.append(f"- Recording a visit (未见到本人; {visit['marker']}): p50 {visit.get('p50_ms')} ms, max "
                   f"{visit.get('max_ms')} ms, {visit.get('errors')} errors of {visit.get('requests')} — target < "
                   f"{OUTREACH_TARGETS['visit_p50_ms']} ms: {verdict(v.get('visit'))}")
    if data.get("problems"):
        out.append(f"- Problems: {'; '.join(data['problems'])}")
