"""Start, stop and restart each service of the local cluster (portal/cluster/__init__.py has the map)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from portal.cluster.stack import (
    BASE_DIR,
    HERE,
    PG_BIN,
    PORTS,
    alive,
    as_postgres,
    base_backup,
    configure_port,
    healthy,
    init_primary,
    log,
    own_dir,
    pg_ctl,
    pg_running,
    read_pid,
    render,
    run,
    spawn,
    stop_pid,
    wait_for_port,
    wait_healthy,
)
from portal.localprod import ensure_database, gunicorn_command, manage

REDIS_SERVER = "/usr/bin/redis-server"
PG_CTL = PG_BIN / "pg_ctl"


def prepare_dirs(cluster):
    for path in (cluster.root, cluster.root / "jobs"):
        path.mkdir(parents=True, exist_ok=True)
    # PostgreSQL (as postgres) puts its sockets and logs beside ours.
    for path in (cluster.run, cluster.logs):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o1777)


# --- PostgreSQL primary and replica ---------------------------------------------------------------


def start_primary(cluster):
    data = cluster.root / "primary"
    if not (data / "PG_VERSION").exists():
        log(f"initdb primary in {data}")
        init_primary(cluster, data, PORTS.primary)
    if not pg_running(data):
        pg_ctl(data, "start", cluster.logs / "primary.log")
    wait_for_port(PORTS.primary)


def start_replica(cluster):
    data = cluster.root / "replica"
    if not (data / "PG_VERSION").exists():
        log(f"pg_basebackup of the primary into {data} (streaming replica)")
        base_backup(PORTS.primary, data, standby=True)
        configure_port(data, PORTS.replica, cluster.run)
    if not pg_running(data):
        pg_ctl(data, "start", cluster.logs / "replica.log")
    wait_for_port(PORTS.replica)


def _fast_stop(data, mode="fast"):
    if pg_running(data):
        run(as_postgres([str(PG_CTL), "-D", str(data), "-m", mode, "-w", "stop"]), stdout=subprocess.DEVNULL)


def stop_replica(cluster, mode="fast"):
    _fast_stop(cluster.root / "replica", mode)


def stop_primary(cluster, mode="fast"):
    # "immediate" only for a cluster about to be removed (no shutdown checkpoint to wait for).
    _fast_stop(cluster.root / "primary", mode)


def migrate_and_seed(cluster):
    """One release job straight on the primary: migrations, static files, seed content (idempotent).

    portal.localprod.prepare's steps, with collectstatic (which needs no database) running beside the
    migrations and the seeds instead of before them: on two cores that is most of a minute saved.
    """
    log("migrate + seed on the primary (not through PgBouncer), collectstatic beside them")
    env = cluster.direct_env()
    ensure_database(env["DATABASE_URL"])
    static = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env, cwd=BASE_DIR, stdout=subprocess.DEVNULL,
    )
    try:
        manage(env, "migrate", "--noinput", "-v0", quiet=True)
        # Each app seeds its own part, public content first (the site and its home page).
        manage(env, "load_portal_content", quiet=True)
        manage(env, "load_registration_content", quiet=True)
    finally:
        if static.wait():
            raise subprocess.CalledProcessError(static.returncode, "collectstatic")


# --- Redis, PgBouncer -------------------------------------------------------------------------------


def start_redis(cluster):
    if alive(read_pid(cluster.pid_file("redis"))):
        return
    run([REDIS_SERVER, "--port", str(PORTS.redis), "--bind", "127.0.0.1", "--daemonize", "yes",
         "--pidfile", str(cluster.pid_file("redis")), "--save", "", "--appendonly", "no",
         "--dir", str(cluster.root), "--logfile", str(cluster.logs / "redis.log")])
    wait_for_port(PORTS.redis)


def stop_redis(cluster):
    stop_pid(cluster.pid_file("redis"))


def pgbouncer_dir(cluster):
    return cluster.root / "pgbouncer"


def start_pgbouncer(cluster):
    folder = pgbouncer_dir(cluster)
    if alive(read_pid(folder / "pgbouncer.pid")):
        return
    own_dir(folder)
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    ini = render("pgbouncer.ini", folder / "pgbouncer.ini", database="portal", primary_port=PORTS.primary,
                 port=PORTS.pgbouncer, dir=folder)
    run(as_postgres(["/usr/sbin/pgbouncer", "-d", "-q", str(ini)]))
    wait_for_port(PORTS.pgbouncer)


def stop_pgbouncer(cluster):
    stop_pid(pgbouncer_dir(cluster) / "pgbouncer.pid")


# --- app servers and workers ------------------------------------------------------------------------


def app_name(index):
    return f"app{index + 1}"


def start_app(cluster, index, wait=True):
    name = app_name(index)
    port = PORTS.first_app + index
    if alive(read_pid(cluster.pid_file(name))) and healthy(port):
        return
    # The pid file is written at once (not by gunicorn once booted): a start that fails half-way still
    # leaves a file for `stop` to find.
    spawn(gunicorn_command(f"127.0.0.1:{port}"), cluster.env(), cluster.logs / f"{name}.log",
          pid_file=cluster.pid_file(name))
    if wait:
        wait_healthy(port)


def kill_app(cluster, index):
    """SIGKILL the app server's master and its workers at once (a machine that dies)."""
    pid = read_pid(cluster.pid_file(app_name(index)))
    if alive(pid):
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    cluster.pid_file(app_name(index)).unlink(missing_ok=True)


def stop_app(cluster, index):
    # SIGTERM: gunicorn stops accepting, finishes the requests in flight (graceful_timeout), exits.
    stop_pid(cluster.pid_file(app_name(index)), grace=40)


def worker_name(index):
    return f"worker{index + 1}"


def start_worker(cluster, index):
    name = worker_name(index)
    if alive(read_pid(cluster.pid_file(name))):
        return
    command = [sys.executable, str(BASE_DIR / "manage.py"), "jobs_worker", "--no-reload"]
    spawn(command, cluster.env(), cluster.logs / f"{name}.log", pid_file=cluster.pid_file(name))


def stop_worker(cluster, index):
    stop_pid(cluster.pid_file(worker_name(index)), grace=40)


# --- HAProxy ------------------------------------------------------------------------------------------


def start_haproxy(cluster):
    if alive(read_pid(cluster.pid_file("haproxy"))):
        return
    errors = cluster.root / "errors"
    errors.mkdir(exist_ok=True)
    page = (HERE / "retry.html").read_bytes()
    reasons = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    for code, reason in reasons.items():
        head = (f"HTTP/1.0 {code} {reason}\r\nCache-Control: no-store\r\nRetry-After: 2\r\nConnection: close\r\n"
                f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(page)}\r\n\r\n")
        (errors / f"{code}.http").write_bytes(head.encode() + page)
    servers = "\n".join(
        f"    server {app_name(i)} 127.0.0.1:{PORTS.first_app + i} check" for i in range(cluster.apps)
    )
    cfg = render("haproxy.cfg", cluster.root / "haproxy.cfg", run=cluster.run, errors=errors, port=PORTS.haproxy,
                 stats_port=PORTS.stats, servers=servers)
    run(["/usr/sbin/haproxy", "-q", "-f", str(cfg)])
    wait_for_port(PORTS.haproxy)


def stop_haproxy(cluster):
    stop_pid(cluster.pid_file("haproxy"))


def haproxy_command(cluster, command):
    """One command on HAProxy's admin socket; its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(cluster.run / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_stats(cluster):
    """{server name: {'status': 'UP'/'DOWN'/'DRAIN'…, 'scur': current sessions}} of the app backend."""
    lines = haproxy_command(cluster, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    stats = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "app" and row.get("svname") not in ("FRONTEND", "BACKEND"):
            stats[row["svname"]] = {"status": row["status"], "scur": int(row["scur"] or 0)}
    return stats


def wait_status(cluster, name, wanted, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server_stats(cluster).get(name, {}).get("status", "").startswith(wanted):
            return True
        time.sleep(0.2)
    return False


def roll_app(cluster, index):
    """A release on one app server: drain it in HAProxy, let it finish, restart it, wait healthy, re-enable."""
    name = app_name(index)
    haproxy_command(cluster, f"set server app/{name} state drain")
    deadline = time.monotonic() + 30
    while server_stats(cluster).get(name, {}).get("scur", 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    haproxy_command(cluster, f"set server app/{name} state maint")
    stop_app(cluster, index)
    start_app(cluster, index)
    haproxy_command(cluster, f"set server app/{name} state ready")
    wait_status(cluster, name, "UP")


def remove(cluster):
    shutil.rmtree(cluster.root, ignore_errors=True)
