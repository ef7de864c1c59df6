"""gunicorn settings for the portal (`gunicorn -c gunicorn.conf.py portal.wsgi`).

Every value can be overridden from the environment, so the same file serves a
laptop (`make serve-prod`), the benchmark (2 workers) and a production host.
See docs/deploy.md.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: the app is CPU-bound Python with short database calls, and the
# page cache answers most anonymous requests in well under a millisecond. The
# usual (2 × cores) + 1 keeps the CPUs busy while one worker waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
threads = 1

# A request slower than this is stuck (the slowest page, the CSV export, streams
# in chunks well inside it); the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak can never grow without bound;
# the jitter stops all workers restarting at the same moment. Not too often: a new
# worker fills its template, route and content memo caches on its first requests
# (hundreds of ms each); at 5,000 requests a busy worker restarted every few seconds
# and those first requests were the p95 of every page, the static file included.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))

# Load Django once in the master: workers fork with the code already imported
# (faster restarts, shared memory pages). Django opens no connection at import.
preload_app = True

# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice

# Trust X-Forwarded-* only from the load balancer(s).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout as JSON lines. The access log has the path without the query
# string (%(U)s), no client address, referer or user agent: none of them may
# carry personal data into the logs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = (
    '{"logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# No runtime control socket: several servers (benchmarks, tests) run side by
# side, and production restarts workers through the process manager.
control_socket_disable = True
