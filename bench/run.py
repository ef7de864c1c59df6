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
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(BASE_DIR))

from api_run import api, render_api  # noqa: E402
from jobs_render import render_export_audit, render_report_jobs  # noqa: E402
from outreach_run import outreach, render_outreach  # noqa: E402
from verdicts import (  # noqa: E402
    MODE_TARGET,
    MODES,
    TARGETS,
    backoffice_verdict,
    check_page,
    count_unexpected,
    export_verdict,
    public_verdict,
    queries_verdict,
    verdict,
    wizard_verdicts,
)

from portal import localprod  # noqa: E402  (throwaway local secrets, CREATE DATABASE)

WORKERS = 2
WIZARD_PREFIX = "/register/"


def log(message):
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def _tail(text, limit=1500):
    text = (text or "").strip()
    return text[-limit:]


def _failure(what, output):
    """RuntimeError for a failed command: its last line (the exception) in the table, the end of its output logged."""
    lines = [line.strip() for line in (output or "").strip().splitlines() if line.strip()]
    log(f"{what} failed:\n{_tail(output, 3000)}")
    return RuntimeError(f"{what} failed: {lines[-1] if lines else 'no output'}")


# --- trees: the working tree and, with --baseline, a checkout of another revision ---------------------


class Tree:
    """A project tree to measure: its path, its environment (database, Redis), and why it cannot be, if so."""

    def __init__(self, name, path, env, label):
        self.name = name
        self.path = Path(path)
        self.env = env
        self.label = label
        self.error = None  # set when the tree cannot be prepared or started: the table says so
        self.pages = []
        self.table = None  # the submissions table, for counting rows

    @property
    def ok(self):
        return self.error is None

    def manage(self, *args, timeout=None):
        """Run this tree's manage.py; raise RuntimeError with the end of its output if it fails."""
        result = subprocess.run(
            [sys.executable, str(self.path / "manage.py"), *args], env=self.env, cwd=self.path,
            capture_output=True, text=True, check=False, timeout=timeout,
        )
        if result.returncode != 0:
            raise _failure(f"{self.name}: manage.py {' '.join(args)}", result.stderr or result.stdout)
        return result.stdout

    def probe(self, *args):
        """Run bench/probe.py (this suite's) against this tree's code and database; its JSON result."""
        result = subprocess.run(
            [sys.executable, str(BENCH_DIR / "probe.py"), *args],
            env=dict(self.env, BENCH_TREE=str(self.path)), cwd=self.path, capture_output=True, text=True, check=False,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            raise _failure(f"{self.name}: probe {' '.join(args)}", result.stderr or result.stdout)
        return json.loads(lines[-1])

    def gunicorn_command(self, bind, workers):
        command = [str(Path(sys.executable).parent / "gunicorn")]
        if (self.path / "gunicorn.conf.py").is_file():
            command += ["-c", str(self.path / "gunicorn.conf.py")]
        return [*command, "--chdir", str(self.path), "--bind", bind, "--workers", str(workers), "portal.wsgi"]

    def count_rows(self, references=()):
        """(rows in the submissions table, how many of `references` are in it), by SQL on this tree's database."""
        import psycopg
        from psycopg import sql

        url = self.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        table = sql.Identifier(self.table or "forms_intake_submission")
        with psycopg.connect(url, autocommit=True) as conn:
            rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
            found = 0
            if references:
                query = sql.SQL("SELECT count(*) FROM {} WHERE reference = ANY(%s)").format(table)
                found = conn.execute(query, [list(references)]).fetchone()[0]
        return rows, found


def tree_env(database_url, redis_url, key_prefix):
    env = localprod.production_env(database_url=database_url, redis_url=redis_url, GUNICORN_ACCESS_LOG="",
                                   CACHE_KEY_PREFIX=key_prefix)
    # Phone verification is on in production: the servers text the codes to a file that the simulated
    # residents read (bench/loadgen.py, bench/README.md), unless the environment names another.
    if "SMS_BACKEND" not in os.environ:
        env["SMS_BACKEND"] = "portal.sms.backends.filebased.SmsBackend"
        # One file for every tree, named for the load generator in this process too.
        env["SMS_FILE_PATH"] = os.environ.setdefault("SMS_FILE_PATH", "/tmp/portal-bench-sms.jsonl")  # noqa: S108
    env.pop("PYTHONPATH", None)  # each tree imports its own code (gunicorn --chdir, manage.py's directory)
    return env


def _git(*args):
    return subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout.strip()


def describe_current():
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = len([line for line in _git("status", "--porcelain", "--untracked-files=no").splitlines() if line])
    except (subprocess.CalledProcessError, OSError):
        return "working tree (not a git checkout)"
    return f"working tree at HEAD {head}" + (f" with {changed} changed files" if changed else ", clean")


def checkout_baseline(rev):
    """(path, sha, fresh): a detached worktree of `rev` under BENCH_BASELINE_DIR, reused while it exists."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    root = Path(os.environ.get("BENCH_BASELINE_DIR", "/tmp/portal-bench-baseline"))  # noqa: S108 - a checkout
    root.mkdir(parents=True, exist_ok=True)
    path = root / sha[:12]
    if (path / "manage.py").is_file():
        return path, sha, False
    _git("worktree", "prune")
    if path.exists():
        shutil.rmtree(path)
    _git("worktree", "add", "--detach", "--quiet", str(path), sha)
    return path, sha, True


def recreate_database(database_url):
    """Drop and create the database of `database_url` (the baseline's, when its tree is checked out anew)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = f"postgresql://{parts.netloc}/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(tree, submissions, fresh_database=False):
    """Database, static files, seed content, divisions and `submissions` rows (generated once, then reused)."""
    started = time.monotonic()
    if fresh_database:
        recreate_database(tree.env["DATABASE_URL"])
    else:
        localprod.ensure_database(tree.env["DATABASE_URL"])
    tree.manage("migrate", "--noinput", "-v0")
    tree.manage("collectstatic", "--noinput", "-v0")
    tree.manage("load_portal_content")
    # Older revisions (the baseline) seeded the registration pages in load_portal_content.
    if (tree.path / "forms_intake" / "management" / "commands" / "load_registration_content.py").is_file():
        tree.manage("load_registration_content")
    tree.manage("load_divisions")
    counted = tree.probe("count")
    have, tree.table = counted["submissions"], counted.get("table")
    generated = None
    if have < submissions:
        log(f"{tree.name}: generating {submissions - have:,} submissions (have {have:,})")
        t0 = time.monotonic()
        tree.manage("generate_submissions", str(submissions - have), "--allow-production", "--seed",
                    str(int(time.time())))
        generated = {"rows": submissions - have, "seconds": round(time.monotonic() - t0, 1)}
        log(f"{tree.name}: generated in {generated['seconds']}s")
    return {"seconds": round(time.monotonic() - started, 1), "generated": generated,
            "submissions": max(have, submissions)}


# --- servers and load ------------------------------------------------------------------------------


def _port_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Server:
    """gunicorn with the production settings for one tree on a port, with extra environment (the mode)."""

    def __init__(self, tree, port, workers=WORKERS, **extra_env):
        self.tree = tree
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process = None
        if not _port_free(port):
            raise RuntimeError(f"port {port} is already in use (BENCH_PORT picks another)")
        env = dict(tree.env, WEB_CONCURRENCY=str(workers), **extra_env)
        self.log = open(RESULTS_DIR / f".gunicorn-{port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            tree.gunicorn_command(f"127.0.0.1:{port}", workers), env=env, cwd=tree.path,
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        for _ in range(120):
            try:
                get(self.base, "/healthz/")
                return
            except (OSError, http.client.HTTPException):
                pass
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn on {port} exited: {_tail(Path(self.log.name).read_text(), 400)}")
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn on {port} did not answer within 60 s; see {self.log.name}")

    def worker_rss_mb(self):
        """Resident memory of each worker process (MB)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        try:
            for pid in children.read_text().split():
                status = Path(f"/proc/{pid}/status").read_text()
                kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
                sizes.append(round(kb / 1024))
        except OSError:
            pass
        return sizes

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def get(base, path):
    """(status, headers, body) of one GET, following no redirect (a 302 is answered as a 302)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": "text/html,*/*"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def content_problems(base, path, marker, kind):
    """One real GET of a measured URL checked for its status and content; the problems found."""
    try:
        status, headers, body = get(base, path)
    except (OSError, http.client.HTTPException) as error:
        return [f"GET failed: {type(error).__name__}"]
    return check_page(status, headers.get("content-type"), body, marker, kind)


def load(url, duration, connections):
    """Requests/s, latency and status codes of `url` under `connections` concurrent keep-alive clients."""
    if shutil.which("wrk"):
        # A 10 s timeout so that slow uncached pages are measured, not dropped as timeouts.
        command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
        command += ["-s", str(BENCH_DIR / "wrk_report.lua"), url]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
        if result.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed: {_tail(result.stderr or result.stdout, 300)}")
        data = json.loads(line.split(" ", 1)[1])
        statuses = {str(k): v for k, v in sorted(data["statuses"].items())}
        return {
            "requests": data["requests"],
            "rps": data["requests"] / (data["duration_us"] / 1e6),
            "p50_ms": data["p50_us"] / 1000,
            "p95_ms": data["p95_us"] / 1000,
            "errors": data["errors"],
            "non2xx": count_unexpected(statuses),
            "statuses": statuses,
            "tool": "wrk",
        }
    from loadgen import run_load  # aiohttp fallback (bench/loadgen.py)

    return run_load(url, duration, connections)


def _failed_load(error):
    return {"requests": 0, "rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "errors": 1, "non2xx": 0, "statuses": {},
            "problem": str(error)}


def start_servers(trees, args, modes):
    """{(tree name, mode key): Server or the error string}; port = BENCH_PORT + 3 × tree index + mode index."""
    servers = {}
    for t_index, tree in enumerate(trees):
        for m_index, (key, _label, page_cache, memo, _target) in enumerate(modes):
            if not tree.ok:
                servers[tree.name, key] = f"the {tree.name} tree could not be measured, see above"
                continue
            port = args.port + 3 * t_index + m_index
            try:
                servers[tree.name, key] = Server(tree, port, PAGE_CACHE=page_cache, CONTENT_MEMO=memo)
            except (RuntimeError, OSError) as error:
                servers[tree.name, key] = f"server could not start: {error}"
    return servers


def stop_servers(servers):
    for server in servers.values():
        if isinstance(server, Server):
            server.stop()


def _static_target(server):
    """(server, path of the hashed portal.css the home page links, no marker, "css"), or why there is none."""
    try:
        status, _headers, body = get(server.base, "/")
    except (OSError, http.client.HTTPException) as error:
        return f"home page unreachable ({type(error).__name__})"
    found = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
    if not found:
        return f"no hashed portal.css on the home page (status {status})"
    return server, found.group(1).decode(), None, "css"


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
                        targets[config] = _static_target(server)
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
                    result = _failed_load(error)
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


# --- report --------------------------------------------------------------------------------------

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
        tree.error = f"cannot check out {args.baseline}: {_tail(str(detail), 300)}"
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
            log(f"baseline: the earlier preparation is unusable ({_tail(str(error), 200)}); preparing again")
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
