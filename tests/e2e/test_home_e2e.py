"""Browser test: the home page loads in Chinese and the switcher leads to English."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("page_fixture", ["desktop_page", "phone_page"])
def test_home_page_and_language_switch(live_portal, request, page_fixture):
    page = request.getfixturevalue(page_fixture)
    page.goto(live_portal.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "湖南省全民参保登记"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Hunan Universal Social Insurance Registration"
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_url(live_portal.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_skip_link_moves_focus_to_main(live_portal, desktop_page):
    desktop_page.goto(live_portal.url + "/")
    desktop_page.keyboard.press("Tab")
    focused = desktop_page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    desktop_page.keyboard.press("Enter")
    assert desktop_page.evaluate("document.activeElement.id") == "main-content"
