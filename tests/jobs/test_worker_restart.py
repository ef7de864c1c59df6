"""The issue's done-when at a smaller scale: an export job of 3,000 rows on a real worker process,
killed with SIGKILL mid-way and restarted, completes once with one result file.

Runs in its own SQLite database file (the test database of the other tests lives in
memory, which another process cannot open): migrate, seed and workers are all
`manage.py` subprocesses with the development settings and the database queue.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000
KEY = Fernet.generate_key().decode()



def _env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "REDIS_URL": "",
        "SECRET_KEY": "worker-test-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": KEY,
        "LOOKUP_HASH_KEY": "worker-test-lookup-key",
        "JOBS_FILES_DIR": str(tmp_path / "files"),
        "JOBS_STALL_SECONDS": "3",
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: S603
                          capture_output=True, text=True, timeout=300, **kwargs)


def _worker(env, log):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def _job(db, job_id):
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute("SELECT state, done, total, attempt, result_file FROM portal_jobs_job WHERE id = ?",
                            [job_id.replace("-", "")]).fetchone()


def _wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_export_job_survives_a_killed_worker_and_completes_once(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "jobs.sqlite3"
    _manage(env, "migrate", "--noinput", "-v0")
    with sqlite3.connect(db) as conn:  # readers (this test) never wait for the worker's writes
        conn.execute("PRAGMA journal_mode=WAL")
    out = _manage(env, "shell", "-c", f"from tests.jobs.worker_world import main; main({ROWS})").stdout
    job_id = out.split("JOB ", 1)[1].split()[0]
    assert _job(db, job_id)[0] == "queued"

    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed at the end of the test
    first = _worker(env, log)
    try:
        state, done, total, attempt, _file = _wait(
            lambda: (row := _job(db, job_id)) and row[0] == "running" and row[1] > 0 and row, 120, "progress")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    killed_at = _job(db, job_id)
    assert killed_at[0] == "running" and 0 < killed_at[1] < ROWS, f"the job was not mid-way when killed: {killed_at}"
    assert total == ROWS and attempt == 1

    second = _worker(env, log)
    try:
        final = _wait(lambda: (row := _job(db, job_id)) and row[0] in ("done", "failed") and row, 180, "completion")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
        log.close()
    state, done, total, attempt, result_file = final
    assert state == "done", (tmp_path / "worker.log").read_text()[-2000:]
    assert done == total == ROWS and attempt == 2

    files = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert files == [result_file] and result_file.endswith(".csv.enc")  # no leftover of the killed run
    fernet = Fernet(KEY.encode())
    plain = b"".join(fernet.decrypt(line) for line in (tmp_path / "files" / result_file).read_bytes().split())
    lines = plain.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 + ROWS
    assert len({line.split(",")[0] for line in lines[1:]}) == ROWS  # every registration once

    with sqlite3.connect(db, timeout=10) as conn:
        statuses = sorted(row[0] for row in conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%export_registrations'"))
        completed = conn.execute("SELECT count(*) FROM portal_jobs_job WHERE state = 'done'").fetchone()[0]
    assert statuses == ["FAILED", "SUCCESSFUL"]  # the killed run is marked failed, the second one succeeded
    assert completed == 1
