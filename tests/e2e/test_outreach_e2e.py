"""Browser test of the door-to-door journey (issue 12): the demo township's handler sees the roster, prints a
visit sheet, records "not met" for one person and "registered on the spot" for another, completes the
prefilled assisted entry (channel 入户), and the township's coverage rate rises.

The population and insured data are staged directly and compared (the upload screens have their own test).
"""

import re

import pytest

from forms_intake.models import RosterEntry, Submission
from forms_intake.services import roster
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff
from tests.forms_intake.outreach.roster_support import VILLAGE_A1, insure, person, population_import

pytestmark = pytest.mark.e2e

PASSWORD = "pw-for-tests-only"


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


def _login(page, base):
    page.goto(base + "/admin/login/")
    page.fill("input[name='username']", "handler_roster")
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit']").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


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
