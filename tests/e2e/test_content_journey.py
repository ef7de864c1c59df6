"""Browser test: a resident goes home → notice → Q&A (anchor) → posters (download) → schedule → search → English."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.home.site_fixture import media_on_disk  # noqa: F401

# Document downloads need files on disk; usefixtures runs it before live_portal seeds the site.
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_on_disk")]


@pytest.mark.parametrize("page_fixture", ["desktop_page", "phone_page"])
def test_resident_journey(live_portal, request, page_fixture):
    page = request.getfixturevalue(page_fixture)
    base = live_portal.url

    # Home: a clear call to register and the latest notices.
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "湖南省全民参保登记"
    assert page.locator(".hero a.button").first.is_visible()

    # The campaign notice.
    page.get_by_role("link", name="湖南省人力资源和社会保障厅关于开展全民参保登记工作的通告").first.click()
    page.wait_for_url("**/notices/universal-registration-notice/")
    assert "关于开展全民参保登记工作的通告" in page.locator("h1").inner_text()
    assert page.locator("table caption").inner_text() == "全民参保登记时间安排"

    # The Q&A, through the main menu, then a jump to one question by its anchor.
    page.locator(".main-nav").get_by_role("link", name="政策问答").click()
    page.wait_for_url("**/qa/")
    question = page.locator(".faq-item", has_text="可以选择哪些银行？")
    anchor = question.get_attribute("id")
    assert re.fullmatch(r"q-[0-9a-f]{8}", anchor)
    page.goto(f"{base}/qa/#{anchor}")
    assert page.evaluate("location.hash") == f"#{anchor}"
    box = question.bounding_box()
    viewport = page.viewport_size
    assert 0 <= box["y"] < viewport["height"], "the question is scrolled into view"
    assert page.evaluate("document.activeElement.id") == anchor  # portal.js moves focus there
    # The filter narrows the questions as the visitor types (JavaScript enhancement).
    page.fill("#faq-q", "代理人")
    shown = page.locator("[data-faq-item]:not([hidden])")
    expect(shown).to_have_count(page.locator("[data-faq-item]").count() - 13)  # 3 questions mention 代理人
    assert all("代理人" in text for text in shown.all_inner_texts())

    # Posters: download one print file.
    page.goto(base + "/posters/")
    assert page.locator(".poster-card img").count() == 3
    link = page.locator("a.download").first
    if page_fixture == "desktop_page":
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".svg")
        assert "全民参保 登记有我" in Path(download.path()).read_text(encoding="utf-8")
    else:
        # Emulated mobile Chromium cancels file downloads; fetch the link with the page's own session instead.
        response = page.request.get(base + link.get_attribute("href"))
        assert response.ok and "attachment" in response.headers.get("content-disposition", "")
        assert "全民参保 登记有我" in response.text()

    # The work schedule: 24 rows in three phases.
    page.goto(base + "/work-schedule/")
    assert page.locator("tr.schedule-row").count() == 24
    assert page.locator("tbody.schedule-phase").count() == 3

    # Search for 参保 from the header.
    page.fill("#site-search-q", "参保")
    page.locator(".site-search button").click()
    page.wait_for_url("**/search/?q=*")
    titles = page.locator(".search-result__title").all_inner_texts()
    assert "湖南省人力资源和社会保障厅关于开展全民参保登记工作的通告" in titles
    assert "政策问答" in titles

    # Switch to English on the schedule page: the same page in English.
    page.goto(base + "/work-schedule/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/work-schedule/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Hunan Universal Registration Work Schedule"
    assert page.locator("tr.schedule-row").count() == 24
