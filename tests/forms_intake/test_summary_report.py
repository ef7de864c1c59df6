"""Issue 15, seed item 22: the province-wide summary report, one document (PDF or XLSX) built by a job from the
regional statistical analysis report's own figures for the province, for provincial staff only."""

import re
from io import BytesIO

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from forms_intake.models import Division, Submission
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import regional_report, summary_report
from portal import roles
from portal.jobs.models import Job, JobState
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db

URL = reverse("forms_intake_summary_report")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    make_divisions()
    for status, bank, queue in (
        (S.REGISTERED, "icbc", TOWNSHIP_A),
        (S.CARD_ISSUED, "abc", TOWNSHIP_A),
        (S.SUBMITTED, "icbc", TOWNSHIP_B),
        (S.AWAITING_REVIEW, "ccb", "430406"),  # 衡阳
        (S.REGISTERED, "icbc", "430406"),
    ):
        make_submission(status=status, service_bank=bank, queue_code=queue)
    make_submission(status=S.REGISTERED, queue_code="440106001")  # 广东: outside the province
    return {
        "province": make_staff("province_s", roles.PROVINCIAL_ADMIN, ["430000"]),
        "city": make_staff("city_s", roles.PROVINCIAL_ADMIN, ["430100"]),
        "township": make_staff("township_s", roles.HANDLER, [TOWNSHIP_A]),
    }


def run_job(client, user, file_format):
    client.force_login(user)
    response = client.post(URL, {"file_format": file_format})
    job = Job.objects.get(kind=summary_report.KIND, params__format=file_format)
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert job.state == JobState.DONE, job.message  # the immediate backend ran it
    download = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    assert download.status_code == 200
    return job, download, b"".join(download.streaming_content)


def test_the_summary_figures_are_the_regional_reports_for_the_province(world):
    user = world["province"]
    today = timezone.localdate()
    ours = summary_report.province_figures(user, today=today)
    province = Division.objects.get(code="430000")
    theirs = regional_report.figures(Submission.objects.filter(queue_code__startswith="43"), province, today=today)
    assert ours == theirs
    assert (ours["total"], ours["registered"]) == (5, 3)
    cities = {row["name"]: (row["total"], row["registered"], row["waiting"]) for row in summary_report.city_rows(ours)}
    assert cities == {"长沙市": (3, 2, 1), "衡阳市": (2, 1, 1)}


def test_the_workbook_holds_the_regional_reports_sheets_with_the_same_numbers(client, world):
    _job, download, content = run_job(client, world["province"], "xlsx")
    assert download["Content-Disposition"].endswith(f'summary-report-430000-{timezone.localdate():%Y%m%d}.xlsx"')
    ours = load_workbook(BytesIO(content))
    regional_report.start(world["province"], Division.objects.get(code="430000"), "xlsx")
    regional_job = Job.objects.get(kind=regional_report.KIND)
    regional = load_workbook(BytesIO(b"".join(
        client.get(reverse("forms_intake_jobs:download", args=[regional_job.pk])).streaming_content)))
    assert ours.sheetnames == ["总结报告", "各市州", *regional.sheetnames]
    for name in regional.sheetnames:
        assert list(ours[name].iter_rows(values_only=True)) == list(regional[name].iter_rows(values_only=True)), name
    summary = [row[0] for row in ours["总结报告"].iter_rows(values_only=True)]
    assert summary[0] == "湖南省全民参保登记工作总结报告"
    assert "湖南省共收到全民参保登记5人" in summary[2]
    assert "长沙市收到登记3人，已登记（含已发卡）2人，占66.7%，尚在办理1人。" in summary
    cities = {row[1]: row[2:] for row in ours["各市州"].iter_rows(min_row=2, values_only=True)}
    assert cities["衡阳市"] == (2, 1, 50.0, 1)


def test_the_pdf_is_one_document_with_the_same_figures(client, world):
    _job, download, content = run_job(client, world["province"], "pdf")
    assert content.startswith(b"%PDF") and download["Content-Disposition"].endswith('.pdf"')
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(content)).pages))
    assert "湖南省全民参保登记工作总结报告" in text
    assert "湖南省共收到全民参保登记5人" in text and "衡阳市收到登记2人" in text


def test_non_provincial_staff_are_refused(client, world):
    for user in (world["city"], world["township"]):
        client.force_login(user)
        assert client.get(URL).status_code in (302, 403)
        assert client.post(URL, {"file_format": "pdf"}).status_code in (302, 403)
        assert reverse("forms_intake_summary_report") not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert not Job.objects.exists()
    # A job started for someone who is not (or no longer) provincial fails with the reason, with no file.
    job, _created = summary_report.start(world["city"], "xlsx")
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "provincial staff only" in job.message and not job.result_file


def test_the_file_is_downloaded_by_its_user_only(client, world):
    job, _download, _content = run_job(client, world["province"], "xlsx")
    client.force_login(make_staff("province_other", roles.PROVINCIAL_ADMIN, ["430000"]))
    assert client.get(reverse("forms_intake_jobs:download", args=[job.pk])).status_code == 404
