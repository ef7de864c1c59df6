"""Start, run, watch and recover jobs. The task framework runs them; this module makes them safe.

- `start()` creates the Job row and enqueues its task, once per user, kind and
  parameters while one is active (a partial unique index, so two simultaneous
  clicks get the same job).
- `run()` is what a task calls: it claims the job by a conditional UPDATE
  (`attempt` + 1), calls the handler with a `JobContext` for progress, and marks
  the job done only if its claim is still the latest. A run that finds the job
  done, or held by a live run, does nothing.
- `requeue_stalled()` finds jobs whose worker stopped (no heartbeat for
  JOBS_STALL_SECONDS: SIGKILL, OOM, a lost machine) and enqueues them again; the
  `jobs_worker` command runs it at start and every few seconds, and the progress
  page runs it for the job it shows, so recovery needs no extra process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.base import Task, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db import DatabaseBackend

from portal.jobs import files
from portal.jobs.models import ACTIVE_STATES, Job, JobState

logger = logging.getLogger("portal.jobs")

#: Progress is written (and the heartbeat renewed) at most this often.
PROGRESS_EVERY_SECONDS = 0.5


class JobLost(Exception):
    """This run no longer holds the job (it was re-queued after a stall): stop without finishing."""


class JobRefused(Exception):
    """The job cannot run (its user lost the permission, its parameters are invalid); message is shown."""


def idempotency_key(user, kind, params) -> str:
    raw = json.dumps([getattr(user, "pk", None), kind, params], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def start(task: Task, *, user, kind: str, params: dict, total=None, message="") -> tuple[Job, bool]:
    """Create and enqueue a job, or return the active one with the same user, kind and parameters.

    Returns (job, created). The task is called with the job's id only: its
    parameters stay in the database, never in the queue's payload.
    """
    key = idempotency_key(user, kind, params)
    existing = Job.objects.filter(idempotency_key=key, state__in=ACTIVE_STATES).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, user=user, params=params, idempotency_key=key, task_path=task.module_path,
                total=total, message=message,
            )
    except IntegrityError:
        existing = Job.objects.filter(idempotency_key=key, state__in=ACTIVE_STATES).first()
        if existing is None:  # it finished between the insert and this read: start afresh
            return start(task, user=user, kind=kind, params=params, total=total, message=message)
        return existing, False
    _enqueue(job, task)
    return job, True


def _enqueue(job, task=None):
    task = task or _task_for(job)
    result = task.enqueue(job_id=str(job.pk))
    # An immediate backend has already run (and finished) the job here; keep its later state.
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)


def _task_for(job) -> Task:
    task = import_string(job.task_path)
    if not isinstance(task, Task):
        raise TypeError(f"Job {job.pk}: {job.task_path} is not a task")
    return task


def stall_seconds() -> int:
    return int(getattr(settings, "JOBS_STALL_SECONDS", 60))


class JobContext:
    """What a handler gets: the job, its parameters, progress reporting and the result file."""

    def __init__(self, job: Job):
        self.job = job
        self.params = job.params
        self._last = 0.0

    def _update(self, **fields) -> None:
        fields["heartbeat_at"] = timezone.now()
        changed = Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt, state=JobState.RUNNING).update(**fields)
        if not changed:
            raise JobLost(str(self.job.pk))

    def set_total(self, total: int, message: str = "") -> None:
        self.job.total = total
        self._update(total=total, message=message or self.job.message)

    def progress(self, done: int, message: str = "", force=False) -> None:
        """Record how far the job got; written at most every PROGRESS_EVERY_SECONDS unless forced."""
        now = timezone.now().timestamp()
        if not force and now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        self.job.done = done
        fields = {"done": done}
        if message:
            fields["message"] = message
        self._update(**fields)

    def counting(self, iterable, every=100):
        """Wrap an iterable (a queryset or anything with `.model`) so that iterating it reports progress."""
        return _Counting(iterable, self, every)

    def part_path(self):
        return files.part_path(self.job, self.job.attempt)


class _Counting:
    def __init__(self, iterable, context, every):
        self.iterable = iterable
        self.model = getattr(iterable, "model", None)
        self.context = context
        self.every = every
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.count += 1
            if self.count % self.every == 0:
                self.context.progress(self.count)
        self.context.progress(self.count, force=True)


def _claim(job_id):
    """Take the job for this run: queued, or running with a stopped heartbeat. Returns the Job or None."""
    now = timezone.now()
    stale = now - timedelta(seconds=stall_seconds())
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, heartbeat_at__lt=stale)
    with transaction.atomic():
        changed = Job.objects.filter(claimable, pk=job_id).update(
            state=JobState.RUNNING, attempt=F("attempt") + 1, heartbeat_at=now, started_at=now, done=0
        )
    if not changed:
        return None
    return Job.objects.select_related("user").get(pk=job_id)


def run(job_id, handler):
    """Run `handler(context)` for the job, once; what it returns becomes `job.result`.

    The handler may return {"file": Path, "suffix": ".csv.enc", ...}: the file is
    renamed to the job's result file as the job completes. Returns the result
    (None when this run had nothing to do).
    """
    job = _claim(job_id)
    if job is None:
        logger.info("job %s: nothing to do (finished or held by a live run)", job_id)
        return None
    files.remove_parts_except(job, job.attempt)
    context = JobContext(job)
    try:
        result = handler(context) or {}
    except JobLost:
        logger.warning("job %s: attempt %s superseded by a later run", job.pk, job.attempt)
        files.part_path(job, job.attempt).unlink(missing_ok=True)
        return None
    except JobRefused as exc:
        _finish(job, JobState.FAILED, message=str(exc)[:255])
        return None
    except Exception as exc:
        # The traceback goes to the task framework's record only: an exception's text may quote data.
        logger.error("job %s (%s) failed: %s", job.pk, job.kind, type(exc).__name__)
        _finish(job, JobState.FAILED, message="The job failed. Please try again or contact the administrator.")
        files.part_path(job, job.attempt).unlink(missing_ok=True)
        raise
    return _complete(job, result)


def _complete(job, result):
    path = result.pop("file", None)
    suffix = result.pop("suffix", "")
    now = timezone.now()
    with transaction.atomic():
        current = Job.objects.select_for_update().filter(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING)
        if not current.exists():
            logger.warning("job %s: attempt %s finished after being superseded", job.pk, job.attempt)
            if path:
                os.unlink(path)
            return None
        name = ""
        if path:
            target = files.final_path(job, suffix)
            os.replace(path, target)
            name = target.name
        current.update(
            state=JobState.DONE, result=result, result_file=name, finished_at=now, heartbeat_at=now,
            done=F("total") if job.total is not None else F("done"),
            expires_at=now + timedelta(seconds=int(settings.JOBS_RESULT_TTL)),
        )
    logger.info("job %s (%s) done", job.pk, job.kind)
    return result


def _finish(job, state, message=""):
    now = timezone.now()
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(
        state=state, message=message, finished_at=now, heartbeat_at=now
    )


# ---- recovery ----


def _task_result_status(job):
    if not job.task_result_id:
        return None
    try:
        backend = task_backends[_task_for(job).backend]
        if not backend.supports_get_result:
            return None
        return backend.get_result(job.task_result_id).status
    except (TaskResultDoesNotExist, ImportError, TypeError, ValueError):
        return None


def _release_task_record(job):
    """Mark the task framework's record of a dead run as failed (database backend: it stays RUNNING)."""
    configs = [config for config in apps.get_app_configs() if config.name == "django_tasks_db"]
    if not job.task_result_id or not configs:
        return
    try:
        if not isinstance(task_backends[_task_for(job).backend], DatabaseBackend):
            return  # another backend keeps its own records
    except (ImportError, TypeError):
        return
    model = configs[0].get_model("DBTaskResult")
    model.objects.filter(id=job.task_result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(),
        exception_class_path="portal.jobs.runner.WorkerLost", traceback="The worker stopped during this task.",
    )


def requeue_stalled(job=None, now=None) -> int:
    """Enqueue again the jobs whose worker stopped; returns how many were re-queued (or given up)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=stall_seconds())
    max_attempts = int(getattr(settings, "JOBS_MAX_ATTEMPTS", 3))
    candidates = Job.objects.filter(
        Q(state=JobState.RUNNING, heartbeat_at__lt=stale) | Q(state=JobState.QUEUED, created_at__lt=stale)
    )
    if job is not None:
        candidates = candidates.filter(pk=job.pk)
    count = 0
    for stalled in candidates:
        if stalled.state == JobState.QUEUED and _task_result_status(stalled) in (None, TaskResultStatus.READY):
            continue  # still waiting for a worker (or the backend cannot tell): nothing was lost
        filters = {"pk": stalled.pk, "attempt": stalled.attempt, "state": stalled.state}
        if stalled.attempt >= max_attempts:
            Job.objects.filter(**filters).update(
                state=JobState.FAILED, finished_at=now, message="The job was stopped too many times."
            )
            _release_task_record(stalled)
            count += 1
            continue
        if Job.objects.filter(**filters).update(state=JobState.QUEUED, heartbeat_at=now):
            logger.warning("job %s: worker lost during attempt %s, queued again", stalled.pk, stalled.attempt)
            lost = stalled.task_result_id
            _enqueue(stalled)
            stalled.task_result_id = lost
            _release_task_record(stalled)
            count += 1
    return count
