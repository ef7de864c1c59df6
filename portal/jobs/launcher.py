"""Run a server and background workers side by side: `make run` and `make serve-prod` use it.

    python -m portal.jobs.launcher [--workers N] -- <server command ...>

Starts the server command and N `manage.py jobs_worker` processes with the same
environment. A worker that exits is started again after a short pause (a crash
must not stop background jobs; a job it was running is re-queued by the next
worker, see portal/jobs/runner.py). When the server exits, or on Ctrl-C /
SIGTERM, every worker is asked to stop (SIGTERM: it finishes its current task
first) and the launcher exits with the server's status.

Every `SCHEDULE_INTERVAL` seconds (env `PUBLISH_SCHEDULED_INTERVAL`, 60; 0 turns it
off) it also runs `manage.py publish_scheduled`, so pages with a go-live or expiry
time are published or taken down by themselves (one run at a time).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RESTART_PAUSE = 2.0
STOP_GRACE = 30.0
SCHEDULE_INTERVAL = float(os.environ.get("PUBLISH_SCHEDULED_INTERVAL", "60"))


def worker_command(extra=()):
    """The worker's command line: the database worker plus the sweep of stalled jobs."""
    return [sys.executable, str(BASE_DIR / "manage.py"), "jobs_worker", "--no-reload", *extra]


def scheduled_publishing_command():
    """Wagtail's command that publishes pages whose go-live time has come and unpublishes expired ones."""
    return [sys.executable, str(BASE_DIR / "manage.py"), "publish_scheduled"]


class Launcher:
    def __init__(self, server, workers=1, env=None, schedule_interval=SCHEDULE_INTERVAL):
        self.server_command = server
        self.worker_count = workers
        self.env = env or dict(os.environ)
        self.server = None
        self.workers = []
        self.stopping = False
        self.schedule_interval = schedule_interval
        self.scheduler = None
        self.next_schedule = time.monotonic()

    def _spawn(self, command):
        return subprocess.Popen(command, cwd=BASE_DIR, env=self.env)  # noqa: S603 - our own commands

    def _stop(self, *_args):
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.server = self._spawn(self.server_command)
        self.workers = [self._spawn(worker_command()) for _ in range(self.worker_count)]
        print(f"Started {self.worker_count} background worker(s) (manage.py jobs_worker)", flush=True)
        try:
            while not self.stopping and self.server.poll() is None:
                for index, worker in enumerate(self.workers):
                    if worker.poll() is not None:
                        print(f"Worker exited ({worker.returncode}); starting it again", flush=True)
                        time.sleep(RESTART_PAUSE)
                        self.workers[index] = self._spawn(worker_command())
                self._tick_schedule()
                time.sleep(0.5)
        finally:
            self.shutdown()
        return self.server.returncode or 0

    def _tick_schedule(self):
        """Start `publish_scheduled` when its time has come and the previous run has finished."""
        if self.schedule_interval <= 0 or time.monotonic() < self.next_schedule:
            return
        if self.scheduler is not None and self.scheduler.poll() is None:
            return
        self.scheduler = self._spawn(scheduled_publishing_command())
        self.next_schedule = time.monotonic() + self.schedule_interval

    def shutdown(self):
        processes = [p for p in [self.server, *self.workers, self.scheduler] if p is not None and p.poll() is None]
        for process in processes:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("JOBS_WORKERS", "1")))
    parser.add_argument("server", nargs=argparse.REMAINDER, help="the server command, after --")
    args = parser.parse_args(argv)
    server = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not server:
        parser.error("give the server command after --")
    sys.exit(Launcher(server, workers=max(0, args.workers)).run())


if __name__ == "__main__":
    main()
