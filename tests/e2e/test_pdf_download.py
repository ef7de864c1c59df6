"""Browser test of the registration form's PDF and print layout (issue 14, "the paper form, exactly").

A parent registers a preschool child as proxy, downloads the PDF from the receipt (one A4 page, Chinese
text extractable, every answer in it, the reference as the file name), prints the form with Chromium in
both languages (one page each) and reads it on a 390 px phone (no horizontal scrolling, the ID number
inside its cell).
"""

import io
import re

import pypdf
import pytest

from tests.e2e.test_wizard_journeys import _context, choose_divisions, start, step, submit
from tests.forms_intake.wizard_support import (
    CHANGSHA,
    CHILD_ID,
    FURONG,
    FURONG_TOWN,
    HUNAN,
    PARENT_ID,
    load_test_site,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def pdf_portal(transactional_db, live_server):
    load_test_site()
    return live_server


def register_child(page, base):
    """The proxy journey with JavaScript, from the start page to the receipt; returns the reference."""
    start(page, base, js=False)
    page.check('input[name="filer-filing_for"][value="other"]')
    page.check('input[name="filer-intent"]')
    submit(page)
    step(page, "identity", False)
    page.fill('input[name="identity-name"]', "李小明")
    page.fill('input[name="identity-id_number"]', CHILD_ID)
    page.fill('input[name="identity-phone"]', "13812345678")
    submit(page)
    step(page, "proxy", False)
    page.fill('input[name="proxy-proxy_name"]', "李大明")
    page.fill('input[name="proxy-proxy_phone"]', "13987654321")
    page.fill('input[name="proxy-proxy_id_number"]', PARENT_ID)
    page.check('input[name="proxy-proxy_relationship"][value="parent"]')
    submit(page)
    step(page, "employment", False)
    page.check('input[name="employment-employment_status"][value="preschool"]')
    submit(page)
    step(page, "address", False)
    choose_divisions(page, "hukou", [HUNAN, CHANGSHA, FURONG], js=True)
    choose_divisions(page, "residence", [HUNAN, CHANGSHA, FURONG, FURONG_TOWN], js=True)
    page.fill('input[name="address-residence_village"]', "八一路社区")
    page.fill('input[name="address-residence_street"]', "八一路12号")
    submit(page)
    step(page, "reason", False)
    page.check('input[name="reason-not_insured_reason"][value="personal"]')
    page.check('input[name="reason-service_bank"][value="bocs"]')
    submit(page)
    step(page, "unit", False)
    submit(page)
    step(page, "review", False)
    page.check('input[name="review-confirm_true"]')
    page.check('input[name="review-consent"]')
    submit(page)
    page.wait_for_url("**/register/done/")
    return page.inner_text("[data-reference]").strip()


def pdf_pages_and_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), re.sub(r"[ \t\r\n]+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_the_resident_downloads_a_one_page_pdf_and_prints_one_page(pdf_portal, browser):
    context = _context(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    base = pdf_portal.url
    reference = register_child(page, base)

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

    # Chromium's own print of the print view: one A4 page in Chinese and in English.
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
    context.close()
