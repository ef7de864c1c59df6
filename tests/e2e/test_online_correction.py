"""Browser test of the online correction (issue 14): the handler returns a registration naming the street
to correct, the resident proves who they are (reference + ID number + the SMS code sent to the registered
phone), corrects only that field, and the handler's detail page shows the registration back in the queue
with the street's before/after in the timeline."""

import re

import pytest

from forms_intake.models import Submission
from forms_intake.rules.states import SubmissionStatus as S
from portal import roles, sms
from tests.e2e.admin_session import admin_login
from tests.e2e.test_wizard_journeys import _context as axe_context
from tests.e2e.test_wizard_journeys import check_axe
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_id_number, make_staff, make_submission

pytestmark = pytest.mark.e2e

ID_NUMBER = make_id_number(region="430102", born="19800520", sequence=512)


def _do(page, action):
    page.locator(f"form[action$='/{action}/'] button[type='submit']").click()
    page.wait_for_load_state("domcontentloaded")


def test_a_returned_registration_corrected_online_by_the_resident(live_portal, browser):
    base = live_portal.url
    make_staff("handler_corr", roles.HANDLER, [TOWNSHIP_A], first_name="李经办")
    submission = make_submission(id_number=ID_NUMBER, name="周六一", residence_street="八一路12号")
    detail_url = f"{base}/admin/registrations/inspect/{submission.pk}/"

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = staff_context.new_page()
    admin_login(staff, base, "handler_corr")
    staff.goto(detail_url)
    _do(staff, "claim")
    return_form = staff.locator("form[action$='/return/']")
    return_form.locator("textarea[name='note']").fill("门牌号有误，请更正")
    return_form.locator("input[name='correct_fields'][value='residence_street']").check()
    _do(staff, "return")
    _do(staff, "return")  # the confirmation page (a page, not a pop-up) keeps the ticked fields
    assert Submission.objects.get(pk=submission.pk).status == S.RETURNED
    sms.outbox.clear()  # a notification of the return, if one is sent: only the code is read below

    resident_context = axe_context(browser, viewport={"width": 390, "height": 844})
    resident = resident_context.new_page()
    resident.goto(base + "/register/correct/")
    check_axe(resident, "correction: reference and ID number")
    resident.fill("input[name='reference']", submission.reference)
    resident.fill("input[name='id_number']", ID_NUMBER)
    resident.locator("form:has(input[name='stage'][value='lookup']) button[type='submit']").click()
    resident.wait_for_selector("[data-code-sent]")
    check_axe(resident, "correction: code")
    assert ID_NUMBER not in resident.url and submission.reference not in resident.url
    codes = [m for m in sms.outbox if m.to == submission.phone]
    assert len(codes) == 1
    resident.fill("input[name='code']", re.search(r"\d{6}", codes[0].body).group(0))
    resident.locator("form:has(input[name='stage'][value='code']) button[type='submit']").click()
    resident.wait_for_selector("[data-correction-form]")
    check_axe(resident, "correction: form")
    form = resident.locator("[data-correction-form]")
    # Only the requested field is editable; the others are shown, the ID number masked.
    assert form.locator("input[type='text'], input[type='tel'], select, textarea").count() == 1
    assert "门牌号有误，请更正" in resident.content()
    assert ID_NUMBER not in resident.content() and "430102********" in resident.content()
    form.locator("input[name='address-residence_street']").fill("八一路14号")
    form.locator("button[type='submit']").click()
    resident.wait_for_selector("[data-correction-done]")
    check_axe(resident, "correction: done")
    resident_context.close()

    assert Submission.objects.get(pk=submission.pk).status == S.SUBMITTED
    staff.goto(detail_url)
    assert "待受理" in staff.locator(".registration-status").inner_text()
    timeline = staff.locator(".registration-timeline").inner_text()
    assert "the resident (online)" in timeline or "居民" in timeline  # not "system"
    changes = staff.locator(".registration-changes").last.inner_text()
    assert "八一路12号" in changes and "八一路14号" in changes
    staff_context.close()
