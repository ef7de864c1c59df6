"""The benchmark suite (`make bench`): production stack on this machine, measured side by side in one run.

1. Public pages (home, notice, Q&A, schedule) under gunicorn with the production
   settings (2 sync workers), in three modes — page cache on; page cache off with
   the memo of page parts on; both off — next to a static file served by the same
   servers: requests/s, p50/p95 (wrk, 16 connections, median of interleaved runs),
   every status code counted, each page checked for its content before and after
   each measurement, and each page's query count warm and cold.
2. Registration wizard: simulated residents completing it concurrently; a
   registration counts when every step answered as expected and the receipt shows
   a new reference number, and the rows created must equal the completions.
3. Back office at one million submissions (generated if missing): queue list,
   filters, a deep page, detail, dashboard, statistics, ID search, each answer
   checked to be the expected screen; CSV export memory.
4. Resident memory of the gunicorn workers after the run.

`--baseline REV` also checks REV out into a git worktree (under /tmp) and measures
the public pages and the wizard of both trees in the same run, interleaved, each
tree with its own database and Redis database; the tables then show baseline and
current side by side.

Prints a table with the targets beside the figures and writes
bench/results/<timestamp>.json and .md (and latest.md). See bench/README.md.

Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/bench),
BENCH_REDIS_URL (redis://127.0.0.1:6379/0), BENCH_PORT (8110; uses it and the next
five), BENCH_BASELINE_DATABASE_URL (…/bench_baseline), BENCH_BASELINE_REDIS_URL
(redis://127.0.0.1:6379/1), BENCH_BASELINE_DIR (/tmp/portal-bench-baseline).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

from api_run import api
from outreach_run import outreach
from report import render
from stack import (  # puts the project on sys.path for the probes
    BASE_DIR,
    RESULTS_DIR,
    WORKERS,
    Server,
    Tree,
    checkout_baseline,
    content_problems,
    describe_current,
    failed_load,
    load,
    log,
    prepare,
    start_servers,
    static_target,
    stop_servers,
    tail,
    tree_env,
)
from verdicts import MODES, TARGETS, public_verdict, wizard_verdicts

WIZARD_PREFIX = "/register/"



def public_pages(trees, args):
    """Interleaved runs over mode × (static + pages) × tree; the median of each, and every check."""
    servers = start_servers(trees, args, MODES)
    rss = {}
    configs = []  # (mode, label, tree name); the trees of one page and mode measured one after the other
    targets = {}  # config -> (server, path, marker, kind) or an error string
    try:
        labels = ["static file"]
        for tree in trees:
            labels += [p["page"] for p in tree.pages if "url" in p and p["page"] not in labels]
        for key, *_rest in MODES:
            for label in labels:
                for tree in trees:
                    config = (key, label, tree.name)
                    configs.append(config)
                    server = servers[tree.name, key]
                    if not isinstance(server, Server):
                        targets[config] = server
                        continue
                    if label == "static file":
                        targets[config] = static_target(server)
                        continue
                    page = next((p for p in tree.pages if p["page"] == label and "url" in p), None)
                    targets[config] = (
                        (server, page["url"], page["marker"], "html") if page else f"no {label} page in this tree"
                    )
        for target in targets.values():  # warm every worker and the page cache
            if not isinstance(target, str):
                for _ in range(4):
                    content_problems(target[0].base, target[1], target[2], target[3])
        runs = {config: [] for config in configs}
        problems = {config: [] for config in configs}
        for run in range(args.runs):
            for config in configs:
                target = targets[config]
                if isinstance(target, str):
                    continue
                server, path, marker, kind = target
                problems[config] += [f"before: {p}" for p in content_problems(server.base, path, marker, kind)]
                try:
                    result = load(server.base + path, args.duration, args.connections)
                except (RuntimeError, OSError) as error:
                    result = failed_load(error)
                    problems[config].append(str(error))
                problems[config] += [f"after: {p}" for p in content_problems(server.base, path, marker, kind)]
                runs[config].append(result)
                key, label, tree_name = config
                log(f"run {run + 1}/{args.runs} {tree_name:<8} {key:<6} {label:<12} {result['rps']:8.0f} req/s  "
                    f"p50 {result['p50_ms']:.1f} ms  p95 {result['p95_ms']:.1f} ms  "
                    f"non-2xx {result['non2xx']}  errors {result['errors']}")
        for (tree_name, key), server in servers.items():
            if isinstance(server, Server):
                rss[f"{tree_name}, {key}"] = server.worker_rss_mb()
    finally:
        stop_servers(servers)
    rows = []
    for config in configs:
        key, label, tree_name = config
        target = targets[config]
        results = runs.get(config, [])
        row = {"tree": tree_name, "mode": key, "page": label}
        if isinstance(target, str) or not results:
            row.update({"missing": target if isinstance(target, str) else "not measured"})
            rows.append(row)
            continue
        statuses = Counter()
        for r in results:
            statuses.update(r["statuses"])
        row.update(
            {
                "url": target[1],
                "rps": round(statistics.median(r["rps"] for r in results), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 1),
                "p95_ms": round(statistics.median(r["p95_ms"] for r in results), 1),
                "requests": sum(r["requests"] for r in results),
                "errors": sum(r["errors"] for r in results),
                "non2xx": sum(r["non2xx"] for r in results),
                "statuses": dict(sorted(statuses.items())),
                "content_problems": sorted(set(problems[config])),
                "runs": [round(r["rps"], 1) for r in results],
            }
        )
        rows.append(row)
    for row in rows:
        if "missing" in row:
            continue
        static = next((r for r in rows if r["tree"] == row["tree"] and r["mode"] == row["mode"]
                       and r["page"] == "static file" and "missing" not in r), None)
        row["vs_static"] = round(row["rps"] / static["rps"], 3) if static and static["rps"] else None
        row["ok"], row["why"] = public_verdict(row)
    return rows, rss


def wizard(trees, args):
    """Simulated residents completing the whole wizard (page cache on, as in production), trees interleaved."""
    from loadgen import run_wizard

    modes = [m for m in MODES if m[0] == "cached"]
    servers = start_servers(trees, args, modes)
    results = {}
    try:
        live = []
        for tree in trees:
            server = servers[tree.name, "cached"]
            if not isinstance(server, Server):
                results[tree.name] = {"missing": server}
                continue
            try:
                run_wizard(server.base, WIZARD_PREFIX, 3, 2)  # warm-up
                rows_before, _ = tree.count_rows()
            except Exception as error:  # noqa: BLE001 - whatever it is, the table says it
                results[tree.name] = {"missing": f"{type(error).__name__}: {error}"}
                continue
            live.append(tree)
            results[tree.name] = {"rows_before": rows_before, "segments": []}
        for _run in range(args.runs):
            for tree in live:
                segment = run_wizard(servers[tree.name, "cached"].base, WIZARD_PREFIX, args.duration, args.residents)
                results[tree.name]["segments"].append(segment)
                log(f"wizard {tree.name:<8} {segment['completed']} completed, {segment['failed']} failed, "
                    f"{segment['per_second']:.1f}/s, p95 {segment['p95_ms']:.0f} ms")
        for tree in live:
            results[tree.name]["worker_rss_mb"] = servers[tree.name, "cached"].worker_rss_mb()
    finally:
        stop_servers(servers)
    for tree in live:
        data = results[tree.name]
        segments = data.pop("segments")
        references = set().union(*(s["references"] for s in segments))
        try:
            rows_after, found = tree.count_rows(references)
        except Exception as error:  # noqa: BLE001 - the table says it, and the verdict is MISSED
            rows_after, found = None, None
            data["rows_error"] = f"rows not counted: {type(error).__name__}: {error}"
        latencies = [latency for s in segments for latency in s["latencies"]]
        failures = Counter()
        statuses = Counter()
        for s in segments:
            failures.update(s["failures"])
            statuses.update(s["statuses"])
        # A reference seen in two segments would be a duplicate too.
        duplicates = sum(s["completed"] for s in segments) - len(references)
        if duplicates:
            failures["the same reference number on two receipts"] += duplicates
        seconds = sum(s["seconds"] for s in segments)
        ordered = sorted(latencies)
        data.update(
            {
                "residents": args.residents,
                "seconds": round(seconds, 1),
                "completed": len(references),
                "failed": sum(failures.values()),
                "failure_samples": [f"{n}× {reason}" for reason, n in failures.most_common(5)],
                "per_second": len(references) / seconds if seconds else 0.0,
                "requests": len(latencies),
                "p50_ms": statistics.median(latencies) if latencies else 0.0,
                "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0,
                "statuses": dict(sorted(statuses.items())),
                "rows_after": rows_after,
                "rows_created": None if rows_after is None else rows_after - data["rows_before"],
                "references_found": found,
            }
        )
        data["verdicts"] = wizard_verdicts(data)
    return results


def ensure_wrk():
    """wrk from Debian when it is missing and we may install it (root); else the aiohttp fallback is used."""
    if shutil.which("wrk") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    log("installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, check=False)


# --- main ------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark suite (see bench/README.md)")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")),
                        help="seconds per load measurement (the issue's 20 s does not fit the 20-minute budget)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs; the median is reported")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8110")),
                        help="first of six ports (3 modes × current, baseline)")
    parser.add_argument("--residents", type=int, default=16, help="simulated residents in the wizard at once")
    parser.add_argument("--skip", default="",
                        help="comma-separated parts to skip: public,wizard,backoffice,export,outreach,api")
    parser.add_argument("--outreach-rows", type=int, default=5_000_000,
                        help="rows of the population file and of the insured file (outreach part)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also measure git revision REV (public pages and wizard), side by side, interleaved")
    args = parser.parse_args(argv)
    extra = " ".join(argv if argv is not None else sys.argv[1:])
    skip = set(filter(None, args.skip.split(",")))
    unknown = skip - {"public", "wizard", "backoffice", "export", "outreach", "api"}
    if unknown:
        parser.error(f"unknown parts to skip: {', '.join(sorted(unknown))}")
    RESULTS_DIR.mkdir(exist_ok=True)
    started = time.monotonic()
    ensure_wrk()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
    current = Tree("current", BASE_DIR, tree_env(database_url, os.environ.get("BENCH_REDIS_URL",
                   "redis://127.0.0.1:6379/0"), "bench"), describe_current())
    trees = [current]
    results = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "environment": {
            "cpus": os.cpu_count(),
            "load_before": round(os.getloadavg()[0], 1),
            "workers": WORKERS,
            "connections": args.connections,
            "duration": args.duration,
            "runs": args.runs,
            "residents": args.residents,
            "tool": "wrk" if shutil.which("wrk") else "aiohttp",
            "command": "make bench" + (f" BENCH_ARGS='{extra}'" if extra else ""),
            # The servers inherit it; production's default is on (portal/settings/base.py).
            "phone_verification": os.environ.get("WIZARD_PHONE_VERIFICATION", "1") == "1",
        },
        "targets": TARGETS,
        "notes": [],
    }
    # Only the back office and the export need the million rows; without them, none are generated.
    submissions = 0 if {"backoffice", "export", "outreach", "api"} <= skip else args.submissions
    log("preparing the database (migrate, static files, seed content, divisions"
        + (f", {submissions:,} submissions)" if submissions else ")"))
    prepared = {}
    try:
        prepared["current"] = prepare(current, submissions)
    except Exception as error:  # noqa: BLE001 - whatever it is, the table says it (psycopg errors included)
        current.error = f"preparing failed: {error}"
        log(f"current tree: {current.error}")
    if args.baseline:
        baseline = prepare_baseline(args, database_url, prepared)
        trees.append(baseline)
        results["baseline"] = {"rev": args.baseline, "label": baseline.label, "error": baseline.error}
        results["notes"].append(
            "The baseline's database holds the seed content, the divisions and the wizard's registrations only "
            "(no generated submissions): it serves the public pages and the wizard, not the back office.")
    for tree in trees:
        if not tree.ok:
            continue
        try:
            tree.pages = tree.probe("pages")["pages"]
        except RuntimeError as error:
            if tree is current:
                tree.error = str(error)
            else:
                tree.pages = [dict(p) for p in current.pages]  # the same URLs and markers, no query counts
                for page in tree.pages:
                    page.pop("queries", None)
                results["notes"].append(f"Baseline query counts not measured: {error}")
    if "public" not in skip:
        log("public pages")
        results["public"], results["worker_rss_mb"] = public_pages(trees, args)
    if "backoffice" not in skip:
        log("back office")
        results["backoffice"] = _current_probe(current, "backoffice")
    if "export" not in skip:
        log("CSV export")
        results["export"] = _current_probe(current, "export", "100000")
    if "wizard" not in skip:
        log("wizard")
        results["wizard"] = wizard(trees, args)
    if "outreach" not in skip:
        log(f"outreach: {args.outreach_rows:,} population and insured rows")
        results["outreach"] = outreach(current, args.outreach_rows, log) if current.ok else {
            "missing": "the current tree could not be measured, see above"}
    if "api" not in skip:
        log("api: change feed, result postings, webhook delivery lag")
        results["api"] = api(current, args.duration, log)
    results["trees"] = [
        {"name": t.name, "label": t.label, "path": str(t.path), "error": t.error, "pages": t.pages,
         "prepare": prepared.get(t.name)}
        for t in trees
    ]
    results["seconds"] = time.monotonic() - started
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))  # before rendering
    table = render(results)
    (RESULTS_DIR / f"{stamp}.md").write_text(table)
    (RESULTS_DIR / "latest.md").write_text(table)
    print()
    print(table)
    log(f"written bench/results/{stamp}.json and .md ({results['seconds']:.0f} s)")


def _current_probe(tree, *args):
    if not tree.ok:
        return {"missing": "the current tree could not be measured, see above"}
    try:
        return tree.probe(*args)
    except RuntimeError as error:
        return {"missing": str(error)}


def prepare_baseline(args, current_database_url, prepared):
    """The baseline tree, checked out and prepared; its error set (never raised) when that fails."""
    database_url = os.environ.get("BENCH_BASELINE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_baseline")
    redis_url = os.environ.get("BENCH_BASELINE_REDIS_URL", "redis://127.0.0.1:6379/1")
    env = tree_env(database_url, redis_url, "bench-baseline")
    tree = Tree("baseline", BASE_DIR, env, f"{args.baseline} (not checked out)")
    if database_url == current_database_url:
        tree.error = "BENCH_BASELINE_DATABASE_URL is the current tree's database"
        return tree
    try:
        path, sha, fresh = checkout_baseline(args.baseline)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", "") or error
        tree.error = f"cannot check out {args.baseline}: {tail(str(detail), 300)}"
        return tree
    tree.path = path
    tree.label = f"{args.baseline} = {sha[:10]} (worktree {path}, database {urlsplit(database_url).path.lstrip('/')})"
    # The database belongs to one checkout (its media files live in the worktree): a new checkout, or another
    # revision, starts from an empty database.
    owner = path.parent / "database-owner"
    stamp = f"{sha} {database_url}"
    fresh_database = fresh or not owner.is_file() or owner.read_text().strip() != stamp
    if not fresh_database:
        # A checkout of a commit does not change: prepared once, its database only needs to be there.
        try:
            counted = tree.probe("count")
            tree.table = counted.get("table")
            log(f"baseline {sha[:10]} in {path}: prepared by an earlier run, {counted['submissions']:,} submissions")
            prepared["baseline"] = {"seconds": 0, "generated": None, "submissions": counted["submissions"],
                                    "reused": True}
            return tree
        except RuntimeError as error:
            log(f"baseline: the earlier preparation is unusable ({tail(str(error), 200)}); preparing again")
    log(f"preparing the baseline {sha[:10]} in {path}" + (" (new database)" if fresh_database else ""))
    try:
        prepared["baseline"] = prepare(tree, 0, fresh_database=fresh_database)
        owner.write_text(stamp + "\n")
    except Exception as error:  # noqa: BLE001 - whatever it is, the table says it (psycopg errors included)
        tree.error = f"preparing failed: {error}"
        log(f"baseline: {tree.error}")
    return tree


if __name__ == "__main__":
    main()
