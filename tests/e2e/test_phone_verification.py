"""Browser test of issue #14's save-and-resume codes with the in-memory SMS backend (portal.sms.outbox).

The live server runs in this process, so the test reads the codes the site "sent" from the outbox.
JavaScript off, English: "Save and come back later" on the address step, then another browser comes back
with the mobile number and the code, and finds the answers typed on that page. (The code page before the
final submit, with wrong, expired and new codes, and axe-core on the save, resume and code pages, are
part of the proxy journey in test_wizard_journeys.py: the browser tests walk that journey once.)
"""

import re

import pytest
from django.test import override_settings

from tests.e2e.test_wizard_journeys import _context, answer_for_oneself, step, submit
from tests.forms_intake.wizard_support import STUDENT_ID, load_test_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def portal(transactional_db, live_server):
    from portal import sms

    load_test_site()
    sms.outbox.clear()
    with override_settings(WIZARD_PHONE_VERIFICATION=True):
        yield live_server
    sms.outbox.clear()


def last_code():
    from portal import sms

    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def answer_until_address(page, base, js, prefix="/register/"):
    page.goto(base + prefix)
    page.click('main button[name="start"]')
    step(page, "filer", js)
    answer_for_oneself(page, js, "王同学", STUDENT_ID, "138 1234 5678")
    page.check('input[name="employment-employment_status"][value="student"]')
    submit(page)
    step(page, "address", js)


def test_save_and_come_back_later_without_javascript_in_english(portal, browser):
    from forms_intake.models import SavedDraft

    context = _context(browser, java_script_enabled=False, viewport={"width": 320, "height": 700})
    page = context.new_page()
    answer_until_address(page, portal.url, js=False, prefix="/en/register/")
    page.fill('input[name="address-residence_street"]', "Shaoshan North Road 1")
    page.click('button[name="wizard_save"]')
    page.wait_for_url("**/en/register/step/save/**")
    assert page.input_value('input[name="phone"]') == "138 1234 5678"
    page.click("[data-primary-submit]")
    page.wait_for_selector("text=Your answers are saved")
    assert SavedDraft.objects.count() == 1
    context.close()

    later = _context(browser, java_script_enabled=False)
    page = later.new_page()
    page.goto(portal.url + "/en/register/")
    page.click("text=Come back to a saved registration")
    page.fill('input[name="phone"]', "13812345678")
    page.fill('input[name="code"]', last_code())
    page.click("[data-primary-submit]")
    page.wait_for_url("**/en/register/step/address/?draft=*")
    assert page.input_value('input[name="address-residence_street"]') == "Shaoshan North Road 1"
    assert SavedDraft.objects.count() == 0
    later.close()
