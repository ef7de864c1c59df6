"""Browser tests of issue #14's SMS codes with the in-memory SMS backend (portal.sms.outbox).

The live server runs in this process, so the test reads the codes the site "sent" from the outbox.
(a) JavaScript on, Chinese: the review's submit asks for the code sent to the 联系电话; a wrong code, an
    expired code and a new code, then the right one gives the receipt; axe-core checks the code page.
(b) JavaScript off, English: "Save and come back later" on the address step, then another browser
    comes back with the mobile number and the code, and finds the answers typed on that page.
"""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.e2e.test_wizard_journeys import _context, check_axe, choose_divisions, step, submit
from tests.forms_intake.wizard_support import CHANGSHA, FURONG, FURONG_TOWN, HUNAN, STUDENT_ID, load_test_site

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
    page.check('input[name="filer-filing_for"][value="self"]')
    page.check('input[name="filer-intent"]')
    submit(page)
    step(page, "identity", js)
    page.fill('input[name="identity-name"]', "王同学")
    page.fill('input[name="identity-id_number"]', STUDENT_ID)
    page.fill('input[name="identity-phone"]', "138 1234 5678")
    submit(page)
    step(page, "employment", js)
    page.check('input[name="employment-employment_status"][value="student"]')
    submit(page)
    step(page, "address", js)


def test_the_code_page_with_wrong_expired_and_new_codes(portal, browser):
    from forms_intake.models import Submission, VerificationCode
    from portal import sms

    context = _context(browser, viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    answer_until_address(page, portal.url, js=True)
    choose_divisions(page, "hukou", [HUNAN, CHANGSHA, FURONG], js=True)
    choose_divisions(page, "residence", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    page.fill('input[name="address-residence_village"]', "八一路社区")
    submit(page)
    step(page, "reason", True)
    reason_url = page.url
    page.goto(reason_url.replace("/step/reason/", "/step/save/"))  # the save page (saving only on its POST)
    check_axe(page, "save page")
    page.goto(portal.url + "/register/step/resume/")
    check_axe(page, "resume page")
    page.goto(reason_url)
    page.check('input[name="reason-not_insured_reason"][value="personal"]')
    page.check('input[name="reason-service_bank"][value="psbc"]')
    submit(page)
    step(page, "unit", True)
    submit(page)
    step(page, "review", True)
    page.check('input[name="review-confirm_true"]')
    page.check('input[name="review-consent"]')
    submit(page)

    page.wait_for_url("**/register/step/confirm-phone/**")
    check_axe(page, "code page")
    assert "138****5678" in page.inner_text("main")
    assert [m.to for m in sms.outbox] == ["+8613812345678"]
    code = last_code()

    page.fill('input[name="code"]', f"{(int(code) + 1) % 1000000:06d}")
    submit(page)
    page.wait_for_selector("[data-error-summary]")
    check_axe(page, "code page with an error")
    assert Submission.objects.count() == 0

    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page.fill('input[name="code"]', code)
    submit(page)
    page.wait_for_selector("[data-error-summary]")
    assert "code" in page.inner_text("[data-error-summary]") or "验证码" in page.inner_text("[data-error-summary]")
    assert Submission.objects.count() == 0

    page.click('button[name="action"][value="resend"]')
    page.wait_for_selector("[role=status]")
    assert len(sms.outbox) == 2
    page.fill('input[name="code"]', last_code())
    submit(page)
    page.wait_for_url("**/register/done/")
    assert Submission.objects.get().id_number == STUDENT_ID
    context.close()


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
