"""`python -m portal.cluster start|stop|status|roll|restore-drill|test` (see portal/cluster/__init__.py)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from portal.cluster import restore_drill, services
from portal.cluster.stack import (
    BASE_DIR,
    PORTS,
    Cluster,
    alive,
    ensure_packages,
    healthy,
    log,
    pg_running,
    port_free,
    read_pid,
    stop_pids,
)


def start(cluster):
    started = time.monotonic()
    ensure_packages()
    services.prepare_dirs(cluster)
    services.start_primary(cluster)
    services.start_replica(cluster)
    services.start_redis(cluster)
    services.migrate_and_seed(cluster)
    services.start_pgbouncer(cluster)
    for index in range(cluster.apps):
        services.start_app(cluster, index, wait=False)
    for index in range(cluster.apps):
        services.wait_healthy(PORTS.first_app + index, seconds=90)
    for index in range(cluster.workers):
        services.start_worker(cluster, index)
    services.start_haproxy(cluster)
    for index in range(cluster.apps):
        services.wait_status(cluster, services.app_name(index), "UP")
    log(f"up in {time.monotonic() - started:.0f} s: {cluster.base_url}/ (HAProxy stats http://127.0.0.1:{PORTS.stats}/)")
    status(cluster)


def stop(cluster, clean=False):
    """Stop what start started, front to back, each by its pid file or data directory."""
    log("stopping")
    services.stop_haproxy(cluster)
    # All at once (SIGTERM: a worker finishes its task, gunicorn its requests), then wait for each.
    stop_pids([*(cluster.pid_file(services.worker_name(i)) for i in range(cluster.workers)),
               *(cluster.pid_file(services.app_name(i)) for i in range(max(cluster.apps, 3)))], grace=40)
    log("workers and app servers stopped")
    services.stop_pgbouncer(cluster)
    services.stop_redis(cluster)
    services.stop_replica(cluster, mode="immediate" if clean else "fast")
    services.stop_primary(cluster, mode="immediate" if clean else "fast")
    if clean:
        services.remove(cluster)
    log("stopped" + (f" and removed {cluster.root}" if clean else f" (data kept in {cluster.root})"))


def status(cluster):
    rows = [
        ("primary", PORTS.primary, pg_running(cluster.root / "primary")),
        ("replica", PORTS.replica, pg_running(cluster.root / "replica")),
        ("pgbouncer", PORTS.pgbouncer, alive(read_pid(services.pgbouncer_dir(cluster) / "pgbouncer.pid"))),
        ("redis", PORTS.redis, alive(read_pid(cluster.pid_file("redis")))),
        *[(services.app_name(i), PORTS.first_app + i, healthy(PORTS.first_app + i)) for i in range(cluster.apps)],
        *[(services.worker_name(i), None, alive(read_pid(cluster.pid_file(services.worker_name(i)))))
          for i in range(cluster.workers)],
        ("haproxy", PORTS.haproxy, alive(read_pid(cluster.pid_file("haproxy")))),
    ]
    for name, port, up in rows:
        print(f"  {name:<10} {port or '':<6} {'up' if up else 'down'}")
    return all(up for _name, _port, up in rows)


def ports_in_use(cluster):
    wanted = [*(getattr(PORTS, name) for name in ("primary", "replica", "pgbouncer", "redis", "haproxy", "stats")),
              *(PORTS.first_app + index for index in range(3))]
    return [port for port in wanted if not port_free(port)]


def test(seconds, residents, export_rows, budget):
    """`make cluster-test`: a cluster of its own in a fresh directory, a short fault drill, everything stopped.

    Refuses when one of the cluster's ports is taken (a `make cluster` already running: it is never
    reused nor stopped by this), stops and removes what it started whatever happens (a failed start,
    a missed target, SIGTERM or Ctrl-C), and gives the drill at most `budget` seconds.
    """
    apps = int(os.environ.get("CLUSTER_APPS", "3"))
    cluster = Cluster(root=tempfile.mkdtemp(prefix="portal-cluster-test-"), apps=apps)
    cluster.root.chmod(0o755)  # mkdtemp's 0700 would keep the postgres user out of its data directories
    busy = ports_in_use(cluster)
    if busy:
        cluster.root.rmdir()
        sys.exit(f"cluster-test: ports {busy} are in use (a `make cluster` running? `make cluster-stop` first)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below, then exit
    os.environ["CLUSTER_THROWAWAY"] = "1"  # no fsync: this cluster is removed in a few minutes
    os.environ.setdefault("JOBS_STALL_SECONDS", "6")  # the killed export is re-queued sooner
    started, code = time.monotonic(), 1
    try:
        start(cluster)
        drill = [sys.executable, str(BASE_DIR / "bench" / "faults.py"), "--seconds", str(seconds), "--residents",
                 str(residents), "--export-rows", str(export_rows), "--out", str(cluster.root)]
        env = {**os.environ, "CLUSTER_DIR": str(cluster.root), "CLUSTER_APPS": str(cluster.apps)}
        code = subprocess.run(drill, env=env, timeout=budget, check=False).returncode  # noqa: S603 - our drill
    except subprocess.TimeoutExpired:
        log(f"cluster-test: the drill took more than {budget} s")
    finally:
        stop(cluster, clean=True)
    log(f"cluster-test: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return code


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status", "roll", "restore-drill", "test"])
    parser.add_argument("--apps", type=int, default=int(os.environ.get("CLUSTER_APPS", "3")), choices=[1, 2, 3])
    parser.add_argument("--clean", action="store_true", help="stop: also remove CLUSTER_DIR")
    args, rest = parser.parse_known_args(argv)
    if args.action == "restore-drill":
        sys.exit(restore_drill.main(rest))
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    cluster = Cluster(apps=args.apps)
    if args.action == "start":
        start(cluster)
    elif args.action == "stop":
        stop(cluster, clean=args.clean)
    elif args.action == "status":
        sys.exit(0 if status(cluster) else 1)
    elif args.action == "test":
        sys.exit(test(float(os.environ.get("DRILL_SECONDS", "8")), residents=3, export_rows=3000,
                      budget=float(os.environ.get("DRILL_BUDGET", "240"))))
    elif args.action == "roll":
        for index in range(cluster.apps):
            services.roll_app(cluster, index)
            log(f"rolled {services.app_name(index)}")

if __name__ == "__main__":
    main()
