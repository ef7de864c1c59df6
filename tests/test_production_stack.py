"""The production stack: settings, JSON logs, gunicorn config, search backend, and a live gunicorn smoke test."""

import json
import logging
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from portal import localprod
from portal.logging import JsonFormatter

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "s" * 64 + "-a-production-like-secret",
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "FIELD_ENCRYPTION_KEYS": "m2Wz8Hc8m5pFxr0P6mZq1aV3oJ0cY3n0hR9kq4bT1uE=",
    "LOOKUP_HASH_KEY": "k" * 64,
    "SMS_BACKEND": "portal.sms.backends.console.SmsBackend",
}

_DUMP_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "conn_max_age": db["CONN_MAX_AGE"], "health_checks": db["CONN_HEALTH_CHECKS"],
    "redis_cache": issubclass(import_string(s.CACHES["default"]["BACKEND"]), RedisCache),
    "cache_location": s.CACHES["default"]["LOCATION"],
    "sessions": s.SESSION_ENGINE, "middleware": s.MIDDLEWARE, "debug": s.DEBUG,
    "static": s.STORAGES["staticfiles"]["BACKEND"], "page_cache": s.PAGE_CACHE_ENABLED,
    "log_formatter": s.LOGGING["handlers"]["console"].get("formatter"),
    "log_stream": s.LOGGING["handlers"]["console"].get("stream"),
}))
"""


def _python(code, env):
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60)


def test_production_settings_use_postgres_redis_database_sessions_and_json_logs():
    result = _python(_DUMP_SETTINGS, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["conn_max_age"] >= 60
    assert found["health_checks"] is True
    assert found["redis_cache"] is True  # Django's Redis backend (or E's outage-tolerant subclass)
    assert found["cache_location"] == "redis://cache.internal:6379/0"
    # Database sessions, not cached_db: a cache fault must never serve a stale session
    # (tests/forms_intake/test_wizard_session_after_redis_restart.py).
    assert found["sessions"] == "portal.session_store"  # Django's db engine, a lost connection answered 503
    assert found["debug"] is False
    assert found["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["page_cache"] is True
    # The page cache sits before the session middleware so a hit costs no session lookup.
    middleware = found["middleware"]
    assert middleware.index("portal.cache.PageCacheMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert found["log_formatter"] == "json"
    assert found["log_stream"] == "ext://sys.stdout"


def test_production_refuses_to_start_without_redis():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "REDIS_URL"}
    result = _python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_refuses_to_start_without_an_explicit_sms_backend():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SMS_BACKEND"}
    result = _python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SMS_BACKEND" in result.stderr


def test_production_refuses_the_tencent_sms_backend_without_its_keys_and_templates():
    env = {**PRODUCTION_ENV, "SMS_BACKEND": "portal.sms.backends.tencent.SmsBackend",
           "SMS_TENCENT_SECRET_ID": "AKIDx", "SMS_TENCENT_SDK_APP_ID": "1400000000", "SMS_SIGN_NAME": "湖南社保"}
    result = _python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SMS_TENCENT_SECRET_KEY, SMS_TEMPLATES" in result.stderr
    env.update(SMS_TENCENT_SECRET_KEY="s" * 32, SMS_TEMPLATES='["100"]')
    result = _python("import django; django.setup()", env)
    assert result.returncode != 0 and "SMS_TEMPLATES must be a JSON object" in result.stderr
    env.update(SMS_TEMPLATES='{"default": "100"}')
    assert _python("import django; django.setup()", env).returncode == 0


def _record(message, *args, exc_info=None, **extra):
    record = logging.LogRecord("portal.test", logging.WARNING, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_log_line_has_fields_and_masks_id_and_phone_numbers():
    formatter = JsonFormatter()
    line = formatter.format(
        _record("lookup failed for %s / %s", "43010219900307123X", "+8613812345678", reference="HN-7K3M-Q9PX-TW4")
    )
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "portal.test"
    assert entry["reference"] == "HN-7K3M-Q9PX-TW4"
    assert "43010219900307123X" not in line
    assert "13812345678" not in line
    assert entry["message"] == "lookup failed for [id-number] / [phone]"


def test_json_log_masks_personal_data_in_tracebacks_and_drops_the_request():
    formatter = JsonFormatter()
    try:
        raise ValueError("bad phone 13912345678")
    except ValueError:
        line = formatter.format(_record("failed", exc_info=sys.exc_info(), request=object(), status_code=500))
    entry = json.loads(line)
    assert "ValueError: bad phone [phone]" in entry["exception"]
    assert "13912345678" not in line
    assert "request" not in entry
    assert entry["status_code"] == 500


def test_json_log_leaves_hashes_and_timestamps_alone():
    formatter = JsonFormatter()
    sha = "a3f1" + "0" * 60
    entry = json.loads(formatter.format(_record("hash %s at %s", sha, "1764390000123")))
    assert entry["message"] == f"hash {sha} at 1764390000123"


def test_gunicorn_config_scales_with_cpus_recycles_workers_and_logs_no_query_strings(monkeypatch):
    for name in ["WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_TIMEOUT"]:
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["workers"] == os.cpu_count() * 2 + 1
    assert config["worker_class"] == "sync"
    assert 0 < config["timeout"] <= 60
    assert config["max_requests"] > 0
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    fmt = config["access_log_format"]
    # %(U)s is the path without the query string; %(r)s, %(q)s would carry it, %(h)s, %(a)s, %(f)s
    # the address, user agent and referer.
    assert "%(U)s" in fmt
    for atom in ["%(r)s", "%(q)s", "%(h)s", "%(a)s", "%(f)s", "%({"]:
        assert atom not in fmt
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    assert runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"] == 2


@pytest.mark.django_db
def test_wagtail_search_uses_the_database_engines_full_text_search():
    """On PostgreSQL Wagtail's database backend is PostgreSQL full-text search; on SQLite, FTS5."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    expected = {"postgresql": "PostgresSearchBackend", "sqlite": "SQLiteSearchBackend"}[connection.vendor]
    assert type(backend).__name__ == expected


# --- live smoke test: gunicorn + production settings + PostgreSQL + Redis ----------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback http only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn_server(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the gunicorn smoke test needs PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)"
        )
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    database_url = f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    call_command("load_portal_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_registration_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    port = _free_port()
    env = localprod.production_env(database_url=database_url, redis_url=redis_url, WEB_CONCURRENCY=2)
    collectstatic = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collectstatic, env=env, cwd=BASE_DIR, check=True, timeout=300)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            localprod.gunicorn_command(f"127.0.0.1:{port}"), env=env, cwd=BASE_DIR, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if _get(base + "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail("gunicorn exited:\n" + log_path.read_text())
            time.sleep(0.5)
        yield base, log_path
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.postgres
def test_gunicorn_serves_health_pages_and_static_files_with_production_settings(gunicorn_server):
    base, log_path = gunicorn_server
    status, headers, body = _get(base + "/healthz/")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}

    status, headers, body = _get(base + "/?utm_source=13812345678")
    assert status == 200
    html = body.decode()
    assert "湖南省全民参保登记" in html
    # Static files under their hashed manifest names, served by whitenoise with a long cache life.
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page links the hashed (manifest) name of portal.css"
    status, headers, body = _get(base + css.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers.get("Cache-Control", "")

    # The page cache works across the two workers through Redis.
    _get(base + "/")
    hits = [_get(base + "/")[1].get("X-Page-Cache") for _ in range(4)]
    assert hits == ["hit"] * 4

    # Access log: JSON lines, path only (the query string, which could carry personal data, is not logged).
    time.sleep(0.5)
    log = log_path.read_text()
    access = [json.loads(line) for line in log.splitlines() if '"gunicorn.access"' in line]
    assert {"method": "GET", "path": "/healthz/"}.items() <= access[0].items()
    assert "13812345678" not in log
    assert "utm_source" not in log


@pytest.mark.postgres
def test_serve_prod_creates_its_database_when_missing(db):
    """`make serve-prod` works on a machine where the portal database does not exist yet."""
    if connection.vendor != "postgresql":
        pytest.skip("creating a PostgreSQL database needs PostgreSQL: run with DATABASE_URL=postgres://…")
    import psycopg

    db = connection.settings_dict
    server = f"{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_serveprod"
    url = f"postgres://{server}/{name}"
    admin = f"postgresql://{server}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    try:
        assert localprod.ensure_database(url) is True
        assert localprod.ensure_database(url) is False  # the second run finds it
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_production_env_has_every_required_variable_and_keeps_secrets_out_of_the_repository(tmp_path, monkeypatch):
    from portal import local_secrets

    monkeypatch.setattr(local_secrets, "LOCAL_DIR", tmp_path)
    env = localprod.production_env(database_url="postgres://x@db/portal", redis_url="redis://cache/1")
    required = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "FIELD_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY"]
    for name in required:
        assert env[name], name
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert env["SECURE_SSL_REDIRECT"] == "0"
    assert len(env["SECRET_KEY"]) >= 50
    # Generated once into the (git-ignored) local folder, private to the owner, and reused.
    assert (tmp_path / "prod_secret_key").stat().st_mode & 0o077 == 0
    assert localprod.production_env()["SECRET_KEY"] == env["SECRET_KEY"]
