"""`python -m portal.cluster start|stop|status|roll|restore-drill` (see portal/cluster/__init__.py)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from portal.cluster import services
from portal.cluster.stack import PORTS, Cluster, alive, ensure_packages, healthy, log, pg_running, read_pid


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
    services.stop_haproxy(cluster)
    for index in range(cluster.workers):
        services.stop_worker(cluster, index)
    for index in range(max(cluster.apps, 3)):
        services.stop_app(cluster, index)
    services.stop_pgbouncer(cluster)
    services.stop_redis(cluster)
    services.stop_replica(cluster)
    services.stop_primary(cluster)
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status", "roll", "restore-drill"])
    parser.add_argument("--apps", type=int, default=int(os.environ.get("CLUSTER_APPS", "3")), choices=[1, 2, 3])
    parser.add_argument("--clean", action="store_true", help="stop: also remove CLUSTER_DIR")
    args = parser.parse_args(argv)
    cluster = Cluster(apps=args.apps)
    if args.action == "start":
        start(cluster)
    elif args.action == "stop":
        stop(cluster, clean=args.clean)
    elif args.action == "status":
        sys.exit(0 if status(cluster) else 1)
    elif args.action == "roll":
        for index in range(cluster.apps):
            services.roll_app(cluster, index)
            log(f"rolled {services.app_name(index)}")
    else:
        sys.exit("restore-drill is not written yet (issue 16): see docs/deploy.md for the manual steps.")

if __name__ == "__main__":
    main()
