"""The pieces of the local cluster: start each one, remember its pid file, stop exactly those.

Every service writes a pid file under CLUSTER_DIR/run; `stop` signals only the
processes named there (and PostgreSQL through `pg_ctl stop` on its own data
directories), so nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from portal.localprod import BASE_DIR, production_env

HERE = Path(__file__).resolve().parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "portal"
PACKAGES = {"haproxy": "/usr/sbin/haproxy", "pgbouncer": "/usr/sbin/pgbouncer", "redis-server": "/usr/bin/redis-server"}


@dataclass(frozen=True)
class Ports:
    primary: int = 5433
    replica: int = 5434
    pgbouncer: int = 6432
    redis: int = 6380
    haproxy: int = 8100
    stats: int = 8199
    first_app: int = 8101


PORTS = Ports()


class Cluster:
    """Paths, addresses and environments of one local cluster under `root`."""

    def __init__(self, root=None, apps=3, workers=2):
        self.root = Path(root or os.environ.get("CLUSTER_DIR") or Path(tempfile.gettempdir()) / "portal-cluster")
        self.run = self.root / "run"
        self.logs = self.root / "logs"
        self.apps = apps
        self.workers = workers

    # --- addresses -------------------------------------------------------------------------------
    def url(self, port, database=DATABASE):
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    @property
    def base_url(self):
        return f"http://localhost:{PORTS.haproxy}"

    def app_ports(self):
        return [PORTS.first_app + index for index in range(self.apps)]

    def env(self, **overrides):
        """Production settings through PgBouncer, with the replica, the cluster's Redis and shared job files."""
        return production_env(
            database_url=self.url(PORTS.pgbouncer),
            redis_url=f"redis://127.0.0.1:{PORTS.redis}/0",
            DATABASE_TRANSACTION_POOLING="1",
            DATABASE_REPLICA_URL=self.url(PORTS.replica),
            JOBS_FILES_DIR=str(self.root / "jobs"),
            JOBS_STALL_SECONDS=os.environ.get("JOBS_STALL_SECONDS", "10"),
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
            GUNICORN_ACCESS_LOG="",
            # Texts go to a file of the cluster's (phone verification is on): the fault drill's residents read
            # their codes there, as a person reads their phone.
            SMS_BACKEND="portal.sms.backends.filebased.SmsBackend",
            SMS_FILE_PATH=str(self.sms_file),
            **overrides,
        )

    def direct_env(self):
        """The same, straight to the primary: migrations and seeding are one job per release, not pooled."""
        return production_env(database_url=self.url(PORTS.primary), redis_url=f"redis://127.0.0.1:{PORTS.redis}/0",
                              JOBS_FILES_DIR=str(self.root / "jobs"))

    @property
    def sms_file(self):
        return self.root / "sms.jsonl"

    def pid_file(self, name):
        return self.run / f"{name}.pid"


# --- small helpers ---------------------------------------------------------------------------------


def as_postgres(command):
    """PostgreSQL and PgBouncer refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603 - fixed commands of this module


def wait_for_port(port, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {seconds:.0f} s")


def port_free(port):
    """Nothing listens on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def healthy(port, timeout=2.0):
    # http.client rather than urlopen: only plain HTTP to loopback is possible here.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz/", headers={"Host": "localhost"})
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_healthy(port, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if healthy(port):
            return
        time.sleep(0.3)
    raise TimeoutError(f"app server on {port} is not healthy after {seconds:.0f} s")


def read_pid(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(path, sig=signal.SIGTERM, grace=30.0):
    """Signal the process named in the pid file and wait for it; SIGKILL after `grace` seconds."""
    pid = read_pid(path)
    if alive(pid):
        os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    Path(path).unlink(missing_ok=True)


def stop_pids(paths, grace=30.0):
    """SIGTERM every process named in `paths` at once, then wait for each (SIGKILL after `grace`)."""
    pids = {Path(path): read_pid(path) for path in paths}
    for pid in pids.values():
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for path, pid in pids.items():
        while alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
        path.unlink(missing_ok=True)


def _reap(pid):
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def spawn(command, env, log, pid_file=None):
    """Start a long-running process in its own session (it outlives this command), logging to `log`."""
    with open(log, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    if pid_file:
        Path(pid_file).write_text(f"{process.pid}\n")
    return process


def ensure_packages():
    """haproxy and pgbouncer from Debian when missing (PostgreSQL 15 and Redis are the machine's)."""
    missing = [name for name, binary in PACKAGES.items() if not Path(binary).exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"Missing Debian packages: {' '.join(missing)} (apt-get install -y {' '.join(missing)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", *missing], env=env, stdout=subprocess.DEVNULL)


def render(template, target, **values):
    text = Template((HERE / template).read_text()).substitute(**values)
    Path(target).write_text(text)
    return target


# --- PostgreSQL --------------------------------------------------------------------------------------


def pg_ctl(data_dir, action, log=None):
    command = [str(PG_BIN / "pg_ctl"), "-D", str(data_dir), "-w", "-t", "60"]
    if log:
        command += ["-l", str(log)]
    run(as_postgres([*command, action]), stdout=subprocess.DEVNULL)


def pg_running(data_dir):
    return (Path(data_dir) / "postmaster.pid").exists() and alive(read_pid(Path(data_dir) / "postmaster.pid"))


def own_dir(path):
    """A directory the postgres user owns (PostgreSQL's data, PgBouncer's files)."""
    Path(path).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def init_primary(cluster, data_dir, port):
    """A fresh PostgreSQL 15 cluster that accepts replication from loopback."""
    own_dir(data_dir)
    os.chmod(data_dir, 0o700)
    run(as_postgres([str(PG_BIN / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8"]), stdout=subprocess.DEVNULL)
    configure_port(data_dir, port, cluster.run)


def configure_port(data_dir, port, socket_dir):
    conf = Path(data_dir) / "postgresql.auto.conf"
    settings = {
        "port": str(port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{socket_dir}'",
        "wal_level": "replica",
        "max_wal_senders": "10",
        "hot_standby": "on",
        "max_connections": "200",
        "shared_buffers": "'128MB'",
        # A report on the replica must not be cancelled by the vacuum of rows it reads.
        "hot_standby_feedback": "on",
    }
    if os.environ.get("CLUSTER_THROWAWAY") == "1":
        # `make cluster-test`'s cluster lives for minutes and is removed: no flush to disk per commit
        # (a fresh database's hundreds of migrations are hundreds of commits). Never for `make cluster`.
        settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
    lines = [line for line in conf.read_text().splitlines() if line.split("=")[0].strip() not in settings]
    lines += [f"{name} = {value}" for name, value in settings.items()]
    conf.write_text("\n".join(lines) + "\n")
    if os.geteuid() == 0:
        shutil.chown(conf, "postgres", "postgres")


def base_backup(source_port, data_dir, standby=True, tar=False):
    """pg_basebackup of the cluster on `source_port` into `data_dir` (streaming WAL, fast checkpoint)."""
    own_dir(data_dir)
    os.chmod(data_dir, 0o700)
    command = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(source_port), "-U", "postgres",
               "-D", str(data_dir), "-X", "stream", "-c", "fast", "--no-password"]
    if standby:
        command.append("-R")
    if tar:
        command += ["-F", "t", "-z"]
    run(as_postgres(command), stdout=subprocess.DEVNULL)


def psql(port, sql, database=DATABASE):
    """One value from psql on the local cluster."""
    out = subprocess.run(  # noqa: S603 - fixed psql on loopback
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


_STARTED = time.monotonic()


def log(message):
    """One line on stdout, with the seconds since this command started (where a slow start goes)."""
    print(f"[cluster {time.monotonic() - _STARTED:4.0f}s] {message}", flush=True)

