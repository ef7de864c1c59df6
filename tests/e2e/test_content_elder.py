"""Browser test of elder-friendly mode (长辈模式): switched on from the header by keyboard, remembered by cookie,
and measured in the browser on the home page, a notice and the Q&A: text >= 24px with line height >= 1.3,
contrast >= 4.5:1, every clickable control >= 60 x 60 px, one column, no pop-ups."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MEASURE = (Path(__file__).parent / "elder_measure.js").read_text(encoding="utf-8")


def _check(page, path):
    result = page.evaluate(MEASURE)
    assert "elder-mode" in result["htmlClass"], path
    assert result["bodyFont"] >= 24, path
    assert result["smallText"] == [], (path, result["smallText"][:5])
    assert result["tightText"] == [], (path, result["tightText"][:5])
    assert result["lowContrast"] == [], (path, result["lowContrast"][:5])
    assert result["smallControls"] == [], (path, result["smallControls"][:8])
    assert result["controlCount"] > 5
    assert result["multiColumn"] == 0, path
    assert not result["horizontalScroll"], path
    assert result["popups"] == 0, path


@pytest.mark.parametrize("page_fixture", ["desktop_page", "phone_page"])
def test_elder_mode_from_the_header_meets_the_measurements(live_portal, request, page_fixture):
    page = request.getfixturevalue(page_fixture)
    base = live_portal.url
    page.goto(base + "/")
    assert "elder-mode" not in (page.locator("html").get_attribute("class") or "")

    # Keyboard only: Tab to the switch and press Enter.
    switch = page.locator(".elder-switch")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('elder-switch')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('elder-switch')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert switch.get_attribute("aria-checked") == "true"
    assert page.url == base + "/"

    # Remembered: every later page is in elder mode, with no login.
    for path in ["/", "/notices/universal-registration-notice/", "/qa/"]:
        page.goto(base + path)
        _check(page, path)

    # The registration wizard (another app's pages, same base template): its first step, with radio buttons.
    page.goto(base + "/register/")
    page.locator("main form button[type=submit], main a.button").first.click()
    page.wait_for_load_state()
    assert "/register/" in page.url
    _check(page, page.url)

    # And switched off again from the header.
    page.locator(".elder-switch").click()
    page.wait_for_load_state()
    assert "elder-mode" not in (page.locator("html").get_attribute("class") or "")
