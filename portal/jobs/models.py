"""One row per background job a user started: what it is, how far it got, where its result is."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


#: A job in these states still holds its idempotency key: starting it again returns it.
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    """A background job started by a staff user, with the progress and result shown to that user.

    The task framework's own record (`task_result_id`) says whether a worker ran a
    task; this row says whether the *job* finished, which survives a worker killed
    mid-way: `attempt` numbers each run, and only the run holding the latest attempt
    may report progress or complete it, so a job completes exactly once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64, help_text="What the job does, e.g. 'registrations_export'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Who started it and alone may see it (none for jobs started by a command).",
    )
    params = models.JSONField(default=dict, blank=True, help_text="What the task needs (never sent to the queue).")
    idempotency_key = models.CharField(max_length=64, help_text="Hash of user, kind and parameters.")
    task_path = models.CharField(max_length=255, help_text="The task that runs the job (re-queued after a crash).")
    task_result_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    attempt = models.PositiveIntegerField(default=0, help_text="Runs started; only the latest may finish.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=255, blank=True, help_text="Shown to the user; never personal data.")
    result = models.JSONField(default=dict, blank=True, help_text="A small summary (counts, file name).")
    result_file = models.CharField(max_length=255, blank=True, help_text="File name in JOBS_FILES_DIR.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The result file is deleted after this.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A double click (or two tabs) cannot start the same work twice while one is still going.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(state__in=["queued", "running"]),
                name="portal_jobs_one_active_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="portal_jobs_user_recent"),
            # The stalled-job sweep reads running/queued jobs only.
            models.Index(fields=["state", "heartbeat_at"], name="portal_jobs_state_heartbeat"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown, 100 when done)."""
        if self.state == JobState.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))
