"""Browser test of the two-person check: a resident registers through the wizard, the township
handler claims and completes it in the Wagtail admin, a second user of the same township reviews
and registers it; the resident's status lookup shows 已登记 and the printed form both staff names."""

import re

import pytest

from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_id_number, make_staff

pytestmark = pytest.mark.e2e

ID_NUMBER = make_id_number(region="430102", born="19800520", sequence=417)


def _continue(page):
    page.locator("button[data-primary-submit]").click()
    page.wait_for_load_state("domcontentloaded")


def _resident_registers(page, base):
    page.goto(base + "/register/step/filer/")
    page.check("input[name='filer-filing_for'][value='self']")
    page.check("input[name='filer-intent']")
    _continue(page)
    page.fill("input[name='identity-name']", "周六一")
    page.fill("input[name='identity-id_number']", ID_NUMBER)
    page.fill("input[name='identity-phone']", "13800004170")
    _continue(page)
    page.check("input[name='employment-employment_status'][value='unemployed']")
    _continue(page)
    for group, levels in (("hukou", ["430000", "430100", "430102"]),
                          ("residence", ["430000", "430100", "430102", TOWNSHIP_A])):
        for level, code in zip(["province", "city", "county", "town"], levels, strict=False):
            # wizard.js fills each select from the one above; select_option waits for the option.
            page.select_option(f"select[name='address-{group}_{level}']", code)
    page.fill("input[name='address-residence_village']", "韶山路社区")
    _continue(page)
    page.check("input[name='reason-not_insured_reason'][value='personal']")
    page.check("input[name='reason-service_bank'][value='icbc']")
    _continue(page)
    page.check("input[name='unit-unit_type'][value='community']")
    _continue(page)
    page.check("input[name='review-confirm_true']")
    page.check("input[name='review-consent']")
    _continue(page)
    match = re.search(r"HN-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}", page.content())
    assert match, "no reference number on the receipt page"
    return match.group(0)


def _open_registration(page, base, reference):
    page.goto(base + "/admin/registrations/")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(r".*/admin/registrations/inspect/\d+/$"))


def _do(page, action):
    page.locator(f"form[action$='/{action}/'] button[type='submit']").click()
    page.wait_for_load_state("domcontentloaded")


def test_resident_to_registered_with_two_staff(live_portal, browser):
    base = live_portal.url
    make_staff("handler_e2e", roles.HANDLER, [TOWNSHIP_A], first_name="李经办")
    make_staff("reviewer_e2e", roles.REVIEWER, [TOWNSHIP_A], first_name="赵校核")

    resident = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    reference = _resident_registers(resident, base)

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = staff_context.new_page()
    admin_login(staff, base, "handler_e2e")
    _open_registration(staff, base, reference)
    assert "430102********" in staff.content()  # masked ID on the detail page
    _do(staff, "claim")
    _do(staff, "complete")
    # After an action the handler goes on to the next item of the list (none left here: the queue).
    staff.wait_for_url(re.compile(r".*/admin/registrations/(\?.*)?$"))
    _open_registration(staff, base, reference)
    assert "待校核" in staff.locator(".registration-status").inner_text()
    # The handler is offered no way to register their own work.
    assert staff.locator("form[action$='/register/']").count() == 0
    staff_context.close()

    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    reviewer = reviewer_context.new_page()
    admin_login(reviewer, base, "reviewer_e2e")
    _open_registration(reviewer, base, reference)
    detail_url = reviewer.url
    _do(reviewer, "register")
    # On to the next item waiting (none: the queue, which lists waiting work only); back to this one.
    reviewer.wait_for_url(re.compile(r".*/admin/registrations/(\?.*)?$"))
    reviewer.goto(detail_url)
    assert "已登记" in reviewer.locator(".registration-status").inner_text()
    timeline = reviewer.locator(".registration-timeline").inner_text()
    assert "李经办" in timeline and "赵校核" in timeline
    reviewer_context.close()

    resident.goto(base + "/status/")
    resident.fill("input[name='reference']", reference)
    resident.fill("input[name='id_number']", ID_NUMBER)
    resident.locator("form button[type='submit']").last.click()
    resident.wait_for_selector("[data-status-result]")
    assert "已登记" in resident.locator("[data-status-result]").inner_text()

    resident.goto(base + "/register/done/print/")
    printed = resident.content()
    assert "李经办" in printed and "赵校核" in printed
    resident.context.close()
