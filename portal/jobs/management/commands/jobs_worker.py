"""`manage.py jobs_worker`: django-tasks-db's `db_worker`, plus the sweep that re-queues jobs whose worker died.

`db_worker` leaves a task that was running when its process was killed in the
RUNNING state for ever. This command takes every option of `db_worker` and,
before the first task and then every JOBS_STALL_SECONDS / 2, re-queues the jobs
(portal.jobs) whose heartbeat stopped. Several workers may run it at once: the
sweep's updates are conditional, so a stalled job is re-queued once.

A database that goes away under the worker (PostgreSQL or PgBouncer restarted)
does not end it: `db_worker` raises out of its loop on the first failed query, so
this command waits `DATABASE_RETRY_PAUSE` seconds and polls again, for as long
as it takes (a job that was running then is re-queued by the sweep). Only a
signal (SIGTERM, Ctrl-C) stops it.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from portal.jobs import runner

logger = logging.getLogger("portal.jobs")

DATABASE_RETRY_PAUSE = 2.0


def run_through_outages(run, pause=DATABASE_RETRY_PAUSE, sleep=time.sleep):
    """`run()` again after each database error, `pause` seconds later; what it returns when it ends normally."""
    while True:
        try:
            return run()
        except (OperationalError, InterfaceError) as exc:
            # Only the class: a driver message can carry connection details.
            logger.warning("database unavailable (%s): polling again in %.0f s", type(exc).__name__, pause)
            connections.close_all()
            sleep(pause)


def sweep_forever(stop: threading.Event, interval: float) -> None:
    """Re-queue stalled jobs every `interval` seconds until `stop` is set (runs in its own thread)."""
    while not stop.wait(interval):
        try:
            runner.requeue_stalled()
        except Exception as exc:  # a failed sweep must not stop the worker; the next one retries
            logger.warning("stalled-job sweep failed: %s", type(exc).__name__)
        finally:
            connections.close_all()


class Command(DBWorkerCommand):
    help = "Run a database task worker that also re-queues jobs whose worker stopped mid-way."

    def handle(self, *args, **options):
        child_of_reloader = os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not options.get("reload") or child_of_reloader:
            requeued = runner.requeue_stalled()
            if requeued:
                logger.warning("re-queued %d stalled job(s)", requeued)
            close_old_connections()
            stop = threading.Event()
            interval = max(1.0, runner.stall_seconds() / 2)
            threading.Thread(target=sweep_forever, args=(stop, interval), name="jobs-sweep", daemon=True).start()
        return run_through_outages(lambda: super(Command, self).handle(*args, **options))
