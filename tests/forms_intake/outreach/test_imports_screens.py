"""The upload screen and the list of imports: a job per upload, progress link, audited error report."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms_intake.models import DataImport, PopulationRecord, RosterEntry
from forms_intake.rules import outreach_columns as spec
from portal import roles
from portal.jobs.models import Job
from tests.forms_intake.moderation_support import make_divisions, make_staff

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    make_divisions()
    return make_staff("provincial", roles.PROVINCIAL_ADMIN, ["430000"])


def upload(client, name, kind, source=""):
    data = (FIXTURES / name).read_bytes()
    return client.post(
        reverse("forms_intake_imports:upload"), {"kind": kind, "source": source, "file": SimpleUploadedFile(name, data)}
    )


def test_upload_runs_a_job_and_lists_the_import_with_its_error_report(client, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(admin_user)
    response = upload(client, "population_sample_gb18030.csv", "population", "民政")
    assert response.status_code == 302
    data_import = DataImport.objects.get()
    assert (data_import.state, data_import.source, data_import.rows_rejected) == ("done", "civil_affairs", 1)
    job = Job.objects.get(pk=data_import.job_id)
    assert job.state == "done" and job.user == admin_user
    # The comparison ran after the import and consumed the staged rows: with no insured data yet,
    # everyone but the deceased and the moved-out person is on the roster.
    assert Job.objects.get(kind="outreach_comparison").state == "done"
    assert PopulationRecord.objects.count() == 0 and RosterEntry.objects.count() == 5
    listing = client.get(reverse("forms_intake_imports:index")).content.decode()
    assert reverse("forms_intake_jobs:detail", args=[job.pk]) in listing
    report_url = reverse("forms_intake_imports:errors", args=[data_import.pk])
    assert report_url in listing
    report = client.get(report_url)
    body = b"".join(report.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and body.splitlines()[1].startswith("9,")
    assert "security_event event=outreach_error_report" in caplog.text
    # Nothing of the file in the URLs or logs.
    for name in ("陈思远", "刘芳", "430102198810100615"):
        assert name not in caplog.text and name not in listing


def test_same_file_twice_is_a_duplicate(client, admin_user):
    client.force_login(admin_user)
    upload(client, "insured_sample.csv", "insured")
    upload(client, "insured_sample.csv", "insured")
    assert list(DataImport.objects.order_by("pk").values_list("state", flat=True)) == ["done", "duplicate"]


@pytest.mark.parametrize(
    ("name", "kind", "source", "field"),
    [("insured_sample.csv", "population", "", "source"), ("insured_sample.csv", "population", "税务", "source")],
)
def test_population_needs_a_known_source(client, admin_user, name, kind, source, field):
    client.force_login(admin_user)
    response = upload(client, name, kind, source)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not DataImport.objects.exists()


def test_wrong_file_type_is_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("forms_intake_imports:upload"), {"kind": "insured", "file": SimpleUploadedFile("data.txt", b"x")}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_a_file_with_a_missing_column_fails_with_a_clear_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("forms_intake_imports:upload"),
        {"kind": "employer", "file": SimpleUploadedFile("e.csv", "单位名称\n示例公司\n".encode())},
    )
    assert response.status_code == 302
    data_import = DataImport.objects.get()
    assert data_import.state == "failed" and "单位代码" in data_import.message


def test_only_importers(client, admin_user):
    client.force_login(make_staff("clerk", roles.HANDLER, ["430102001"]))
    for url in (reverse("forms_intake_imports:index"), reverse("forms_intake_imports:upload")):
        assert client.get(url).status_code in (302, 403)
    assert client.get(reverse("forms_intake_imports:errors", args=[1])).status_code in (302, 403)


def test_the_doc_lists_every_column():
    doc = (FIXTURES.parents[2] / "docs" / "outreach-data.md").read_text(encoding="utf-8")
    for columns in spec.SPECS.values():
        for column in columns:
            assert f"| {column.zh} | {column.en} |" in doc
    for label in (*spec.INSURANCE_TYPES.values(), *spec.INSURED_STATUSES.values()):
        assert label in doc


def test_choice_tables_agree_with_the_models():
    from forms_intake.models.outreach import InsuranceType, InsuredStatus, LifeEvent

    assert {value: str(label) for value, label in InsuranceType.choices} == spec.INSURANCE_TYPES
    assert {value: str(label) for value, label in InsuredStatus.choices} == spec.INSURED_STATUSES
    assert {value: str(label) for value, label in LifeEvent.choices if value} == spec.LIFE_EVENTS
