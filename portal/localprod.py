"""Run the production stack locally: production settings on this machine's PostgreSQL and Redis.

`make serve-prod` runs `python -m portal.localprod serve`: it creates the
database if it is missing, generates throwaway local secrets under `.local/`
(never committed), migrates, collects static files, loads the seed content and
starts gunicorn with `gunicorn.conf.py`. TLS is off (`SECURE_SSL_REDIRECT=0`)
so that http://localhost:8000/ works; everything else is exactly production.
The benchmark (bench/run.py) and the smoke test use the same functions.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal),
REDIS_URL (default redis://127.0.0.1:6379/0), PORT (8000), WEB_CONCURRENCY.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from portal.local_secrets import fernet_key, hex_key, local_secret, token

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"


def production_env(database_url=None, redis_url=None, **overrides):
    """Environment variables for production settings on this machine, with local throwaway secrets."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DATABASE_URL": database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            "REDIS_URL": redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
            "SECRET_KEY": local_secret("prod_secret_key", lambda: token(64)),
            "FIELD_ENCRYPTION_KEYS": local_secret("prod_field_encryption_key", fernet_key),
            "LOOKUP_HASH_KEY": local_secret("prod_lookup_hash_key", hex_key),
            "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost"),
            # No TLS on a laptop; behind a real load balancer this stays on.
            "SECURE_SSL_REDIRECT": "0",
            # Text messages on a laptop: printed with the number masked (production names its provider).
            "SMS_BACKEND": os.environ.get("SMS_BACKEND", "portal.sms.backends.console.SmsBackend"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def ensure_database(database_url):
    """Create the PostgreSQL database named in the URL if it does not exist yet."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        return False
    name = parts.path.lstrip("/")
    maintenance = urlunsplit((parts.scheme.replace("postgis", "postgres"), parts.netloc, "/postgres", "", ""))
    maintenance = maintenance.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    return False


def manage(env, *args, quiet=False):
    """Run a manage.py command with the given environment; raise if it fails."""
    subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare(env, quiet=False):
    """Create the database if needed, migrate, collect static files and load the seed content."""
    if ensure_database(env["DATABASE_URL"]):
        print(f"Created database {urlsplit(env['DATABASE_URL']).path.lstrip('/')}", flush=True)
    manage(env, "migrate", "--noinput", "-v0", quiet=quiet)
    manage(env, "collectstatic", "--noinput", "-v0", quiet=quiet)
    # Each app seeds its own part, public content first (the site and its home page).
    manage(env, "load_portal_content", quiet=quiet)
    manage(env, "load_registration_content", quiet=quiet)


def gunicorn_command(bind, workers=None):
    """The gunicorn command line for this project."""
    command = [str(GUNICORN), "-c", str(BASE_DIR / "gunicorn.conf.py"), "--bind", bind]
    if workers:
        command += ["--workers", str(workers)]
    return [*command, "portal.wsgi"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["serve", "prepare"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    env = production_env()
    prepare(env)
    if args.action == "serve":
        print(f"Serving production settings on http://localhost:{args.port}/ (Ctrl-C stops)", flush=True)
        os.chdir(BASE_DIR)
        serve(env, args.port)


def serve(env, port):
    """gunicorn and JOBS_WORKERS (default 2) background workers, supervised until Ctrl-C (docs/jobs.md)."""
    command = gunicorn_command(f"127.0.0.1:{port}")
    launcher = [sys.executable, "-m", "portal.jobs.launcher", "--workers", env.get("JOBS_WORKERS", "2"), "--"]
    os.execve(sys.executable, [*launcher, *command], env)  # noqa: S606 - replace this process with the launcher


if __name__ == "__main__":
    main()
