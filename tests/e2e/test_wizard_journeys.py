"""Browser tests of the Annex 2 wizard: three residents from the start page to the status lookup.

(a) an employed resident registering themself (JavaScript on, desktop);
(b) a parent registering a preschool child as proxy (JavaScript on, phone);
(c) a student with JavaScript off (the division lists refresh with a button).
Each ends with a reference number; the printable form shows every answer and
the status lookup finds the registration. axe-core checks every step.
"""

import json
import re
from pathlib import Path

import pytest

from tests.forms_intake.wizard_support import (
    ADULT_ID,
    CHANGSHA,
    CHILD_ID,
    FURONG,
    FURONG_TOWN,
    HUNAN,
    PARENT_ID,
    STUDENT_ID,
    load_test_site,
)

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
REFERENCE = re.compile(r"^HN-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{3}$")


@pytest.fixture
def wizard_portal(transactional_db, live_server):
    load_test_site()
    return live_server


def _context(browser, **options):
    """A browser context under the site's real Content-Security-Policy, with axe-core preloaded.

    An init script is injected by the browser itself, so the strict CSP (no
    inline scripts) stays in force for the site's own JavaScript.
    """
    context = browser.new_context(locale="zh-CN", **options)
    if AXE.exists():
        context.add_init_script(path=str(AXE))
    return context


def check_axe(page, where):
    """Fail on any serious or critical axe-core violation of the current page."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (engineer A's setup) before the browser tests")
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    assert result == [], f"axe violations on {where}: {json.dumps(result, ensure_ascii=False, indent=1)}"


def step(page, name, js):
    """Wait for a wizard step by its URL and run axe on it (axe needs JavaScript)."""
    page.wait_for_url(f"**/register/step/{name}/**")
    if js:
        check_axe(page, name)


def submit(page):
    page.click("[data-primary-submit]")


def choose_divisions(page, group, codes, js):
    """Pick province → city → county (→ town) in one address group."""
    levels = ["province", "city", "county", "town"][: len(codes)]
    for level, code in zip(levels, codes, strict=True):
        selector = f'select[name$="-{group}_{level}"]'
        if js:
            page.wait_for_selector(f'{selector} option[value="{code}"]', state="attached")
        page.select_option(selector, code)


def choose_divisions_without_js(page, groups):
    """Without JavaScript: choose a level in every group, press "Update the lists", repeat."""
    depth = max(len(codes) for codes in groups.values())
    for index, level in enumerate(["province", "city", "county", "town"][:depth]):
        for group, codes in groups.items():
            if index < len(codes):
                page.select_option(f'select[name$="-{group}_{level}"]', codes[index])
        if index < depth - 1:
            page.click('button[name="wizard_refresh"] >> nth=0')
            page.wait_for_load_state()


#: How the paper form writes some review answers: the level word follows the name (芙蓉 县（市、区）).
PRINTED = {"已就业·省内": "省内☑", "湖南省": "湖南 省", "长沙市": "长沙 市", "芙蓉区": "芙蓉 县",
           "文艺路街道": "文艺路 镇", "八一路社区": "八一路"}


def finish(page, js, expected):
    """Check the review, declare, submit; return the reference after checking print and status."""
    step(page, "review", js)
    review = page.inner_text("main")
    for text in expected:
        assert text in review, f"review lacks {text}"
    page.check('input[name="review-confirm_true"]')
    page.check('input[name="review-consent"]')
    if js:
        # A double click must not create two registrations.
        page.dblclick("[data-primary-submit]")
    else:
        submit(page)
    page.wait_for_url("**/register/done/")
    if js:
        check_axe(page, "receipt")
    reference = page.inner_text("[data-reference]").strip()
    assert REFERENCE.match(reference), reference
    assert "温馨提示" in page.inner_text("main")

    page.click('a[href$="/done/print/"]')
    page.wait_for_url("**/register/done/print/")
    printable = page.inner_text("body")
    for text in [reference, *(PRINTED.get(text, text) for text in expected), "经办人签名", "校核人签名"]:
        assert text in printable, f"printable form lacks {text}"
    if js:
        check_axe(page, "printable form")
    return reference


def lookup_status(page, base, reference, id_number, js):
    page.goto(base + "/status/")
    page.fill('input[name="reference"]', reference)
    page.fill('input[name="id_number"]', id_number)
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-status-result]")
    assert "待受理" in page.inner_text("[data-status-result]")
    if js:
        check_axe(page, "status lookup")


def start(page, base, js):
    page.goto(base + "/register/")
    if js:
        check_axe(page, "introduction")
    page.click('main button[name="start"]')
    step(page, "filer", js)


def test_employed_resident_registers_themself(wizard_portal, browser):
    from forms_intake.models import Submission

    context = _context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = wizard_portal.url
    start(page, base, js=True)
    page.check('input[name="filer-filing_for"][value="self"]')
    page.check('input[name="filer-intent"]')
    submit(page)

    step(page, "identity", True)
    submit(page)  # empty: the error summary takes focus and links to the fields
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    check_axe(page, "identity with errors")
    page.fill('input[name="identity-name"]', "张三")
    page.fill('input[name="identity-id_number"]', ADULT_ID)
    page.fill('input[name="identity-phone"]', "138 1234 5678")
    submit(page)

    step(page, "employment", True)
    page.check('input[name="employment-employment_status"][value="employed_in_province"]')
    page.fill('input[name="employment-employer_name"]', "长沙市某某科技有限公司")
    submit(page)

    step(page, "address", True)
    assert not page.is_visible('button[name="wizard_refresh"]'), "JavaScript fills the lists itself"
    choose_divisions(page, "hukou", [HUNAN, CHANGSHA, FURONG], js=True)
    choose_divisions(page, "residence", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    page.fill('input[name="address-residence_village"]', "八一路社区")
    page.fill('input[name="address-residence_street"]', "八一路12号")
    submit(page)

    step(page, "workplace", True)
    choose_divisions(page, "employer", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    submit(page)

    step(page, "reason", True)
    page.check('input[name="reason-not_insured_reason"][value="employer_did_not_enrol"]')
    page.check('input[name="reason-service_bank"][value="ccb"]')
    submit(page)

    step(page, "unit", True)
    assert page.input_value('input[name="unit-unit_name"]') == "长沙市某某科技有限公司"
    page.fill('input[name="unit-unit_code"]', "91430100MA4L16JX8F")
    submit(page)

    reference = finish(
        page, True,
        ["张三", ADULT_ID, "已就业·省内", "长沙市某某科技有限公司", "湖南省", "长沙市", "芙蓉区", "文艺路街道",
         "八一路社区", "八一路12号", "单位未予参保", "建行", "91430100MA4L16JX8F"],
    )
    assert Submission.objects.count() == 1
    lookup_status(page, base, reference, ADULT_ID, js=True)
    context.close()


def test_parent_registers_a_preschool_child_as_proxy(wizard_portal, browser):
    context = _context(browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    base = wizard_portal.url
    start(page, base, js=True)
    page.check('input[name="filer-filing_for"][value="other"]')
    page.check('input[name="filer-intent"]')
    submit(page)

    step(page, "identity", True)
    page.fill('input[name="identity-name"]', "李小明")
    page.fill('input[name="identity-id_number"]', CHILD_ID)
    page.fill('input[name="identity-phone"]', "13812345678")
    submit(page)

    step(page, "proxy", True)
    page.fill('input[name="proxy-proxy_name"]', "李大明")
    page.fill('input[name="proxy-proxy_phone"]', "13987654321")
    page.fill('input[name="proxy-proxy_id_number"]', PARENT_ID)
    page.check('input[name="proxy-proxy_relationship"][value="parent"]')
    submit(page)

    step(page, "employment", True)
    page.check('input[name="employment-employment_status"][value="preschool"]')
    submit(page)

    step(page, "address", True)
    choose_divisions(page, "hukou", [HUNAN, CHANGSHA, FURONG], js=True)
    choose_divisions(page, "residence", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    page.fill('input[name="address-residence_village"]', "八一路社区")
    submit(page)

    step(page, "reason", True)  # no workplace step for a child
    page.check('input[name="reason-not_insured_reason"][value="personal"]')
    page.check('input[name="reason-service_bank"][value="bocs"]')
    submit(page)

    step(page, "unit", True)
    assert page.is_checked('input[name="unit-unit_type"][value="community"]')
    submit(page)

    reference = finish(
        page, True,
        ["李小明", CHILD_ID, "李大明", PARENT_ID, "父母", "学龄前", "八一路社区", "个人未参保", "长沙银行"],
    )
    lookup_status(page, base, reference, CHILD_ID, js=True)
    context.close()


def test_student_registers_with_javascript_off(wizard_portal, browser):
    context = _context(browser, java_script_enabled=False, viewport={"width": 320, "height": 700})
    page = context.new_page()
    base = wizard_portal.url
    start(page, base, js=False)
    page.check('input[name="filer-filing_for"][value="self"]')
    page.check('input[name="filer-intent"]')
    submit(page)

    step(page, "identity", False)
    page.fill('input[name="identity-name"]', "王同学")
    page.fill('input[name="identity-id_number"]', STUDENT_ID)
    page.fill('input[name="identity-phone"]', "0731-84567890")
    submit(page)

    step(page, "employment", False)
    page.check('input[name="employment-employment_status"][value="student"]')
    # Previous keeps the answer without validating.
    page.click('button[name="wizard_goto_step"]')
    step(page, "identity", False)
    assert page.input_value('input[name="identity-name"]') == "王同学"
    submit(page)
    step(page, "employment", False)
    assert page.is_checked('input[name="employment-employment_status"][value="student"]')
    submit(page)

    step(page, "address", False)
    choose_divisions_without_js(
        page, {"hukou": [HUNAN, CHANGSHA, FURONG], "residence": [HUNAN, CHANGSHA, FURONG, FURONG_TOWN]}
    )
    page.fill('input[name="address-residence_village"]', "八一路社区")
    submit(page)

    step(page, "reason", False)
    page.check('input[name="reason-not_insured_reason"][value="other"]')
    page.check('input[name="reason-service_bank"][value="psbc"]')
    submit(page)
    page.wait_for_selector("[data-error-summary]")  # 其他 needs a description
    page.fill('input[name="reason-not_insured_reason_other"]', "在外地读书，未办理")
    submit(page)

    step(page, "unit", False)
    submit(page)

    # Change a section from the review and come back to it.
    page.wait_for_url("**/register/step/review/**")
    page.click('a[href*="/register/step/address/?from=review"]')
    step(page, "address", False)
    page.fill('input[name="address-residence_street"]', "韶山北路1号")
    submit(page)

    reference = finish(
        page, False,
        ["王同学", STUDENT_ID, "在校学生", "芙蓉区", "文艺路街道", "八一路社区", "韶山北路1号",
         "在外地读书，未办理", "邮政银行"],
    )
    lookup_status(page, base, reference, STUDENT_ID, js=False)
    context.close()
