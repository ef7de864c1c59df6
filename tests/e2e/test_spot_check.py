"""Browser test of a spot check (issue 15, seed items 20-21): the provincial administrator draws a sample of
a county's registrations, assigns it to a reviewer from another county, the reviewer records a finding per
sampled registration, and the evaluation report shows the error rate with its 95 % interval."""

import re

import pytest

from forms_intake.models import SpotCheck
from forms_intake.rules import spot_checks as rules
from forms_intake.rules.states import SubmissionStatus as S
from portal import roles
from tests.e2e.admin_session import admin_page
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.e2e


def test_a_spot_check_from_draw_to_evaluation_report(transactional_db, live_server, browser):
    make_divisions()
    for _ in range(8):
        make_submission(status=S.REGISTERED, queue_code=TOWNSHIP_A)
    make_staff("province_e2e", roles.PROVINCIAL_ADMIN, ["430000"], first_name="省管理员")
    make_staff("checker_e2e", roles.REVIEWER, ["430406"], first_name="雁峰校核")
    make_staff("local_e2e", roles.REVIEWER, ["430102"], first_name="芙蓉校核")  # the county's own: not offered
    base = live_server.url

    # Draw: 3 of the county's registrations, seed 7.
    admin = admin_page(browser, base, "province_e2e")
    admin.goto(base + "/admin/registrations/spot-checks/new/")
    admin.fill("input[name='division_code']", "430102")
    admin.fill("input[name='sample_size']", "3")
    admin.fill("input[name='seed']", "7")
    admin.locator("main form button[type='submit']").first.click()
    admin.wait_for_url(re.compile(r".*/spot-checks/inspect/\d+/$"))
    check = SpotCheck.objects.get()
    assert admin.locator("[data-figure='seed']").inner_text() == "7"
    assert admin.locator("[data-figure='sampled']").inner_text() == "3"

    # Assign: only reviewers outside 芙蓉区 are offered.
    assign = admin.locator(f"form[action$='/spot-checks/{check.pk}/assign/']")
    assert assign.get_by_text("雁峰校核").is_visible()
    assert assign.get_by_text("芙蓉校核").count() == 0
    assign.get_by_label(re.compile("雁峰校核")).check()
    assign.locator("button[type='submit']").click()
    admin.wait_for_load_state("domcontentloaded")
    assert admin.locator("tr.spot-check-item", has_text="雁峰校核").count() == 3

    # Findings: the reviewer works through the list; the first has an error in the bank.
    reviewer = admin_page(browser, base, "checker_e2e")
    reviewer.goto(base + "/admin/registrations/spot-checks/mine/")
    items = list(check.items.order_by("result", "spot_check_id", "position"))
    reviewer.get_by_role("link", name=items[0].reference).click()
    reviewer.locator("input[name='result'][value='error']").check()
    reviewer.select_option("select[name='error_field']", "service_bank")
    reviewer.fill("textarea[name='note']", "银行与纸质表不符")
    reviewer.locator("main form button[type='submit']").click()
    for item in items[1:]:
        reviewer.wait_for_url(re.compile(rf".*/spot-checks/item/{item.pk}/$"))
        reviewer.locator("input[name='result'][value='correct']").check()
        reviewer.locator("main form button[type='submit']").click()
    reviewer.wait_for_url(re.compile(r".*/spot-checks/mine/$"))

    # The evaluation report: 1 error in 3, with the Wilson interval.
    admin.goto(base + f"/admin/registrations/spot-checks/inspect/{check.pk}/")
    low, high = rules.wilson_interval(1, 3)
    assert admin.locator("[data-figure='checked']").inner_text() == "3 / 3"
    assert admin.locator("[data-figure='rate']").inner_text() == "33.3 %"
    assert admin.locator("[data-figure='interval']").inner_text() == f"{low * 100:.1f} % – {high * 100:.1f} %"
    assert admin.locator("tr.spot-check-item[data-result='error']").count() == 1
