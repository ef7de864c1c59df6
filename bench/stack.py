"""What a benchmark runs against: the trees (the working tree, a baseline checkout), their databases, and
gunicorn servers with the production settings; plain HTTP helpers and wrk for the load."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from verdicts import check_page, count_unexpected  # noqa: E402

from portal import localprod  # noqa: E402  (throwaway local secrets, CREATE DATABASE)

WORKERS = 2


def log(message):
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def tail(text, limit=1500):
    text = (text or "").strip()
    return text[-limit:]


def _failure(what, output):
    """RuntimeError for a failed command: its last line (the exception) in the table, the end of its output logged."""
    lines = [line.strip() for line in (output or "").strip().splitlines() if line.strip()]
    log(f"{what} failed:\n{tail(output, 3000)}")
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
                raise RuntimeError(f"gunicorn on {port} exited: {tail(Path(self.log.name).read_text(), 400)}")
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
            raise RuntimeError(f"wrk failed: {tail(result.stderr or result.stdout, 300)}")
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


def failed_load(error):
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


def static_target(server):
    """(server, path of the hashed portal.css the home page links, no marker, "css"), or why there is none."""
    try:
        status, _headers, body = get(server.base, "/")
    except (OSError, http.client.HTTPException) as error:
        return f"home page unreachable ({type(error).__name__})"
    found = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
    if not found:
        return f"no hashed portal.css on the home page (status {status})"
    return server, found.group(1).decode(), None, "css"
