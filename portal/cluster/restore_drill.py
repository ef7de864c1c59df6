"""Backup and restore drill on the local cluster: `make restore-drill` (docs/deploy.md, "Backup and restore").

    python -m portal.cluster restore-drill [--sample 20] [--min-rows 2000] [--keep]

With `make cluster` running, one run of this module

1. tops the primary up to `--min-rows` synthetic submissions (generate_submissions) when it has fewer,
   so that several states and thousands of encrypted values are compared;
2. takes a base backup of the primary with `pg_basebackup` (tar, gzip, the WAL streamed into the
   backup: `-X stream`, so the copy is consistent on its own) and, in a directory of its own (0700,
   files 0600), the settings that the data is useless without: SECRET_KEY, FIELD_ENCRYPTION_KEYS,
   LOOKUP_HASH_KEY;
3. restores the backup into a fresh PostgreSQL 15 data directory on port 5435, checks it against the
   backup's manifest (`pg_verifybackup`), starts it, and starts one gunicorn app server (8105, production
   settings, a Redis of its own on 6381) with only the kept keys;
4. shows the portal serving from it (/healthz/, the home page, the registration page), compares the
   submissions per state with the primary (SQL on both), and decrypts a sample of ID and phone numbers
   through the app (`manage.py registration_fingerprint`: same keyed fingerprint on both sides, hashes
   match); as a control, the same check with a fresh encryption key must decrypt nothing;
5. stops what it started (app server, Redis, restored PostgreSQL, by pid file and data directory) and
   removes its directory (`--keep` keeps the files), even when a step fails.

The result table goes to bench/results/restore-<timestamp>.md; the exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

from portal.cluster.stack import (
    BASE_DIR,
    PG_BIN,
    PORTS,
    Cluster,
    as_postgres,
    base_backup,
    configure_port,
    log,
    own_dir,
    pg_ctl,
    pg_running,
    port_free,
    psql,
    run,
    spawn,
    stop_pid,
    wait_for_port,
    wait_healthy,
)
from portal.localprod import gunicorn_command, production_env

RESTORED_PG, RESTORED_REDIS, RESTORED_APP = 5435, 6381, 8105
KEPT = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY")
STATES_SQL = "SELECT status, count(*) FROM forms_intake_submission GROUP BY status ORDER BY status"


class RestoreDrill:
    """One drill under `root`: backup/, keys/, data/ (the restored cluster), run/, logs/."""

    def __init__(self, cluster, root, sample, min_rows):
        self.cluster, self.root, self.sample, self.min_rows = cluster, root, sample, min_rows
        self.backup, self.keys, self.data = root / "backup", root / "keys", root / "data"
        self.run, self.logs = root / "run", root / "logs"
        self.rows: list[tuple[str, str, bool | None, float]] = []  # step, result, ok, seconds
        self.states: dict[str, tuple[int, int]] = {}

    def step(self, name, function):
        """Run one step, time it and record its result line; a step returns (result text, ok or None)."""
        log(f"restore drill: {name}")
        started = time.monotonic()
        result, ok = function()
        self.rows.append((name, result, ok, time.monotonic() - started))
        return ok

    # --- the steps -----------------------------------------------------------------------------------
    def top_up(self):
        have = int(psql(PORTS.primary, "SELECT count(*) FROM forms_intake_submission"))
        if have >= self.min_rows:
            return f"{have} submissions on the primary", None
        manage(self.cluster.direct_env(), "generate_submissions", str(self.min_rows - have), "--allow-production",
               "--seed", str(int(time.time())), "--workers", "1")
        return f"{have} + {self.min_rows - have} synthetic (generate_submissions)", None

    def take_backup(self):
        base_backup(PORTS.primary, self.backup, standby=False, tar=True)
        files = sorted(path.name for path in self.backup.iterdir())
        size = sum(path.stat().st_size for path in self.backup.iterdir()) / 1e6
        return f"{', '.join(files)} ({size:.1f} MB)", {"base.tar.gz", "pg_wal.tar.gz", "backup_manifest"} <= set(files)

    def keep_keys(self):
        env = self.cluster.env()
        self.keys.mkdir(mode=0o700)
        for name in KEPT:
            path = self.keys / name
            path.write_text(env[name] + "\n")
            path.chmod(0o600)
        modes = {oct(path.stat().st_mode & 0o777) for path in self.keys.iterdir()}
        return f"{len(KEPT)} files in keys/ (dir 0700, files {', '.join(sorted(modes))})", modes == {"0o600"}

    def restore(self):
        own_dir(self.data)
        self.data.chmod(0o700)
        run(as_postgres(["tar", "-xzf", str(self.backup / "base.tar.gz"), "-C", str(self.data)]))
        run(as_postgres(["tar", "-xzf", str(self.backup / "pg_wal.tar.gz"), "-C", str(self.data / "pg_wal")]))
        verified = subprocess.run(  # noqa: S603 - PostgreSQL's own tool on our directory
            as_postgres([str(PG_BIN / "pg_verifybackup"), "-m", str(self.backup / "backup_manifest"),
                         "-w", str(self.data / "pg_wal"), str(self.data)]),
            capture_output=True, text=True,
        )
        configure_port(self.data, RESTORED_PG, self.run)
        pg_ctl(self.data, "start", self.logs / "postgresql.log")
        wait_for_port(RESTORED_PG)
        recovering = psql(RESTORED_PG, "SELECT pg_is_in_recovery()")
        ok = verified.returncode == 0 and recovering == "f"
        return (f"pg_verifybackup: {verified.stdout.strip() or verified.stderr.strip()}; "
                f"PostgreSQL on {RESTORED_PG}, in recovery: {recovering}"), ok

    def start_app(self):
        run(["/usr/bin/redis-server", "--port", str(RESTORED_REDIS), "--bind", "127.0.0.1", "--daemonize", "yes",
             "--pidfile", str(self.run / "redis.pid"), "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--logfile", str(self.logs / "redis.log")])
        wait_for_port(RESTORED_REDIS)
        command = gunicorn_command(f"127.0.0.1:{RESTORED_APP}", workers=1)
        spawn(command, self.env(), self.logs / "app.log", pid_file=self.run / "app.pid")
        wait_healthy(RESTORED_APP, seconds=120)
        return f"gunicorn on {RESTORED_APP} with the kept keys only, DATABASE_URL on {RESTORED_PG}", True

    def serve(self):
        # Each page with a word of its own content (from the restored database, through a cold cache).
        pages = {"/healthz/": "", "/": "参保", "/register/": "参保", "/en/": "Insurance"}
        answers = [(path, *get(RESTORED_APP, path)) for path in pages]
        ok = all(status == 200 and pages[path].encode() in body for path, status, body in answers)
        return ", ".join(f"{path} {status} ({len(body)} bytes)" for path, status, body in answers), ok

    def compare_states(self):
        source, restored = states(PORTS.primary), states(RESTORED_PG)
        self.states = {state: (source.get(state, 0), restored.get(state, 0)) for state in sorted({*source, *restored})}
        return (f"{sum(source.values())} on the primary, {sum(restored.values())} restored, "
                f"{len(self.states)} states"), source == restored

    def compare_fingerprints(self):
        nonce = secrets.token_hex(32)
        source = fingerprint(self.cluster.direct_env(), nonce, self.sample)
        restored = fingerprint(self.env(), nonce, self.sample)
        whole = restored["sample"] > 0 and all(
            restored[key] == restored["sample"] for key in ("decrypted", "id hashes match", "phone hashes match")
        )
        return (f"{restored['decrypted']}/{restored['sample']} decrypted, ID hashes {restored['id hashes match']}, "
                f"phone hashes {restored['phone hashes match']}, fingerprint "
                f"{'equal' if source['fingerprint'] == restored['fingerprint'] else 'DIFFERENT'} to the primary's; "
                f"counts by state {'equal' if source['by_status'] == restored['by_status'] else 'DIFFERENT'}"
                ), whole and source == restored

    def control(self):
        wrong = fingerprint(self.env(FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode()), secrets.token_hex(32),
                            self.sample)
        return f"a fresh FIELD_ENCRYPTION_KEYS decrypts {wrong['decrypted']}/{wrong['sample']}", wrong["decrypted"] == 0

    # --- environment and clean-up --------------------------------------------------------------------
    def env(self, **overrides):
        kept = {name: (self.keys / name).read_text().strip() for name in KEPT}
        return production_env(
            database_url=f"postgres://postgres@127.0.0.1:{RESTORED_PG}/portal",
            redis_url=f"redis://127.0.0.1:{RESTORED_REDIS}/0",
            JOBS_FILES_DIR=str(self.root / "jobs"), WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="",
            **{**kept, **overrides},
        )

    def clean_up(self, keep=False):
        stop_pid(self.run / "app.pid", grace=20)
        stop_pid(self.run / "redis.pid")
        if pg_running(self.data):
            run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                stdout=subprocess.DEVNULL)
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)


# --- helpers ---------------------------------------------------------------------------------------------


def manage(env, *args):
    out = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR,
        capture_output=True, text=True, check=True, timeout=600,
    )
    return out.stdout


def fingerprint(env, nonce, sample):
    return json.loads(manage(env, "registration_fingerprint", "--nonce", nonce, "--sample", str(sample))
                      .strip().splitlines()[-1])


def states(port):
    return {state: int(n) for state, _, n in (line.partition("|") for line in psql(port, STATES_SQL).splitlines())}


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def report(drill, seconds):
    mark = {True: "ok", False: "**FAILED**", None: "-"}
    lines = ["# Backup and restore drill (`make restore-drill` on `make cluster`)", "",
             "| step | result | check | seconds |", "|---|---|---|---|",
             *[f"| {name} | {result} | {mark[ok]} | {secs:.1f} |" for name, result, ok, secs in drill.rows], "",
             "| state | primary | restored |", "|---|---|---|",
             *[f"| {state} | {a} | {b} |" for state, (a, b) in drill.states.items()], "",
             f"- total: {seconds:.0f} s; sample decrypted: {drill.sample} rows (first by reference number)",
             f"- restored PostgreSQL {RESTORED_PG}, Redis {RESTORED_REDIS}, app server {RESTORED_APP}; "
             "all stopped and removed afterwards", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=20, help="rows decrypted on both sides (default 20)")
    parser.add_argument("--min-rows", type=int, default=2000, help="top the primary up to this many submissions")
    parser.add_argument("--keep", action="store_true", help="keep the drill's directory (processes still stop)")
    parser.add_argument("--out", default=str(BASE_DIR / "bench" / "results"))
    args = parser.parse_args(argv)
    cluster = Cluster()
    if not pg_running(cluster.root / "primary"):
        sys.exit(f"No cluster primary running in {cluster.root}: run `make cluster` first.")
    busy = [port for port in (RESTORED_PG, RESTORED_REDIS, RESTORED_APP) if not port_free(port)]
    if busy:
        sys.exit(f"Ports already in use: {busy} (another restore drill?)")
    root = cluster.root / time.strftime("restore-%Y%m%d-%H%M%S")
    for path in (root, root / "jobs", root / "run", root / "logs"):
        path.mkdir(parents=True)
    for path in (root / "run", root / "logs"):
        path.chmod(0o1777)  # PostgreSQL (as postgres) puts its socket and log there
    drill = RestoreDrill(cluster, root, args.sample, args.min_rows)
    started, ok = time.monotonic(), False
    steps = [("rows on the primary", drill.top_up),
             ("base backup (pg_basebackup -F t -z -X stream)", drill.take_backup),
             ("keys kept separately", drill.keep_keys), ("restore into a fresh cluster", drill.restore),
             ("one app server on the restored copy", drill.start_app), ("portal serving", drill.serve),
             ("submissions per state (SQL)", drill.compare_states),
             ("encrypted fields through the app", drill.compare_fingerprints),
             ("control: without the kept key", drill.control)]
    try:
        results = [drill.step(name, function) for name, function in steps]  # every step, even after a failed check
        ok = False not in results
    except (subprocess.CalledProcessError, OSError, TimeoutError, ValueError) as error:
        drill.rows.append(("(stopped)", f"{type(error).__name__}: {str(error)[:200]}", False, 0.0))
        log(f"restore drill failed; logs in {root / 'logs'}" + ("" if args.keep else " (removed: --keep keeps them)"))
    finally:
        drill.clean_up(keep=args.keep)
    text = report(drill, time.monotonic() - started)
    print(text)
    out = Path(args.out) / time.strftime("restore-%Y%m%d-%H%M%S.md")
    out.write_text(text)
    log(f"written {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
