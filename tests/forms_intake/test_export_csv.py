"""The CSV export as Excel on a Chinese Windows reads it, and the one audit entry each export leaves."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from forms_intake.models import ExportAudit, Submission, SubmissionEvent
from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(db):
    make_divisions()
    roles.ensure_roles()
    rows = [make_submission(name=f"张{n}", id_number=make_id_number(sequence=500 + n), unit_division=TOWNSHIP_A)
            for n in range(3)]
    return {"rows": rows, "handler": make_staff("handler_csv", roles.HANDLER, [TOWNSHIP_A])}


def _csv(client, user, **params):
    client.force_login(user)
    # A name typed into the search moves out of the URL first (a redirect; the words kept in the session).
    response = client.get(reverse("forms_intake_submission:index"), {"export": "csv", **params}, follow=True)
    assert response.status_code == 200
    assert all("张" not in url for url, _status in response.redirect_chain)
    return response, b"".join(response.streaming_content)


def _as_excel_reads(body):
    """Excel's rule: UTF-8 only when the file starts with the byte-order mark (else the ANSI code page)."""
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would decode the file as cp936"
    return list(csv.DictReader(io.StringIO(body[3:].decode("utf-8"))))


def test_csv_has_a_bom_a_charset_and_reads_as_chinese(client, world):
    response, body = _csv(client, world["handler"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _as_excel_reads(body)
    assert {row["姓名"] for row in rows} == {"张0", "张1", "张2"}
    assert {row["常住所在地"] for row in rows} == {"文艺路街道 (430102001)"}


def test_csv_shows_labels_not_codes(client, world):
    _response, body = _csv(client, world["handler"])
    row = _as_excel_reads(body)[0]
    assert row["性别"] in ("男", "女")
    assert row["登记单位"] in ("工作单位", "村（社区）")
    assert row["就业状态"] == "2、无单位 未就业"
    values = set(row.values())
    assert not values & {"M", "F", "online", "employer", "community", "False", "True"}, row
    assert "否" in values  # the suspect-flag column, as staff read it


def test_csv_times_are_beijing_time(client, world):
    first = world["rows"][0]
    Submission.objects.filter(pk=first.pk).update(created_at=datetime(2026, 10, 1, 17, 30, tzinfo=ZoneInfo("UTC")))
    _response, body = _csv(client, world["handler"])
    [row] = [r for r in _as_excel_reads(body) if r["登记编号"] == first.reference]
    assert "2026-10-02 01:30:00" in row.values(), row  # 17:30 UTC is 01:30 the next day in Beijing


def test_unmasked_phone_has_no_quote_but_free_text_is_guarded(client, world):
    handler = world["handler"]
    handler.user_permissions.add(Permission.objects.get(codename="export_unmasked"))
    handler = type(handler).objects.get(pk=handler.pk)
    first = world["rows"][0]
    Submission.objects.filter(pk=first.pk).update(employer_name="=1+2", unit_name="+cmd|' /C calc'!A0")
    _response, body = _csv(client, handler)
    [row] = [r for r in _as_excel_reads(body) if r["登记编号"] == first.reference]
    assert row["联系电话"] == first.phone and first.phone.startswith("+")
    assert row["工作单位名称"] == "'=1+2"
    assert row["登记单位名称"].startswith("'+")


def test_one_audit_entry_per_export_and_no_timeline_events(client, world):
    _csv(client, world["handler"], status="submitted")
    _csv(client, world["handler"], q="张1")
    first, second = ExportAudit.objects.order_by("created_at", "id")
    assert (first.user, first.row_count, first.unmasked, first.format) == (world["handler"], 3, False, "csv")
    assert first.filters == {"status": ["submitted"]}
    assert second.row_count == 1 and second.finished_at is not None
    assert "张1" not in str(second.filters)  # a name typed into the search is not stored
    assert not SubmissionEvent.objects.filter(action="export").exists()


def test_export_records_list_is_for_provincial_administrators_only(client, world):
    _csv(client, world["handler"], status="submitted")
    url = reverse("forms_intake_exportaudit:index")
    assert client.get(url).status_code in (302, 403)  # the handler who exported
    admin = make_staff("province_admin", roles.PROVINCIAL_ADMIN, ["430000"])
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "handler_csv" in page and "status=submitted" in page
    assert "handler_csv" in client.get(url, {"q": "handler_csv"}).content.decode()
    assert "handler_csv" not in client.get(url, {"q": "nobody-like-this"}).content.decode()
    # Read-only: no add, edit or delete.
    entry = ExportAudit.objects.get()
    assert client.get(reverse("forms_intake_exportaudit:add")).status_code in (302, 403)
    assert client.get(reverse("forms_intake_exportaudit:edit", args=[entry.pk])).status_code in (302, 403)
    assert client.post(reverse("forms_intake_exportaudit:delete", args=[entry.pk])).status_code in (302, 403)
    assert ExportAudit.objects.filter(pk=entry.pk).exists()
