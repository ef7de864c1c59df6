"""Large exports of the registrations queue as background jobs: confirm, start once, progress, download.

Tasks run at once here (ImmediateBackend, portal/settings/test.py); the real
worker, killed mid-way, is in test_worker_restart.py.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import roles
from portal.jobs import files
from portal.jobs.models import Job, JobState
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    """Four registrations in 文艺路街道, one in 五里牌街道; jobs for more than 3 rows; files in a temp dir."""
    settings.EXPORT_JOB_THRESHOLD = 3
    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    make_divisions()
    roles.ensure_roles()
    own = [make_submission(name=f"甲{i}", id_number=make_id_number(sequence=210 + i)) for i in range(4)]
    other = make_submission(name="乙一", id_number=make_id_number(sequence=301), unit_division=TOWNSHIP_B,
                            residence_division=TOWNSHIP_B)
    return {"own": own, "other": other, "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A])}


def _start(client, user, fmt="csv", query=""):
    client.force_login(user)
    return client.post(reverse("forms_intake_jobs:start_export"),
                       {"view": "forms_intake_submission:index", "query": query, "format": fmt})


def _download(client, job):
    response = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_large_export_asks_to_run_as_a_job_and_a_small_one_streams(client, world, settings):
    client.force_login(world["handler"])
    url = reverse("forms_intake_submission:index")
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f'action="{reverse("forms_intake_jobs:start_export")}"' in page
    assert not Job.objects.exists()  # a GET starts nothing

    settings.EXPORT_JOB_THRESHOLD = 10
    response = client.get(url, {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert len(b"".join(response.streaming_content).decode().strip().splitlines()) == 1 + 4


def test_the_job_writes_the_listings_export_encrypted_and_its_user_downloads_it(client, world):
    response = _start(client, world["handler"])
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("forms_intake_jobs:detail", args=[job.pk])
    assert job.state == JobState.DONE and job.done == job.total == 4
    assert job.expires_at - timezone.now() > timedelta(hours=23)

    stored = (files.files_dir() / job.result_file).read_bytes()
    for submission in world["own"]:
        assert submission.reference.encode() not in stored  # encrypted at rest

    rows = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8"))))
    body = "\n".join(",".join(row) for row in rows)
    assert len(rows) == 1 + 4
    assert sorted(row[0] for row in rows[1:]) == sorted(s.reference for s in world["own"])
    assert world["other"].reference not in body  # the user's scope, as in the listing
    for submission in world["own"]:
        assert submission.id_number not in body and submission.id_number_masked in body  # masked
    page = client.get(reverse("forms_intake_jobs:detail", args=[job.pk])).content.decode()
    assert reverse("forms_intake_jobs:download", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops refreshing


def test_filters_reach_the_job(client, world):
    world["own"][0].status = "registered"
    world["own"][0].save()
    _start(client, world["handler"], query="status=submitted")
    body = _download(client, Job.objects.get()).decode()
    assert world["own"][0].reference not in body and world["own"][1].reference in body


def test_xlsx_job(client, world):
    _start(client, world["handler"], fmt="xlsx")
    job = Job.objects.get()
    book = load_workbook(io.BytesIO(_download(client, job)), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 1 + 4
    assert job.result["filename"].endswith(".xlsx")


def test_a_double_click_starts_one_job(client, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    first = _start(client, world["handler"])
    second = _start(client, world["handler"])
    assert first["Location"] == second["Location"]
    job = Job.objects.get()
    assert job.state == JobState.QUEUED
    page = client.get(reverse("forms_intake_jobs:detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page  # waiting: the page refreshes itself
    # Another filter is another export, hence another job.
    _start(client, world["handler"], query="status=submitted")
    assert Job.objects.count() == 2


def test_only_the_user_who_started_it_sees_or_downloads_it(client, world):
    _start(client, world["handler"])
    job = Job.objects.get()
    colleague = make_staff("handler_b", roles.HANDLER, [TOWNSHIP_A])
    client.force_login(colleague)
    for name in ("detail", "progress", "download"):
        assert client.get(reverse(f"forms_intake_jobs:{name}", args=[job.pk])).status_code == 404
    assert job.pk.hex not in client.get(reverse("forms_intake_jobs:index")).content.decode().replace("-", "")


def test_the_download_expires_and_retention_deletes_the_file(client, world):
    from forms_intake.services import retention

    _start(client, world["handler"])
    job = Job.objects.get()
    path = files.files_dir() / job.result_file
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    assert response.status_code == 410
    assert "expired" in response.content.decode().lower() or "过期" in response.content.decode()
    assert retention.purge_export_files() == 1
    assert not path.exists()
    assert Job.objects.get().state == JobState.EXPIRED


def test_progress_json_and_the_menu(client, world):
    _start(client, world["handler"])
    job = Job.objects.get()
    data = client.get(reverse("forms_intake_jobs:progress", args=[job.pk])).json()
    assert data["state"] == "done" and data["done"] == data["total"] == 4 and data["percent"] == 100
    assert data["download_url"] == reverse("forms_intake_jobs:download", args=[job.pk])
    admin_home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("forms_intake_jobs:index") in admin_home


def test_bad_start_requests_get_a_message_not_a_500(client, world):
    client.force_login(world["handler"])
    url = reverse("forms_intake_jobs:start_export")
    assert client.post(url, {"view": "wagtailadmin_home", "format": "csv"}).status_code == 400
    assert client.post(url, {"view": "forms_intake_submission:index", "format": "pdf"}).status_code == 400
    assert client.get(url).status_code == 405
    assert not Job.objects.exists()


def test_a_reviewers_large_waiting_list_exports_as_a_job_with_only_their_list(client, world):
    from forms_intake.services import transitions

    handler = world["handler"]
    for submission in world["own"][:3]:
        transitions.perform(submission, "claim", handler)
        transitions.perform(submission, "complete", handler)
    extra = make_submission(name="甲九", id_number=make_id_number(sequence=299))
    transitions.perform(extra, "claim", handler)
    transitions.perform(extra, "complete", handler)
    reviewer = make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A])
    waiting = [*world["own"][:3], extra]  # four sent for review; world["own"][3] is still 待受理

    client.force_login(reviewer)
    page = client.get(reverse("forms_intake_review:to_check"), {"export": "csv"})
    assert page["Content-Type"].startswith("text/html")  # more than 3 rows: the job's confirmation
    assert f'action="{reverse("forms_intake_jobs:start_export")}"' in page.content.decode()

    client.post(reverse("forms_intake_jobs:start_export"),
                {"view": "forms_intake_review:to_check", "query": "", "format": "csv"})
    job = Job.objects.get(user=reviewer)
    assert job.state == JobState.DONE and job.total == 4
    rows = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(s.reference for s in waiting)
