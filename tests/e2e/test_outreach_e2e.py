"""Browser test of the door-to-door journey (issue 12): the demo township's handler sees the roster, prints a
visit sheet, records "not met" for one person and "registered on the spot" for another, completes the
prefilled assisted entry (channel 入户), and the township's coverage rate rises.

The first test stages the population and insured data directly and compares them; the second has a
provincial administrator upload a population file (GB18030, one bad row) through the real admin form,
follow the import job to its end, download the error report, and the township's handler sees the new
people on the roster.
"""

import csv
import io
import re

import pytest

from forms_intake.models import RosterEntry, Submission
from forms_intake.services import roster
from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_id_number, make_staff
from tests.forms_intake.outreach.roster_support import VILLAGE_A1, insure, person, population_import

pytestmark = pytest.mark.e2e


@pytest.fixture
def township(live_portal):
    """文艺路街道: 4 insured, 3 unregistered people on the roster of village 003; its handler."""
    make_divisions()
    batch = population_import()
    for _ in range(4):
        insure(person(batch))
    names = ["陈大山", "刘小河", "周明月"]
    for name in names:
        person(batch, name=name, residence=VILLAGE_A1, address=f"韶山路 {len(name)} 号")
    roster.compare()
    make_staff("handler_roster", roles.HANDLER, [TOWNSHIP_A], first_name="李经办")
    return live_portal.url


def _login(page, base, username="handler_roster"):
    admin_login(page, base, username)


def _rate(page, base):
    page.goto(base + "/admin/outreach/coverage/")
    return float(page.locator("[data-coverage-rate]").inner_text().rstrip("%"))


def _open_entry(page, base, masked_name):
    page.goto(base + "/admin/outreach/roster/")
    page.locator("[data-roster] a", has_text=masked_name).click()
    page.wait_for_selector("[data-roster-entry]")


def test_clerk_visits_door_to_door_and_the_coverage_rate_rises(township, browser):
    base = township
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, base)
    before = _rate(page, base)
    assert before == round(4 * 100 / 7, 1)

    page.goto(base + "/admin/outreach/roster/")
    listing = page.locator("[data-roster]").inner_text()
    assert "陈**" in listing and "刘**" in listing and "陈大山" not in listing  # names masked

    # The visit sheet of the village: names for the door, masked IDs, space for the outcome.
    page.select_option("select[name='village']", VILLAGE_A1)
    page.locator("form[data-roster-filters] button[type='submit']").click()
    sheet_url = page.locator("[data-visit-sheet]").get_attribute("href")
    assert sheet_url.endswith(f"?village={VILLAGE_A1}")
    sheet = context.new_page()
    sheet.goto(base + sheet_url)
    table = sheet.locator("[data-visit-sheet-table]").inner_text()
    assert "陈大山" in table and "430102********" in table
    assert sheet.locator("td.write").count() == 9
    sheet.close()

    # Not met: a revisit is planned, the visit counted.
    _open_entry(page, base, "陈**")
    page.check("input[name='outcome'][value='not_met']")
    page.locator("[data-visit-form] button[type='submit']").click()
    page.wait_for_selector("[data-roster]")
    assert RosterEntry.objects.get(name="陈大山").status == RosterEntry.Status.REVISIT

    # Registered on the spot: assisted entry opens prefilled; only the entry's id is in the URL.
    _open_entry(page, base, "刘**")
    page.locator("[data-register-on-the-spot]").click()
    page.wait_for_url(re.compile(r".*/admin/registrations/new/\?roster=\d+$|.*\?roster=\d+$"))
    entry = RosterEntry.objects.get(name="刘小河")
    assert page.url.endswith(f"?roster={entry.pk}") and entry.id_number not in page.url
    assert page.input_value("input[name='identity-name']") == "刘小河"
    assert page.input_value("input[name='identity-id_number']") == entry.id_number
    assert page.is_checked("input[name='staff-channel'][value='door_to_door']")
    page.check("input[name='staff-signed']")
    page.fill("input[name='identity-phone']", "13800007777")
    page.check("input[name='employment-employment_status'][value='unemployed']")
    page.fill("input[name='address-residence_village']", "韶山路社区")
    page.check("input[name='reason-not_insured_reason'][value='personal']")
    page.check("input[name='reason-service_bank'][value='icbc']")
    page.check("input[name='unit-unit_type'][value='community']")
    page.locator("button[name='save']").click()
    page.wait_for_url(re.compile(r".*/admin/registrations/inspect/\d+/$"))

    submission = Submission.objects.get(id_number_hash=entry.id_number_hash)
    entry.refresh_from_db()
    assert entry.status == RosterEntry.Status.REGISTERED and entry.submission == submission
    assert submission.channel == Submission.Channel.DOOR_TO_DOOR and submission.queue_code == TOWNSHIP_A

    after = _rate(page, base)
    assert after == round(5 * 100 / 7, 1) > before
    context.close()


POPULATION_HEADER = [
    "身份证号码",
    "姓名",
    "户籍地区划代码",
    "户籍地址",
    "居住地区划代码",
    "居住地址",
    "联系电话",
    "人员状态",
]
UPLOADED = {"孙立新": 201, "郑和平": 202, "冯春花": 203}
_GOOD = make_id_number(born="19900101", sequence=204)
BAD_ID = _GOOD[:17] + ("1" if _GOOD[17] == "0" else "0")  # a wrong check digit


def _population_file(folder):
    rows = [POPULATION_HEADER]
    for name, sequence in UPLOADED.items():
        rows.append(
            [
                make_id_number(born="19900101", sequence=sequence),
                name,
                "430102",
                "芙蓉区户籍地址",
                VILLAGE_A1,
                f"韶山路 {sequence} 号",
                "13900002222",
                "",
            ]
        )
    rows.insert(3, [BAD_ID, "钱错号", "430102", "芙蓉区户籍地址", VILLAGE_A1, "韶山路 9 号", "", ""])  # row 4
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = folder / "公安人口.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path


def test_provincial_admin_uploads_population_and_the_township_roster_shows_the_new_people(
    live_portal, browser, tmp_path, settings
):
    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    make_divisions()
    make_staff("province_admin", roles.PROVINCIAL_ADMIN, ["430000"], first_name="省管理员")
    make_staff("handler_roster", roles.HANDLER, [TOWNSHIP_A], first_name="李经办")
    base = live_portal.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    _login(page, base, "province_admin")

    # The real upload form: kind, source, the GB18030 file.
    page.goto(base + "/admin/outreach/imports/upload/")
    page.select_option("select[name='kind']", "population")
    page.fill("input[name='source']", "police")
    page.set_input_files("input[name='file']", str(_population_file(tmp_path)))
    page.locator("form[enctype='multipart/form-data'] button[type='submit']").click()
    # The test settings run jobs at once: the import and the comparison run before the redirect.
    page.wait_for_url(re.compile(r".*/admin/outreach/imports/$"), timeout=120_000)

    row = page.locator("table.listing tbody tr").first
    cells = [text.strip() for text in row.locator("td").all_inner_texts()]
    assert cells[3] == "公安人口.csv"
    assert cells[5:8] == ["4", "3", "1"]  # rows, imported, rejected

    # The job's progress page (the uploader's own): finished, the bar full.
    row.locator("td a[href*='/jobs/']").first.click()
    page.wait_for_selector("progress")
    assert page.locator("progress").first.get_attribute("value") == "100"

    # The error report names the bad row, its column and a reason; never the value.
    page.goto(base + "/admin/outreach/imports/")
    with page.expect_download() as download_info:
        page.locator("a[href$='/errors.csv']").first.click()
    report = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    lines = report.strip().splitlines()
    assert len(lines) == 2
    number, column, reason = next(csv.reader([lines[1]]))
    assert (number, column) == ("4", "身份证号码 (ID number)") and reason
    assert BAD_ID not in report and "钱错号" not in report
    context.close()

    # The township's handler sees the three new people (masked), not the bad row.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, base)
    page.goto(base + "/admin/outreach/roster/")
    listing = page.locator("[data-roster]").inner_text()
    for name in UPLOADED:
        assert name[0] + "**" in listing and name not in listing
    assert "钱**" not in listing
    assert RosterEntry.objects.filter(queue_code=TOWNSHIP_A).count() == 3
    context.close()
