"""The work schedule page shows the 24 rows of the seed document verbatim, grouped in their three phases."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

SEED_NAME = "000_05eb365987a3c60e.txt"
# The shared seed folder beside the repository; a copy is kept with the tests for machines without it.
SEED_CANDIDATES = [
    Path(settings.BASE_DIR).parent / "shared" / "seed" / SEED_NAME,
    Path(__file__).parent / "data" / "work_schedule_seed.txt",
]


def seed_rows():
    """Parse the schedule out of the seed document: [(phase, number, item, requirements, lead, responsible, deadline)].

    Each row is a block of tab-indented lines (phase or blank, number, item, requirements, 负责人, 责任人, deadline);
    a blank phase cell continues the phase above; cells holding only (full-width) spaces are empty.
    """
    path = next(p for p in SEED_CANDIDATES if p.exists())
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("附件2")]
    rows, phase = [], None
    for block in text.split("\n\n"):
        cells = [line[1:] if line.startswith("\t") else line for line in block.split("\n")]
        if len(cells) != 7 or not cells[1].strip().isdigit():
            continue
        cells = [c.strip() for c in cells]  # str.strip() also removes U+3000
        phase = cells[0] or phase
        rows.append((phase, int(cells[1]), *cells[2:]))
    return rows


def _cell_text(html):
    """What a sighted reader sees in a cell: a blank cell's dash and its words for screen readers read as ""."""
    html = re.sub(r'<span class="schedule-blank" aria-hidden="true">—</span><span class="visually-hidden">[^<]*</span>',
                  "", html)
    return unescape(re.sub(r"<[^>]+>", "", html.replace("<br>", "\n"))).strip()


def rendered_rows(body):
    """[(phase, number, item, requirements, lead, responsible, deadline)] read back from the page's table."""
    rows = []
    for tbody in re.findall(r'<tbody class="schedule-phase"[^>]*>(.*?)</tbody>', body, re.S):
        phase = _cell_text(re.search(r'<th scope="rowgroup"[^>]*>(.*?)</th>', tbody, re.S).group(1))
        for tr in re.findall(r'<tr class="schedule-row">(.*?)</tr>', tbody, re.S):
            cells = [_cell_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
            rows.append((phase, int(cells[0]), *cells[1:6]))
    return rows


def test_the_seed_document_has_24_rows_in_three_phases():
    rows = seed_rows()
    assert [r[1] for r in rows] == list(range(1, 25))
    assert {r[0] for r in rows if r[1] <= 12} == {"准备阶段"}
    assert {r[0] for r in rows if 13 <= r[1] <= 19} == {"实施阶段"}
    assert {r[0] for r in rows if r[1] >= 20} == {"完善阶段"}


def test_schedule_page_rows_match_the_seed_document(client, public_site, db):
    response = client.get("/work-schedule/")
    assert response.status_code == 200
    body = response.content.decode()
    assert rendered_rows(body) == seed_rows()
    # Blank cells of the source (e.g. row 18's 负责人 and 责任人) are stored and shown empty.
    row18 = next(r for r in rendered_rows(body) if r[1] == 18)
    assert row18[4] == "" and row18[5] == ""


def test_schedule_table_is_accessible(client, public_site, db):
    body = client.get("/work-schedule/").content.decode()
    assert "<caption>" in body
    assert body.count('<th scope="col">') == 7
    assert body.count('scope="rowgroup"') == 3
    assert body.count('<th scope="row"') == 24
    assert body.count("<h1>") == 1


def test_english_schedule_is_translated_with_the_same_structure(client, public_site, db):
    body = client.get("/en/work-schedule/").content.decode()
    rows = rendered_rows(body)
    zh_rows = seed_rows()
    assert [r[1] for r in rows] == [r[1] for r in zh_rows]
    assert [r[0] for r in rows].count("Preparation phase") == 12
    assert rows[0][2] == "Choose the province's pilot city for the universal registration plan"
    assert rows[0][6] == "Completed"
    # Nothing Chinese is left in the English rows.
    for row in rows:
        for cell in row[2:]:
            assert not re.search(r"[\u4e00-\u9fff]", cell), row


def _row(body, number):
    return next(tr for tr in re.findall(r'<tr class="schedule-row">(.*?)</tr>', body, re.S)
                if re.search(rf"<td[^>]*>{number}</td>", tr))


def test_blank_cells_read_as_blank_to_screen_readers_too(client, public_site, db):
    row18 = _row(client.get("/work-schedule/").content.decode(), 18)
    # 负责人 and 责任人 are blank: a dash hidden from screen readers, and words for them instead of silence.
    assert row18.count('<span class="schedule-blank" aria-hidden="true">—</span><span class="visually-hidden">') == 2


def test_the_page_shows_the_work_items_status(client, public_site, db):
    from home.work_items import WorkItem

    WorkItem.objects.filter(number=21).update(status="in_progress")
    body = client.get("/work-schedule/").content.decode()
    assert 'data-status="in_progress"' in _row(body, 21)
    assert 'data-status="done"' in _row(body, 1)
    english = client.get("/en/work-schedule/").content.decode()
    assert "In progress" in _row(english, 21)


def test_the_page_renders_from_the_work_items_in_few_queries(client, public_site, db, django_assert_max_num_queries):
    client.get("/work-schedule/")
    with django_assert_max_num_queries(25):
        assert client.get("/work-schedule/").status_code == 200


def test_the_item_column_is_headed_as_in_the_seed(client, public_site, db):
    body = client.get("/work-schedule/").content.decode()
    assert '<th scope="col">工作项目</th>' in body
