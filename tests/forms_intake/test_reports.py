"""Statistics report and dashboard panel: scoped counts, drill-down, XLSX export, constant queries."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from forms_intake.models import Submission
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import statistics
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    rows = [
        make_submission(unit_division=TOWNSHIP_A, residence_division=TOWNSHIP_A),
        make_submission(unit_division=TOWNSHIP_A, residence_division=TOWNSHIP_A, birth_date=date(2015, 5, 1),
                        employment_status="student", gender="F", service_bank="abc"),
        make_submission(unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B),
        make_submission(unit_type="employer", unit_division="430406"),  # 衡阳 雁峰区
    ]
    Submission.objects.filter(pk=rows[0].pk).update(status=S.REGISTERED)
    return {
        "rows": rows,
        "handler_a": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "province": make_staff("province", roles.PROVINCIAL_ADMIN, ["430000"]),
        "editor": make_staff("editor", roles.EDITOR, []),
    }


def test_drill_down_from_province_to_township(world):
    queryset = Submission.objects.all()
    cities = {row["prefix"]: row["total"] for row in statistics.by_division(queryset, "43")}
    assert cities == {"4301": 3, "4304": 1}
    in_changsha = queryset.filter(queue_code__startswith="4301")
    counties = {row["prefix"]: row["total"] for row in statistics.by_division(in_changsha, "4301")}
    assert counties == {"430102": 3}
    townships = statistics.by_division(queryset.filter(queue_code__startswith="430102"), "430102")
    assert {row["prefix"]: (row["total"], row["registered"]) for row in townships} == {
        TOWNSHIP_A: (2, 1), TOWNSHIP_B: (1, 0)
    }
    assert {row["name"] for row in townships} == {"文艺路街道", "五里牌街道"}


def test_breakdowns_and_age_bands(world):
    summary = statistics.summary(Submission.objects.all())
    assert {value: n for value, _label, n in summary["employment_status"]} == {"unemployed": 3, "student": 1}
    assert {value: n for value, _label, n in summary["gender"]} == {"M": 3, "F": 1}
    bands = dict(statistics.by_age_band(Submission.objects.all(), today=date(2026, 11, 29)))
    assert bands == {"0–6": 0, "7–17": 1, "18–35": 0, "36–59": 3, "60+": 0}


def test_report_page_is_scoped_to_the_users_divisions(client, world):
    client.force_login(world["handler_a"])
    response = client.get(reverse("forms_intake_statistics"))
    assert response.status_code == 200
    rows = {row.prefix: row.total for row in response.context["object_list"]}
    assert rows == {TOWNSHIP_A: 2}
    assert response.context["total"] == 2
    # Asking for another division's drill-down falls back to the user's own.
    response = client.get(reverse("forms_intake_statistics"), {"division": "430406"})
    assert {row.prefix for row in response.context["object_list"]} == {TOWNSHIP_A}


def test_report_xlsx_export(client, world):
    client.force_login(world["province"])
    response = client.get(reverse("forms_intake_statistics"), {"export": "xlsx"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(body)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values[0]) == 5 + len(S.values)  # division, code, total, one column per state, cards issued/collected
    totals = {row[1]: row[2] for row in values[1:]}
    assert totals == {"430100": 3, "430400": 1}


def test_report_shows_a_chart_and_drill_down_links(client, world):
    client.force_login(world["province"])
    content = client.get(reverse("forms_intake_statistics")).content.decode()
    assert "<svg" in content and 'href="?division=430100"' in content


def test_content_editors_cannot_open_the_report_or_see_the_panel(client, world):
    client.force_login(world["editor"])
    assert client.get(reverse("forms_intake_statistics")).status_code in (302, 403)
    assert "registrations-panel-heading" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_dashboard_panel_counts_in_scope_with_one_grouped_query(client, world, django_assert_num_queries):
    counts, oldest = statistics.state_counts(Submission.objects.filter(queue_code=TOWNSHIP_A))
    assert counts == {"registered": 1, "submitted": 1} and oldest is not None
    with django_assert_num_queries(1):
        statistics.state_counts(Submission.objects.all())
    client.force_login(world["handler_a"])
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "registrations-panel-heading" in content


# ---- issue 15: the statistics export holds every breakdown, zero divisions, a file name; numbers link ----

def _export(client, fmt, **params):
    response = client.get(reverse("forms_intake_statistics"), {"export": fmt, **params})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_xlsx_export_has_every_breakdown_and_the_divisions_without_registrations(client, world):
    client.force_login(world["province"])
    response, body = _export(client, "xlsx", division="430100")
    assert "430100" in response["Content-Disposition"] and "%E9%95%BF%E6%B2%99" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(body))
    assert len(workbook.sheetnames) == 7  # divisions, state, employment, reason, bank, gender, age band
    divisions = {row[1]: row[2] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert divisions == {"430102": 3, "430104": 0}  # 岳麓区: no registration, listed with zero
    sheets = {name: dict(workbook[name].iter_rows(min_row=2, values_only=True)) for name in workbook.sheetnames[1:]}
    assert sheets["就业状态"]["2、无单位 在校学生"] == 1 and sum(sheets["就业状态"].values()) == 3
    assert sum(sheets["社保卡服务银行"].values()) == 3
    assert dict(workbook.worksheets[5].iter_rows(min_row=2, values_only=True))["女"] == 1  # gender
    ages = dict(workbook.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert ages["7–17"] == 1 and sum(ages.values()) == 3


def test_the_csv_export_reads_in_excel_with_every_table(client, world):
    import csv
    import io

    client.force_login(world["handler_a"])
    response, body = _export(client, "csv")
    assert body.startswith("\ufeff".encode()) and "charset=utf-8" in response["Content-Type"].lower()
    assert TOWNSHIP_A in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    titles = [rows[0][0]] + [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if not row]
    assert len(titles) == 7 and "就业状态" in titles and "未参保原因" in titles
    assert any(row[:3] == ["文艺路街道", TOWNSHIP_A, "2"] for row in rows)
    assert not any("五里牌街道" in cell for row in rows for cell in row)  # another township: not in scope


def test_the_report_numbers_link_to_the_filtered_queue(client, world):
    client.force_login(world["province"])
    page = client.get(reverse("forms_intake_statistics_results"), {"division": "430102"}).content.decode()
    queue = reverse("forms_intake_submission:index")
    link = f'{queue}?division={TOWNSHIP_A}&amp;status=registered'
    assert link in page
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert world["rows"][0].reference in listing and world["rows"][1].reference not in listing
    student = f"{queue}?division=430102&amp;employment_status=student"
    assert student in page
    assert world["rows"][1].reference in client.get(student.replace("&amp;", "&")).content.decode()
    band = re.search(rf'href="({re.escape(queue)}\?division=430102&amp;age_band=1)"', page).group(1)
    listing = client.get(band.replace("&amp;", "&")).content.decode()
    assert world["rows"][1].reference in listing and world["rows"][2].reference not in listing


def test_the_report_of_another_division_stays_in_scope_in_the_export(client, world):
    client.force_login(world["handler_a"])
    _response, body = _export(client, "xlsx", division="430406")
    divisions = [row[1] for row in load_workbook(BytesIO(body)).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert divisions == [TOWNSHIP_A]


# ---- issue 13: cards issued (and collected) per division, from the cards themselves, in scope ----

def _issue_cards(world):
    """Cards for three registrations: two in township A (one collected), one in township B."""
    from django.utils import timezone

    from forms_intake.models import SocialSecurityCard

    for n, (row, collected) in enumerate([(world["rows"][0], True), (world["rows"][1], False),
                                          (world["rows"][2], False)]):
        Submission.objects.filter(pk=row.pk).update(status=S.CARD_ISSUED)
        SocialSecurityCard.objects.create(
            submission=row, card_number=f"H4301020{n:05d}", card_number_masked=f"*****{n:04d}", bank="icbc",
            issued_on=date(2026, 12, 1), collection_point="文艺路街道社保窗口", township_code=row.queue_code,
            collected_at=timezone.now() if collected else None)
    return SocialSecurityCard.objects


def test_the_report_counts_cards_issued_and_collected_per_division(client, world):
    cards = _issue_cards(world)
    client.force_login(world["province"])
    response = client.get(reverse("forms_intake_statistics"), {"division": "430102"})
    rows = {row.prefix: (row.cards_issued, row.cards_collected) for row in response.context["object_list"]}
    assert rows == {
        TOWNSHIP_A: (cards.filter(township_code=TOWNSHIP_A).count(), 1),
        TOWNSHIP_B: (cards.filter(township_code=TOWNSHIP_B).count(), 0),
    } == {TOWNSHIP_A: (2, 1), TOWNSHIP_B: (1, 0)}
    assert 'data-report-cards' in response.content.decode()
    cities = {row.prefix: row.cards_issued for row in client.get(reverse("forms_intake_statistics")).context[
        "object_list"]}
    assert cities["4301"] == cards.count() == 3 and cities["4304"] == 0
    # Submitted before the registrations were: no registration, no card.
    filtered = client.get(reverse("forms_intake_statistics"), {"division": "430102",
                                                              "created_at_to": "2020-01-01"})
    assert filtered.context["total"] == 0
    assert {row.cards_issued for row in filtered.context["object_list"]} == {0}


def test_a_handler_sees_only_the_cards_of_their_divisions_in_the_report_and_its_export(client, world):
    import csv
    import io

    _issue_cards(world)
    client.force_login(world["handler_a"])
    response = client.get(reverse("forms_intake_statistics"), {"division": "430102"})
    assert [(row.prefix, row.cards_issued) for row in response.context["object_list"]] == [(TOWNSHIP_A, 2)]
    _response, body = _export(client, "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[1]
    issued, collected = header.index("发卡数"), header.index("已领卡")
    line = next(row for row in rows if row[1:2] == [TOWNSHIP_A])
    assert (line[issued], line[collected]) == ("2", "1")
