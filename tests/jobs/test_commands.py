"""The maintenance commands as jobs (`--enqueue`), and what the runner does with a run that lost its job."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from forms_intake.services import tasks
from portal.jobs import runner
from portal.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db


def test_purge_personal_data_enqueue_runs_the_purge_as_a_job():
    out = io.StringIO()
    call_command("purge_personal_data", "--enqueue", stdout=out)
    job = Job.objects.get()
    assert f"job {job.pk}" in out.getvalue()
    assert job.kind == "purge_personal_data" and job.state == JobState.DONE
    assert job.result["submissions_due"] == 0 and "export_files_deleted" in job.result


def test_a_stalled_job_is_queued_again_and_its_stale_run_cannot_finish_it(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job, _ = runner.start(tasks.purge_personal_data, user=None, kind="purge_personal_data", params={})
    claimed = runner._claim(job.pk)  # noqa: SLF001 - a run that then goes silent
    assert claimed.attempt == 1
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=120))
    assert runner.requeue_stalled() == 1
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED
    # The silent run wakes up: its progress is refused, so it stops without completing the job.
    with pytest.raises(runner.JobLost):
        runner.JobContext(claimed).progress(5, force=True)
    assert runner.run(job.pk, lambda context: {"ok": True}) == {"ok": True}  # the new run completes it
    assert runner.run(job.pk, lambda context: {"ok": "twice"}) is None  # and nothing runs it again
    assert Job.objects.get(pk=job.pk).result == {"ok": True}
