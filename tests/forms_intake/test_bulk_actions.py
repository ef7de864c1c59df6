"""Bulk actions of the registrations queue (issue 15): send for review, register, print as one PDF,
export selected, claim. Scoped (another division's id: 404, nothing done), confirmed, audited per
registration, and reported per item with the reason of each refusal."""

import csv
import io
import re

import pypdf
import pytest
from django.urls import reverse

from forms_intake.models import ExportAudit, Submission, SubmissionEvent
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import transitions
from forms_intake.services.bulk_pdf import forms_filename
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    roles.ensure_roles()
    handler = make_staff("bulk_handler", roles.HANDLER, [TOWNSHIP_A])
    return {
        "handler": handler,
        "other_handler": make_staff("bulk_other", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("bulk_reviewer", roles.REVIEWER, [TOWNSHIP_A]),
        "admin": make_staff("bulk_admin", roles.PROVINCIAL_ADMIN, [TOWNSHIP_A]),
        "elsewhere": make_submission(name="乙外", unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B),
    }


def _claimed(user, count=1):
    items = []
    for n in range(count):
        item = make_submission(name=f"批{n}")
        transitions.perform(item, "claim", user)
        items.append(item)
    return items


def _url(action, items, next_url="/admin/registrations/"):
    ids = "&".join(f"id={item.pk}" for item in items)
    return f"{reverse('wagtail_bulk_action', args=['forms_intake', 'submission', action])}?{ids}&next={next_url}"


def _events(item, action):
    return SubmissionEvent.objects.filter(submission=item, action=action).count()


def _rows(body, marker):
    """{pk: the row's text} of the confirmation (data-bulk-item) or results (data-bulk-result) table."""
    rows = re.findall(rf'<tr {marker}="(\d+)"[^>]*>(.*?)</tr>', body, re.S)
    return {int(pk): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for pk, text in rows}


def test_send_for_review_confirms_then_reports_each_item_and_audits_each(client, world):
    mine = _claimed(world["handler"], 2)
    theirs = _claimed(world["other_handler"])[0]
    waiting = make_submission(name="未受理")
    client.force_login(world["handler"])
    url = _url("complete", [*mine, theirs, waiting])

    confirm = client.get(url)
    assert confirm.status_code == 200
    rows = _rows(confirm.content.decode(), "data-bulk-item")
    assert set(rows) == {mine[0].pk, mine[1].pk, theirs.pk, waiting.pk}
    assert "提交校核" in rows[mine[0].pk]
    assert "未更改： 只有认领这份登记的经办人才能进行此操作。" in rows[theirs.pk]
    assert "未更改： 在“待受理”状态下不能进行此操作。" in rows[waiting.pk]
    assert "将对2份登记执行“提交校核”。" in confirm.content.decode()
    assert Submission.objects.filter(pk__in=[m.pk for m in mine], status=S.CLAIMED).count() == 2  # GET changes nothing

    response = client.post(url)
    assert response.status_code == 200
    results = _rows(response.content.decode(), "data-bulk-result")
    assert set(results) == set(rows)
    for item in mine:
        assert Submission.objects.get(pk=item.pk).status == S.AWAITING_REVIEW
        assert _events(item, "complete") == 1
        assert "待校核" in results[item.pk]
    assert Submission.objects.get(pk=theirs.pk).status == S.CLAIMED and _events(theirs, "complete") == 0
    assert Submission.objects.get(pk=waiting.pk).status == S.SUBMITTED
    assert 'data-done="no"' in response.content.decode()
    assert "未更改： 在“待受理”状态下不能进行此操作。" in results[waiting.pk]
    assert "已完成：2份。未更改：2份。" in response.content.decode()


def test_a_bulk_request_naming_another_divisions_id_is_a_404_and_changes_nothing(client, world):
    mine = _claimed(world["handler"])[0]
    client.force_login(world["handler"])
    for action in ("claim", "complete", "register", "print", "export"):
        url = _url(action, [mine, world["elsewhere"]])
        assert client.get(url).status_code == 404
        assert client.post(url, {"format": "csv"}).status_code == 404
    assert Submission.objects.get(pk=mine.pk).status == S.CLAIMED
    assert not SubmissionEvent.objects.filter(submission=world["elsewhere"]).exists()
    assert not SubmissionEvent.objects.filter(submission=mine, action__in=["complete", "print"]).exists()
    assert not ExportAudit.objects.exists()
    # Nonsense ids, "select all" and an id that does not exist: 404 as well, never a 500.
    base = reverse("wagtail_bulk_action", args=["forms_intake", "submission", "complete"])
    for query in ("", "?id=abc", "?id=all", f"?id={mine.pk}&id=99999999"):
        assert client.get(base + query).status_code == 404


def test_register_keeps_the_four_eyes_rule_and_reports_the_refusal(client, world):
    admin = world["admin"]
    own = _claimed(admin)[0]  # the administrator handled this one: may not register it
    by_handler = _claimed(world["handler"])[0]
    for item, user in ((own, admin), (by_handler, world["handler"])):
        transitions.perform(item, "complete", user)
    still_claimed = _claimed(world["handler"])[0]
    client.force_login(admin)
    url = _url("register", [own, by_handler, still_claimed])
    rows = _rows(client.get(url).content.decode(), "data-bulk-item")
    assert "校核人与经办人不能是同一人。" in rows[own.pk]
    assert "确认登记" in rows[by_handler.pk]

    results = _rows(client.post(url).content.decode(), "data-bulk-result")
    assert Submission.objects.get(pk=by_handler.pk).status == S.REGISTERED
    assert Submission.objects.get(pk=by_handler.pk).reviewer_id == admin.pk
    assert _events(by_handler, "register") == 1
    assert Submission.objects.get(pk=own.pk).status == S.AWAITING_REVIEW and _events(own, "register") == 0
    assert Submission.objects.get(pk=still_claimed.pk).status == S.CLAIMED
    assert "未更改： 校核人与经办人不能是同一人。" in results[own.pk]
    assert "已完成，现为： 已登记" in results[by_handler.pk]
    assert "未更改： 在“受理中”状态下不能进行此操作。" in results[still_claimed.pk]


def test_a_handler_is_not_offered_register_and_is_refused_it(client, world):
    item = _claimed(world["other_handler"])[0]
    transitions.perform(item, "complete", world["other_handler"])
    client.force_login(world["handler"])
    listing = client.get(reverse("forms_intake_submission:index")).content.decode()
    assert 'data-bulk-action="complete"' in listing and 'data-bulk-action="register"' not in listing
    response = client.post(_url("register", [item]))
    assert response.status_code == 200 and "您没有此操作的权限。" in response.content.decode()
    assert Submission.objects.get(pk=item.pk).status == S.AWAITING_REVIEW


def test_bulk_claim_through_wagtails_mechanism(client, world):
    free = make_submission(name="可认领")
    taken = _claimed(world["other_handler"])[0]
    client.force_login(world["handler"])
    url = _url("claim", [free, taken]).split("&next=")[0]  # without a next URL: back to the queue
    response = client.post(url)
    assert f'href="{reverse("forms_intake_submission:index")}" class="button"' in response.content.decode()
    results = _rows(response.content.decode(), "data-bulk-result")
    assert Submission.objects.get(pk=free.pk).handler_id == world["handler"].pk
    assert Submission.objects.get(pk=taken.pk).handler_id == world["other_handler"].pk
    assert "已完成，现为： 受理中" in results[free.pk]
    assert "未更改： 在“受理中”状态下不能进行此操作。" in results[taken.pk]


def test_print_several_forms_as_one_pdf_one_page_each_recorded_per_form(client, world):
    items = [make_submission(name=f"印{n}") for n in range(3)]
    client.force_login(world["handler"])
    url = _url("print", items)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="annex2-3-forms-\d{8}-\d{4}\.pdf"', disposition)
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    assert all(abs(float(page.mediabox.width) - 595.3) < 1 for page in reader.pages)  # A4 portrait
    for item, page in zip(items, reader.pages, strict=True):
        assert item.reference in page.extract_text()
        assert _events(item, "print") == 1


def test_print_refuses_more_forms_than_one_pdf_holds(client, world, monkeypatch):
    from forms_intake.backoffice import bulk_actions

    monkeypatch.setattr(bulk_actions, "MAX_PDF_FORMS", 2)
    items = [make_submission(name=f"多{n}") for n in range(3)]
    client.force_login(world["handler"])
    confirm = client.get(_url("print", items)).content.decode()
    assert "一个PDF最多包含2份登记表，您选择了3份。" in confirm
    response = client.post(_url("print", items))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "一个PDF最多包含2份登记表" in response.content.decode()
    assert not SubmissionEvent.objects.filter(action="print").exists()


def test_a_larger_selection_is_printed_by_a_job_that_only_its_user_downloads(client, world, settings, tmp_path,
                                                                              monkeypatch):
    from forms_intake.backoffice import bulk_print_job
    from portal.jobs.models import Job

    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    monkeypatch.setattr(bulk_print_job, "INLINE_PDF_FORMS", 1)
    items = [make_submission(name=f"后{n}") for n in range(2)]
    client.force_login(world["handler"])
    url = _url("print", items)
    assert "请在“我的后台任务”中查看进度并下载PDF" in client.get(url).content.decode()
    response = client.post(url)
    job = Job.objects.get(kind=bulk_print_job.PRINT_KIND)
    assert response.status_code == 302 and response["Location"] == reverse("forms_intake_jobs:detail", args=[job.pk])
    assert job.user_id == world["handler"].pk and job.params["ids"] == [item.pk for item in items]
    job.refresh_from_db()
    assert job.state == "done"  # tests run tasks at once (ImmediateBackend)
    download = client.get(reverse("forms_intake_jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="annex2-2-forms-\d{8}-\d{4}\.pdf"', download["Content-Disposition"])
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 2
    assert [_events(item, "print") for item in items] == [1, 1]  # recorded once, by the worker
    client.force_login(world["other_handler"])
    assert client.get(reverse("forms_intake_jobs:download", args=[job.pk])).status_code == 404


def test_export_selected_is_the_queues_export_of_those_rows_audited_once(client, world):
    items = [make_submission(name=f"导{n}") for n in range(3)]
    client.force_login(world["handler"])
    url = _url("export", items[:2])
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    cells = {cell for row in rows[1:] for cell in row}
    assert {items[0].reference, items[1].reference} <= cells and items[2].reference not in body
    assert len(rows) == 3 and "导0" in cells  # a heading row and the two selected, in Chinese
    assert items[0].id_number not in body  # masked, as the queue's own export for a handler
    entry = ExportAudit.objects.get()
    assert entry.user_id == world["handler"].pk and entry.row_count == 2 and entry.listing == "selected"
    assert sorted(entry.filters["id"]) == sorted(str(item.pk) for item in items[:2])
    assert not SubmissionEvent.objects.filter(submission__in=items, action="export").exists()


def test_the_queue_offers_the_bulk_actions_and_keeps_the_no_script_claim(client, world):
    free = make_submission(name="可选")
    taken = _claimed(world["handler"])[0]
    client.force_login(world["handler"])
    body = client.get(reverse("forms_intake_submission:index")).content.decode()
    assert "wagtailadmin/js/bulk-actions" in body and "data-bulk-action-footer" in body
    assert f'name="id" value="{free.pk}" form="bulk-claim-form"' in body
    assert f'value="{taken.pk}" form="bulk-claim-form"' not in body
    assert f'data-object-id="{taken.pk}" data-bulk-action-checkbox' in body
    assert "data-bulk-action-num-objects-in-listing" not in body  # no "select all in listing"


def test_filename_names_no_person():
    assert forms_filename(12).startswith("annex2-12-forms-")


def test_staff_outside_the_registrations_and_bad_forms_get_a_page_not_a_500(client, world):
    item = make_submission(name="无权")
    client.force_login(make_staff("bulk_editor", roles.EDITOR, []))
    refused = client.get(_url("complete", [item]))  # Wagtail's answer to PermissionDenied: back to the dashboard
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    client.force_login(make_staff("bulk_nowhere", roles.HANDLER, []))  # no division: nothing is theirs
    assert client.post(_url("claim", [item])).status_code == 404
    client.force_login(world["handler"])
    response = client.post(_url("export", [item]), {"format": "pdf"})  # not a format of the export
    assert response.status_code == 200 and "data-bulk-items" in response.content.decode()
    assert not ExportAudit.objects.exists()
    assert Submission.objects.get(pk=item.pk).status == S.SUBMITTED
