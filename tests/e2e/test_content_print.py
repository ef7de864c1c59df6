"""Browser test: a notice prints cleanly (no header, menus, search or footer; title, details, body and table)."""

import pytest

pytestmark = pytest.mark.e2e


def test_notice_prints_cleanly(live_portal, desktop_page):
    page = desktop_page
    page.goto(live_portal.url + "/notices/universal-registration-notice/")
    page.emulate_media(media="print")
    for selector in [".site-header", ".main-nav", ".site-footer", ".breadcrumbs", ".site-search", ".elder-switch"]:
        assert not page.locator(selector).first.is_visible(), selector
    for selector in ["h1", ".notice__meta", ".notice__body table", ".attachment"]:
        assert page.locator(selector).first.is_visible(), selector
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
