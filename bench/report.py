"""The benchmark's report: the results of bench/run.py as the markdown tables committed in bench/results/."""

from api_run import render_api
from jobs_render import render_export_audit, render_report_jobs
from outreach_run import render_outreach
from verdicts import MODE_TARGET, MODES, TARGETS, backoffice_verdict, export_verdict, queries_verdict, verdict

MODE_LABEL = {key: label for key, label, *_rest in MODES}


def _target_cell(row):
    if row["page"] == "static file":
        return "—" if row["ok"] else f"MISSED ({row['why']})"
    goal = TARGETS[MODE_TARGET[row["mode"]]]
    cell = f"≥ {goal:.0%}: {verdict(row['ok'])}"
    return cell + (f" ({row['why']})" if row["why"] else "")


def _content_cell(row):
    return "ok" if not row.get("content_problems") else "; ".join(row["content_problems"][:3])


def _tree_of(results, name):
    return next((t for t in results["trees"] if t["name"] == name), None)


def _render_public(results, out):
    rows = [r for r in results["public"] if r["tree"] == "current"]
    out += [
        "## Public pages",
        "",
        "Every status code is counted (no redirect followed); each page is fetched once before and once after each "
        "measurement and must answer 200 with its own heading (`>title</h1>`; the static file: 200 `text/css`). "
        "A verdict is met only with 0 non-2xx, 0 socket errors and every content check passed.",
        "",
        "| page | mode | req/s | p50 ms | p95 ms | % of static | target | requests | non-2xx | errors | content |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        if "missing" in row:
            out.append(f"| {row['page']} | {MODE_LABEL[row['mode']]} | — | — | — | — | MISSED: not measured "
                       f"({row['missing']}) | — | — | — | — |")
            continue
        ratio = "—" if row["vs_static"] is None else f"{row['vs_static']:.1%}"
        out.append(
            f"| {row['page']} `{row['url']}` | {MODE_LABEL[row['mode']]} | {row['rps']:.0f} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {ratio} | {_target_cell(row)} | {row['requests']} | {row['non2xx']} | "
            f"{row['errors']} | {_content_cell(row)} |"
        )


def _render_queries(results, out):
    names = [t["name"] for t in results["trees"]]
    out += ["", f"### Queries per render (page cache off, in process; target ≤ {TARGETS['max_queries']} warm and cold)",
            ""]
    header = "| page | warm | cold | target |"
    rule = "|---|---:|---:|---|"
    if "baseline" in names:
        header += " baseline warm / cold |"
        rule += "---:|"
    out += [header, rule]
    current = _tree_of(results, "current") or {}
    baseline = _tree_of(results, "baseline") or {}
    by_label = {p["page"]: p for p in baseline.get("pages", [])}
    for page in current.get("pages", []):
        if "url" not in page:
            out.append(f"| {page['page']} | — | — | MISSED: not measured ({page.get('missing')}) |"
                       + (" — |" if "baseline" in names else ""))
            continue
        ok = queries_verdict(page.get("queries"), page.get("queries_cold")) and not page.get("problems")
        problems = f" ({'; '.join(page['problems'])})" if page.get("problems") else ""
        line = f"| {page['page']} | {page.get('queries')} | {page.get('queries_cold')} | {verdict(ok)}{problems} |"
        if "baseline" in names:
            other = by_label.get(page["page"])
            line += f" {other['queries']} / {other['queries_cold']} |" if other and "queries" in other else " — |"
        out.append(line)
    if not current.get("pages"):
        why = "the current tree could not be measured, see above" if current.get("error") else "no pages"
        out.append(f"| — | — | — | MISSED: not measured ({why}) |")


def _render_comparison(results, out):
    rows = results["public"]
    out += [
        "",
        "## Baseline vs current (same run, interleaved)",
        "",
        f"Baseline: {results['baseline']['label']}. Current: {_tree_of(results, 'current')['label']}. Each page and "
        "mode is measured on the baseline right after the current tree; ratio = current / baseline.",
        "",
        "| page | mode | req/s baseline | req/s current | ratio | p95 ms baseline / current | % of static baseline / "
        "current | non-2xx + errors baseline / current | verdict baseline / current |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if row["tree"] != "current":
            continue
        other = next((r for r in rows if r["tree"] == "baseline" and r["mode"] == row["mode"]
                      and r["page"] == row["page"]), None)
        b, c = other or {"missing": "not measured"}, row

        def cell(r, fmt, key):
            return "—" if "missing" in r or r.get(key) is None else fmt.format(r[key])

        ratio = "—"
        if "missing" not in b and "missing" not in c and b["rps"]:
            ratio = f"{c['rps'] / b['rps']:.2f}×"

        def bad(r):
            return "—" if "missing" in r else str(r["non2xx"] + r["errors"])

        def ok(r):
            return "not measured" if "missing" in r else verdict(r["ok"])

        out.append(
            f"| {row['page']} | {MODE_LABEL[row['mode']]} | {cell(b, '{:.0f}', 'rps')} | {cell(c, '{:.0f}', 'rps')} | "
            f"{ratio} | {cell(b, '{}', 'p95_ms')} / {cell(c, '{}', 'p95_ms')} | "
            f"{cell(b, '{:.1%}', 'vs_static')} / {cell(c, '{:.1%}', 'vs_static')} | {bad(b)} / {bad(c)} | "
            f"{ok(b)} / {ok(c)} |"
        )
    for row in rows:
        if row["tree"] == "baseline" and "missing" in row and row["page"] == "static file" and row["mode"] == "cached":
            out.append(f"\nBaseline not measured: {row['missing']}.")


def _render_backoffice(results, out):
    if "backoffice" not in results:
        return
    out += ["", "## Back office", ""]
    office = results["backoffice"]
    if office.get("missing"):
        out.append(f"Not measured — MISSED: {office['missing']}.")
        return
    out += [
        f"{office['submissions']:,} submissions; county handler scope {office['county']} "
        f"({office['county_rows']:,} rows); in-process Django client, p50 of 7 after a warm-up. Every answer (the "
        "warm-up too) must be 200, not the sign-in page, and show the screen's marker. The verdict is on the wall "
        "time; the CPU column is the probe process's own (views and templates, not the database): on a loaded "
        "machine the difference is mostly the wait for a core.",
        "",
        "| check | p50 ms | max ms | target | requests | errors | marker | p50 CPU ms (probe process) |",
        "|---|---:|---:|---|---:|---:|---|---:|",
    ]
    for t in office["timings"]:
        if "missing" in t:
            out.append(f"| {t['check']} | — | — | MISSED: not measured ({t['missing']}) | — | — | — | — |")
            continue
        ok, goal = backoffice_verdict(t)
        why = f" ({'; '.join(t['problems'])})" if t.get("problems") else ""
        out.append(
            f"| {t['check']} | {t['p50_ms']} | {t['max_ms']} | < {goal} ms: {verdict(ok)}{why} | {t['requests']} | "
            f"{t['errors']} | {t['marker']} | {t.get('cpu_p50_ms', '—')} |"
        )
    render_report_jobs(office, out)


def _render_export(results, out):
    export = results.get("export")
    if not export:
        return
    if export.get("missing"):
        out += ["", f"CSV export not measured — MISSED: {export['missing']}."]
        return
    via_job = f" through a background job (its task {export['job_seconds']} s)" if export.get("via_job") else ""
    out += [
        "",
        f"CSV export{via_job}: "
        f"status {export['status']}, {export['rows']:,} rows of {export['expected_rows']:,} expected "
        f"({export['bytes'] / 1e6:.0f} MB, streaming: {export['streaming']}) in {export['seconds']} s; peak RSS of "
        f"the process {export['peak_rss_mb']} MB (before: {export['rss_before_mb']} MB) — target < "
        f"{TARGETS['export_peak_mb']} MB with every row: {verdict(export_verdict(export))}.",
    ]
    render_export_audit(export, out)


def _render_wizard(results, out):
    wiz = results.get("wizard")
    if not wiz:
        return
    out += [
        "",
        "## Registration wizard",
        "",
        f"{results['environment']['residents']} simulated residents at once, each registering an employed adult for "
        "themself (8 steps: GET each page, POST it, follow the redirect to the next; 17 requests per registration, "
        "each with a new session and ID number). A registration is completed only when each page is the form of "
        "the expected step, each POST redirects to the expected next step (the last to the receipt) and the receipt "
        "shows a reference number not seen before; anything else is a failed registration. Rows created = "
        "submissions counted by SQL before and after the run; every reference must be in the database.",
        "",
        "Phone verification (`WIZARD_PHONE_VERIFICATION`): "
        + ("**on**: the current tree asks for the SMS code after the review (2 requests more per registration; "
           "the baseline has no such step)."
           if results["environment"].get("phone_verification", True) else
           "**off**: the current tree's wizard without the code step, like for like with the baseline."),
        "",
        f"| tree | completed | per second (≥ {TARGETS['wizard_per_second']}) | failed (0) | rows created "
        f"(= completed) | references in the database | requests | p50 ms | p95 ms (< {TARGETS['wizard_p95_ms']}) "
        "| status codes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, data in wiz.items():
        if "missing" in data:
            out.append(f"| {name} | MISSED: not measured ({data['missing']}) | | | | | | | | |")
            continue
        v = data["verdicts"]
        out.append(
            f"| {name} | {data['completed']} | {data['per_second']:.1f}: {verdict(v['rate'])} | "
            f"{data['failed']}: {verdict(v['errors'])} | {data['rows_created']}: {verdict(v['rows'])} | "
            f"{data['references_found']} | {data['requests']} | {data['p50_ms']:.0f} | "
            f"{data['p95_ms']:.0f}: {verdict(v['p95'])} | "
            + ", ".join(f"{k}: {n}" for k, n in data["statuses"].items()) + " |"
        )
    current, baseline = wiz.get("current", {}), wiz.get("baseline", {})
    if "per_second" in current and "per_second" in baseline and baseline["per_second"]:
        out.append(f"\nCurrent / baseline: {current['per_second'] / baseline['per_second']:.2f}× the registrations "
                   f"per second, p95 {current['p95_ms']:.0f} vs {baseline['p95_ms']:.0f} ms.")
    for name, data in wiz.items():
        if data.get("rows_error"):
            out.append(f"\n{name}: {data['rows_error']}.")
        if data.get("failure_samples"):
            out.append(f"\nFailed registrations ({name}): {'; '.join(data['failure_samples'])}")


_MESSAGE_KEYS = {"error", "missing", "why", "problems", "content_problems", "failure_samples", "rows_error"}


def _one_line(value, key=None):
    """`results` with every message (errors, reasons) on one line and its pipes escaped, for a table cell."""
    if isinstance(value, dict):
        return {k: _one_line(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_line(v, key) for v in value]
    if key in _MESSAGE_KEYS and isinstance(value, str):
        return " ".join(value.split()).replace("|", "\\|")
    return value


def render(results):
    """The result table as markdown (also printed)."""
    results = _one_line(results)
    out = [f"# Benchmark {results['started']}", ""]
    env = results["environment"]
    out += [
        f"Machine: {env['cpus']} CPUs, {env['load_before']} load average before the run; "
        f"gunicorn {env['workers']} sync workers per server, PostgreSQL + Redis, production settings; "
        f"{env['connections']} connections, {env['duration']} s per measurement, "
        f"median of {env['runs']} interleaved runs ({env['tool']}). Command: `{env['command']}`.",
        "",
    ]
    for tree in results["trees"]:
        out.append(f"- {tree['name']}: {tree['label']}"
                   + (f" — **could not be measured: {tree['error']}**" if tree.get("error") else ""))
    out.append("")
    if results.get("public") is not None:
        _render_public(results, out)
        _render_queries(results, out)
        if results.get("baseline"):
            _render_comparison(results, out)
    _render_backoffice(results, out)
    _render_export(results, out)
    _render_wizard(results, out)
    render_outreach(results.get("outreach"), out)
    render_api(results.get("api"), out)
    out += ["", "## Memory", ""]
    for name, sizes in results.get("worker_rss_mb", {}).items():
        out.append(f"- gunicorn workers, {name}: {', '.join(f'{s} MB' for s in sizes) or '—'} RSS after the run")
    for name, data in (results.get("wizard") or {}).items():
        if data.get("worker_rss_mb"):
            out.append(f"- gunicorn workers after the wizard run ({name}): "
                       f"{', '.join(f'{s} MB' for s in data['worker_rss_mb'])}")
    for tree in results["trees"]:
        generated = (tree.get("prepare") or {}).get("generated")
        if generated:
            out.append(f"- {tree['name']}: generated {generated['rows']:,} submissions in {generated['seconds']} s")
    out += ["", f"Total time: {results['seconds']:.0f} s.", ""]
    for note in results.get("notes", []):
        out.append(f"- {note}")
    return "\n".join(out) + "\n"
