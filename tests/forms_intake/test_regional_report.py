"""The regional statistical analysis report (issue 15, seed item 19): an XLSX built by a job for a division
within the user's divisions, with every breakdown, the weekly trend and a generated summary paragraph."""

import datetime
import re
from io import BytesIO

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from forms_intake.models import Division, Submission
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import regional_report
from portal import roles
from portal.jobs.models import Job, JobState
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings, tmp_path):
    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    make_divisions()
    now = timezone.now()
    made = []
    for status, bank, when in (
        (S.REGISTERED, "icbc", 0),
        (S.REGISTERED, "icbc", 0),
        (S.CARD_ISSUED, "abc", 1),
        (S.SUBMITTED, "icbc", 8),
        (S.REJECTED, "ccb", 15),
    ):
        sub = make_submission(status=status, service_bank=bank, queue_code=TOWNSHIP_A)
        Submission.objects.filter(pk=sub.pk).update(created_at=now - datetime.timedelta(days=when))
        made.append(sub)
    make_submission(status=S.REGISTERED, queue_code="430406")  # 衡阳: outside 芙蓉区
    return {
        "province": make_staff("province", roles.PROVINCIAL_ADMIN, ["430000"]),
        "township": make_staff("township", roles.HANDLER, [TOWNSHIP_B]),
    }


def test_figures_and_the_generated_summary(world):
    division = Division.objects.get(code="430102")
    queryset = Submission.objects.filter(queue_code__startswith="430102")
    today = timezone.localdate()
    data = regional_report.figures(queryset, division, today=today)
    assert (data["total"], data["registered"]) == (5, 3)
    assert sum(n for _week, n in data["weeks"]) == 5 and len(data["weeks"]) == regional_report.WEEKS
    assert {row["name"]: row["total"] for row in data["divisions"]} == {"文艺路街道": 5, "五里牌街道": 0}
    zh, en = regional_report.summary_paragraphs(data)
    assert "芙蓉区共收到全民参保登记5人" in zh and "已登记（含已发卡）3人，占60.0%" in zh
    assert "五里牌街道" in zh  # a division without registrations is named
    assert "received 5 registrations, of which 3 (60.0 %)" in en


def test_an_empty_division_gets_a_plain_sentence(world):
    division = Division.objects.get(code="430104")
    data = regional_report.figures(Submission.objects.none(), division)
    zh, en = regional_report.summary_paragraphs(data)
    assert "岳麓区尚无全民参保登记记录" in zh and "no registrations yet" in en


def test_the_job_builds_the_workbook_for_its_user_only(client, world):
    client.force_login(world["province"])
    response = client.post(reverse("forms_intake_regional_report"), {"division_code": "430102", "file_format": "xlsx"})
    job = Job.objects.get(kind=regional_report.KIND)
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert job.state == JobState.DONE  # the immediate backend ran it
    download = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith("regional-report-430102-" + f'{timezone.localdate():%Y%m%d}.xlsx"')
    workbook = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == [
        "摘要",
        "按状态",
        "就业状态",
        "未参保原因",
        "服务银行",
        "性别",
        "年龄段",
        "每周趋势",
        "下级区划",
    ]
    summary = workbook["摘要"]
    assert "芙蓉区共收到全民参保登记5人" in summary["A3"].value
    assert summary["B5"].value == 5
    banks = {row[0]: row[1] for row in workbook["服务银行"].iter_rows(min_row=2, values_only=True)}
    assert sum(banks.values()) == 5 and max(banks.values()) == 3
    states = {row[0]: row[1] for row in workbook["按状态"].iter_rows(min_row=2, values_only=True)}
    assert states["已登记"] == 2 and states["已发卡"] == 1
    # The file is encrypted at rest and nobody else can fetch it.
    client.force_login(world["township"])
    assert client.get(reverse("forms_intake_jobs:download", args=[job.pk])).status_code == 404


def test_a_division_outside_ones_own_is_refused_with_a_message(client, world):
    client.force_login(world["township"])
    response = client.post(reverse("forms_intake_regional_report"), {"division_code": "430102", "file_format": "xlsx"})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        message = translation.gettext("This is not a division within your own divisions.")
    assert message in response.content.decode()
    assert not Job.objects.exists()
    # A job whose user has lost the division fails with the reason, never builds the file.
    job, _created = regional_report.start(world["township"], Division.objects.get(code="430102"))
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "not within your divisions" in job.message and not job.result_file


def test_staff_without_registrations_access_get_403(client, world):
    client.force_login(make_staff("editor", roles.EDITOR))
    assert client.get(reverse("forms_intake_regional_report")).status_code in (302, 403)


def test_the_pdf_version_of_the_report(client, world):
    client.force_login(world["province"])
    client.post(reverse("forms_intake_regional_report"), {"division_code": "430102", "file_format": "pdf"})
    job = Job.objects.get(kind=regional_report.KIND)
    assert job.state == JobState.DONE
    download = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and download["Content-Disposition"].endswith('.pdf"')
    text = "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(content)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "芙蓉区全民参保登记情况统计分析报告" in compact
    assert "芙蓉区共收到全民参保登记5人" in compact and "五里牌街道" in compact
