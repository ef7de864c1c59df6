"""The XLSX export of the registrations queue, read back with openpyxl as a handler's spreadsheet program would.

What staff receive: only their own divisions' rows, ID and phone numbers masked unless they hold
export_unmasked (no full number anywhere in the file, not even in the workbook's XML), and the
labels of the columns as headers, never field names.
"""

import re
import zipfile
from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from forms_intake.backoffice.exports import EXPORT_FIELDS
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

pytestmark = pytest.mark.django_db

YUELU = "430104001"


@pytest.fixture
def world(db):
    """Three registrations in 文艺路街道 (one filed by a proxy), two in 五里牌街道, one in 岳麓街道."""
    make_divisions()
    roles.ensure_roles()
    own = [
        make_submission(name="甲一", id_number=make_id_number(sequence=201), unit_division=TOWNSHIP_A),
        make_submission(name="甲二", id_number=make_id_number(sequence=202), unit_division=TOWNSHIP_A),
        make_submission(
            name="甲三",
            id_number=make_id_number(sequence=203),
            unit_division=TOWNSHIP_A,
            is_proxy_filing=True,
            proxy_name="甲三家属",
            proxy_id_number=make_id_number(born="19600101", sequence=204),
            proxy_phone="+8613912345678",
            proxy_relationship="子女",
        ),
    ]
    others = [
        make_submission(
            name="乙一", id_number=make_id_number(sequence=301), unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B
        ),
        make_submission(
            name="乙二", id_number=make_id_number(sequence=302), unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B
        ),
        make_submission(
            name="丙一",
            id_number=make_id_number(region="430104", sequence=401),
            unit_division=YUELU,
            residence_division=YUELU,
        ),
    ]
    assert {s.queue_code for s in own} == {TOWNSHIP_A}
    assert {s.queue_code for s in others} == {TOWNSHIP_B, YUELU}
    return {"own": own, "others": others, "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A])}


def _export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("forms_intake_submission:index"), {"export": "xlsx", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    return b"".join(response.streaming_content) if response.streaming else response.content


def _rows(body):
    """(headers, [{header: value}]) of the workbook's only sheet."""
    book = load_workbook(BytesIO(body), read_only=True)
    assert len(book.worksheets) == 1
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    headers, data = list(rows[0]), rows[1:]
    return headers, [dict(zip(headers, row, strict=True)) for row in data]


def _workbook_text(body):
    """Every XML part of the .xlsx (sheets, shared strings, properties) as one string."""
    with zipfile.ZipFile(BytesIO(body)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def _digits(value):
    return re.sub(r"\D", "", value)


def test_xlsx_export_has_only_the_handlers_township(client, world):
    headers, rows = _rows(_export(client, world["handler"]))
    assert sorted(row["登记编号"] for row in rows) == sorted(s.reference for s in world["own"])
    assert {row["所属队列"] for row in rows} == {TOWNSHIP_A}
    assert {row["常住所在地"] for row in rows} == {"文艺路街道 (430102001)"}
    text = _workbook_text(_export(client, world["handler"]))
    for other in world["others"]:
        assert other.reference not in text
        assert other.name not in text
        assert other.id_number_masked not in text  # not even a masked trace of another township's resident


def test_a_filter_cannot_widen_the_scope_of_an_export(client, world):
    """Asking for another township's queue in the URL yields nothing of it (the filter is ignored or empty)."""
    _headers, rows = _rows(_export(client, world["handler"], division=TOWNSHIP_B))
    assert not {row["登记编号"] for row in rows} & {s.reference for s in world["others"]}


def test_xlsx_export_masks_id_and_phone_numbers_without_the_permission(client, world):
    assert not world["handler"].has_perm("forms_intake.export_unmasked")
    body = _export(client, world["handler"])
    _headers, rows = _rows(body)
    by_reference = {row["登记编号"]: row for row in rows}
    for submission in world["own"]:
        row = by_reference[submission.reference]
        assert row["身份证号码"] == mask_id_number(submission.id_number) == submission.id_number_masked
        assert "*" in row["身份证号码"] and row["身份证号码"] != submission.id_number
        assert row["联系电话"] == mask_phone(submission.phone)
    # No full number anywhere in the file, whether as text, as a number, or without its +86 prefix.
    text = _workbook_text(body)
    proxy = world["own"][2]
    for submission in world["own"]:
        assert submission.id_number not in text
        assert submission.id_number[:17] not in text
        assert _digits(submission.phone)[-11:] not in text
    assert proxy.proxy_id_number not in text and _digits(proxy.proxy_phone)[-11:] not in text
    assert proxy.proxy_name not in text  # proxy details are not part of the queue export at all


def test_xlsx_export_shows_full_numbers_only_with_the_permission(client, world):
    handler = world["handler"]
    handler.user_permissions.add(Permission.objects.get(codename="export_unmasked"))
    handler = type(handler).objects.get(pk=handler.pk)  # permissions are cached on the instance
    headers, rows = _rows(_export(client, handler))
    by_reference = {row["登记编号"]: row for row in rows}
    for submission in world["own"]:
        assert by_reference[submission.reference]["身份证号码"] == submission.id_number
        # A phone number is a typed text cell: its "+" is shown as it is, with no formula guard's quote.
        assert by_reference[submission.reference]["联系电话"] == submission.phone
    # Same columns under the same labels, masked or not.
    assert headers == _rows(_export(client, make_staff("handler_a2", roles.HANDLER, [TOWNSHIP_A])))[0]
    text = _workbook_text(_export(client, handler))
    assert all(other.id_number not in text for other in world["others"])


def test_xlsx_headers_are_the_column_labels(client, world):
    headers, _rows_ = _rows(_export(client, world["handler"]))
    assert len(headers) == len(EXPORT_FIELDS)
    assert len(set(headers)) == len(headers)
    for header in headers:
        assert header and header not in EXPORT_FIELDS and not re.fullmatch(r"[a-z_]+", header), header
    # Annex 2's wording, verbatim, for the personal columns and the choices.
    for label in [
        "登记编号",
        "姓名",
        "身份证号码",
        "性别",
        "出生日期",
        "联系电话",
        "就业状态",
        "户口所在地",
        "常住所在地",
        "未参保原因",
        "社保卡服务银行",
        "经办人",
        "校核人",
    ]:
        assert label in headers, label
    assert headers.index("姓名") < headers.index("身份证号码") < headers.index("联系电话")


def test_xlsx_headers_follow_the_users_language(client, world, settings):
    """English-speaking staff (Wagtail's admin language preference) get the English labels."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(world["handler"])
    profile.preferred_language = "en"
    profile.save()
    headers, rows = _rows(_export(client, world["handler"]))
    assert "ID number" in " ".join(headers) or "ID card" in " ".join(headers), headers
    assert len(rows) == len(world["own"])


def test_xlsx_cells_show_the_choice_labels(client, world):
    _headers, rows = _rows(_export(client, world["handler"]))
    row = rows[0]
    assert row["状态"] == "待受理"
    assert row["就业状态"] == "2、无单位 未就业"
    assert row["社保卡服务银行"] == "工行"


def test_xlsx_cells_show_gender_unit_type_and_channel_as_labels(client, world):
    _headers, rows = _rows(_export(client, world["handler"]))
    row = rows[0]
    assert row["性别"] == "男"
    assert row["登记单位"] in ("工作单位", "村（社区）")
    assert row["登记渠道"] == "网上自助"


def test_formula_text_is_neutralised_in_xlsx(client, world):
    from forms_intake.models import Submission

    first = world["own"][0]
    Submission.objects.filter(pk=first.pk).update(employer_name='=HYPERLINK("http://x","y")')
    _headers, rows = _rows(_export(client, world["handler"]))
    [row] = [r for r in rows if r["登记编号"] == first.reference]
    # A text cell (never a formula), shown exactly as typed: XLSX cells are typed, no quote needed.
    assert row["工作单位名称"] == '=HYPERLINK("http://x","y")'
    book = load_workbook(BytesIO(_export(client, world["handler"])))
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[1]].index("工作单位名称")
    cells = [r[column] for r in sheet.iter_rows(min_row=2) if r[column].value and r[column].value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
