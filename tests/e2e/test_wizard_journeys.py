"""Browser tests of the Annex 2 wizard: three residents from the start page to the status lookup.

(a) an employed resident registering themself (JavaScript on, desktop);
(b) a parent registering a preschool child as proxy (JavaScript on, phone), who also downloads the PDF
    and prints the form (one A4 page in both languages, readable at 390 px);
(c) a student with JavaScript off (the division lists refresh with a button).
Each ends with a reference number; the printable form shows every answer and
the status lookup finds the registration. axe-core checks every step.
"""

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pypdf
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
PRINTED = {"1、已就业 省内": "省内☑", "湖南省": "湖南 省", "长沙市": "长沙 市", "芙蓉区": "芙蓉 县",
           "文艺路街道": "文艺路 镇", "八一路社区": "八一路"}


def finish(page, js, expected, confirm_phone=None):
    """Check the review, declare, submit; return the reference after checking print and status.

    ``confirm_phone(page)``: with phone verification on, what the resident does on the code page.
    """
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
    if confirm_phone is not None:
        confirm_phone(page)
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


def answer_for_oneself(page, js, name, id_number, phone):
    """On the filer step: filing for oneself, then the identity step; ends on the employment step."""
    page.check('input[name="filer-filing_for"][value="self"]')
    page.check('input[name="filer-intent"]')
    submit(page)
    step(page, "identity", js)
    page.fill('input[name="identity-name"]', name)
    page.fill('input[name="identity-id_number"]', id_number)
    page.fill('input[name="identity-phone"]', phone)
    submit(page)
    step(page, "employment", js)


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
        ["张三", ADULT_ID, "1、已就业 省内", "长沙市某某科技有限公司", "湖南省", "长沙市", "芙蓉区", "文艺路街道",
         "八一路社区", "八一路12号", "单位未予参保", "建行", "91430100MA4L16JX8F"],
    )
    assert Submission.objects.count() == 1
    lookup_status(page, base, reference, ADULT_ID, js=True)
    context.close()


def register_proxy_child(page, base):
    """The proxy journey with JavaScript: a parent registers a preschool child, from the start page to the
    review, axe-core on every step. The browser tests walk this journey once (see its test below)."""
    start(page, base, js=True)
    page.check('input[name="filer-filing_for"][value="other"]')
    page.check('input[name="filer-intent"]')
    submit(page)

    step(page, "identity", True)
    assert page.input_value('input[name="identity-name"]') == "", "a new registration starts empty"
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
    page.fill('input[name="address-residence_street"]', "八一路12号")
    submit(page)

    step(page, "reason", True)  # no workplace step for a child
    reason_url = page.url
    page.goto(reason_url.replace("/step/reason/", "/step/save/"))  # the save page (saving only on its POST)
    check_axe(page, "save page")
    page.goto(base + "/register/step/resume/")
    check_axe(page, "resume page")
    page.goto(reason_url)
    page.check('input[name="reason-not_insured_reason"][value="personal"]')
    page.check('input[name="reason-service_bank"][value="bocs"]')
    submit(page)

    step(page, "unit", True)
    assert page.is_checked('input[name="unit-unit_type"][value="community"]')
    submit(page)


def last_code():
    from portal import sms

    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def enter_wrong_expired_and_new_codes(page):
    """The code page (phone verification on): a wrong code, an expired one, a new one, then the right one."""
    from django.utils import timezone

    from forms_intake.models import Submission, VerificationCode
    from portal import sms

    page.wait_for_url("**/register/step/confirm-phone/**")
    check_axe(page, "code page")
    # The same page in English and in elder mode (a GET sends no new code).
    url = page.url
    page.goto(url.replace("/register/", "/en/register/", 1))
    check_axe(page, "code page in English")
    page.context.add_cookies([{"name": "elder_mode", "value": "1", "url": url}])
    page.reload()
    check_axe(page, "code page in English, elder mode")
    page.goto(url)
    assert "elder-mode" in (page.locator("html").get_attribute("class") or "")
    check_axe(page, "code page, elder mode")
    page.context.clear_cookies(name="elder_mode")
    page.goto(url)
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


def start_parent_in_another_tab(context, base):
    """Tab 1: the parent starts registering themself and stops at the employment step."""
    tab = context.new_page()
    start(tab, base, js=False)
    answer_for_oneself(tab, False, "李大明", PARENT_ID, "13987654321")
    return tab


def finish_parent_tab(tab):
    """Back in tab 1 after the child's registration in tab 2: the parent's own answers only, then submit."""
    tab.bring_to_front()
    tab.check('input[name="employment-employment_status"][value="unemployed"]')
    submit(tab)
    step(tab, "address", False)
    choose_divisions(tab, "hukou", [HUNAN, CHANGSHA, FURONG], js=True)
    choose_divisions(tab, "residence", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    tab.fill('input[name="address-residence_village"]', "八一路社区")
    submit(tab)
    step(tab, "reason", False)
    tab.check('input[name="reason-not_insured_reason"][value="personal"]')
    tab.check('input[name="reason-service_bank"][value="icbc"]')
    submit(tab)
    step(tab, "unit", False)
    submit(tab)
    step(tab, "review", False)
    review = tab.inner_text("main")
    assert "李大明" in review and PARENT_ID in review and "139 8765 4321" in review, "tab 1 keeps its own answers"
    assert "李小明" not in review and CHILD_ID not in review and "138 1234 5678" not in review
    tab.check('input[name="review-confirm_true"]')
    tab.check('input[name="review-consent"]')
    submit(tab)
    tab.wait_for_url("**/register/step/confirm-phone/**")
    tab.fill('input[name="code"]', last_code())
    submit(tab)
    tab.wait_for_url("**/register/done/")
    return tab.inner_text("[data-reference]").strip()


def pdf_pages_and_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), re.sub(r"[ \t\r\n]+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_parent_registers_a_preschool_child_as_proxy_and_downloads_the_pdf(wizard_portal, browser):
    """On a phone: the proxy journey to the receipt and the status lookup, the phone confirmed by an SMS
    code (in-memory backend: a wrong, an expired and a new code first), while the parent's own registration
    waits in another tab (two drafts, two correct records); the receipt's PDF (one A4 page,
    Chinese text extractable, every answer in it, the reference as the file name); Chromium prints the form
    on one page in both languages; on a 390 px phone nothing scrolls sideways and the ID numbers fit."""
    from django.test import override_settings

    from portal import sms

    sms.outbox.clear()
    verification = override_settings(WIZARD_PHONE_VERIFICATION=True)
    verification.enable()
    try:
        _proxy_child_and_parent_in_two_tabs(browser, wizard_portal.url)
    finally:
        verification.disable()
        sms.outbox.clear()


def _proxy_child_and_parent_in_two_tabs(browser, base):
    from forms_intake.models import Submission
    from portal import sms

    context = _context(browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                       accept_downloads=True)
    parent_tab = start_parent_in_another_tab(context, base)  # two family members from two tabs at once
    page = context.new_page()
    register_proxy_child(page, base)
    reference = finish(page, True, ["李小明", CHILD_ID, "李大明", PARENT_ID, "父母", "学龄前", "八一路社区",
                                    "八一路12号", "个人未参保", "长沙银行"],
                       confirm_phone=enter_wrong_expired_and_new_codes)
    assert Submission.objects.get().id_number == CHILD_ID

    page.goto(base + "/register/done/")
    with page.expect_download() as info:
        page.click("a[data-pdf]")
    download = info.value
    assert download.suggested_filename == f"annex2-{reference}.pdf"
    pages, text = pdf_pages_and_text(open(download.path(), "rb").read())  # noqa: SIM115
    assert pages == 1
    for answer in (reference, "李小明", CHILD_ID, "138 1234 5678", "李大明", PARENT_ID, "139 8765 4321", "父母",
                   "☑学龄前", "☑个人未参保", "☑长沙银行", "☑村（社区）", "八一路12号", "八一路 村（社区）",
                   "湖南 省（自治区、直辖市） 长沙 市（州） 芙蓉 县（市、区） 文艺路 镇（街道）", "温馨提示"):
        assert answer in text, answer

    # Chromium's own print of the print view (desktop width): one A4 page in Chinese and in English.
    page.set_viewport_size({"width": 1280, "height": 900})
    for path in ("/register/done/print/", "/en/register/done/print/"):
        page.goto(base + path)
        assert reference in page.inner_text("main")
        printed = page.pdf(prefer_css_page_size=True)
        assert pdf_pages_and_text(printed)[0] == 1, path

    # A 390 px phone: nothing wider than the screen, the ID number inside its cell.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/register/done/print/", "/en/register/done/print/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        overflowing = page.evaluate(
            "[...document.querySelectorAll('td.mono')].filter(td => td.scrollWidth > td.clientWidth).length")
        assert overflowing == 0, path

    lookup_status(page, base, reference, CHILD_ID, js=True)

    # Back in the first tab, the parent's own registration: its own answers, its own code, a second record.
    parent_reference = finish_parent_tab(parent_tab)
    assert sms.outbox[-1].to == "+8613987654321"  # the parent's code went to the parent's phone
    records = {item.reference: (item.name, item.id_number, item.phone, item.is_proxy_filing)
               for item in Submission.objects.all()}
    assert records == {reference: ("李小明", CHILD_ID, "+8613812345678", True),
                       parent_reference: ("李大明", PARENT_ID, "+8613987654321", False)}
    context.close()


def test_student_registers_with_javascript_off(wizard_portal, browser):
    context = _context(browser, java_script_enabled=False, viewport={"width": 320, "height": 700})
    page = context.new_page()
    base = wizard_portal.url
    start(page, base, js=False)
    answer_for_oneself(page, False, "王同学", STUDENT_ID, "0731-84567890")
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
