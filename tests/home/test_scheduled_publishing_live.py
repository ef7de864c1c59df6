"""Issue 17's done-when, live: a scheduled notice appears on /notices/ by itself within a minute of its go-live
time, with `make run`'s launcher (portal/jobs/launcher.py: the server, a background worker and
`manage.py publish_scheduled` on its schedule) running as separate processes, as `make run` starts them.

The processes share the seeded database (on SQLite a file copy of the in-memory test database, on PostgreSQL
the test database itself) and no Redis, as in development: /notices/ is served from the page cache before
the go-live time, so the publish in the scheduler's process must reach the server's cache.
The schedule runs every second here (`PUBLISH_SCHEDULED_INTERVAL`) instead of every minute.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.home.scheduled_world import SLUG, TITLE

ROOT = Path(__file__).resolve().parents[2]
WITHIN = 60.0


def _database_url(tmp_path):
    """A URL another process can open to see this test's database (which commits: transactional_db)."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "portal.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": _database_url(tmp_path),
        "REDIS_URL": "",  # development: no Redis, each process has its own local-memory cache
        "PAGE_CACHE_DIR": str(tmp_path / "page-cache"),
        "SECRET_KEY": settings.SECRET_KEY + "-live-scheduling" + "x" * 20,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "LOOKUP_HASH_KEY": settings.LOOKUP_HASH_KEY,
        "JOBS_FILES_DIR": str(tmp_path / "files"),
        "PUBLISH_SCHEDULED_INTERVAL": "1",
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    """An anonymous request (no cookie): what the page cache serves."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status, response.headers.get("X-Page-Cache", ""), response.read().decode("utf-8")
    except OSError:
        return None, "", ""


def _wait(predicate, seconds, what, log):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    # The launcher's own lines (the scheduler's and the worker's), not the server's access log that buries them.
    lines = [line for line in log.read_text().splitlines() if '"GET ' not in line]
    raise AssertionError(f"timed out waiting for {what}\n" + "\n".join(lines)[-3000:])


def test_a_scheduled_notice_appears_on_the_notice_list_by_itself(transactional_db, tmp_path):
    call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    env = _env(tmp_path)
    port = _free_port()
    notices = f"http://127.0.0.1:{port}/notices/"
    log_path = tmp_path / "launcher.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed at the end of the test
    launcher = subprocess.Popen(  # noqa: S603 - our own launcher and manage.py
        [sys.executable, "-m", "portal.jobs.launcher", "--workers", "1", "--",
         sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        # The list is served, then from the page cache, without the notice.
        _wait(lambda: _get(notices)[0] == 200, 120, "the server", log_path)
        status, cached, body = _get(notices)
        assert status == 200 and cached == "hit" and TITLE not in body

        out = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", "from tests.home.scheduled_world import main; main(3)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
        ).stdout
        go_live = float(out.split("GO_LIVE ", 1)[1].split()[0])

        _wait(lambda: TITLE in _get(notices)[2], WITHIN + 10, "the notice on /notices/", log_path)
        assert time.time() - go_live < WITHIN
        assert _get(f"{notices}{SLUG}/")[0] == 200
    finally:
        os.killpg(launcher.pid, signal.SIGTERM)
        try:
            launcher.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
        log.close()
