"""Browser test of the session timeout: an accessible warning that extends the session, then the expired page;
in elder mode the warning is part of the page (no pop-up) and "start again" stays less prominent."""

import pytest

from tests.e2e.test_wizard_journeys import _context, check_axe
from tests.forms_intake.wizard_support import load_test_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def wizard_portal(transactional_db, live_server):
    load_test_site()
    return live_server


def test_timeout_warning_extends_the_session_then_leads_to_the_expired_page(wizard_portal, browser, settings):
    # 12 s sessions: the warning opens after 9.6 s (80%), the expired page follows at 12 s.
    settings.SESSION_COOKIE_AGE = 12
    context = _context(browser)
    page = context.new_page()
    page.goto(wizard_portal.url + "/register/step/filer/")
    page.check('input[name="filer-filing_for"][value="self"]')

    dialog = page.locator("#timeout-dialog")
    dialog.wait_for(state="visible", timeout=15_000)
    assert page.evaluate("document.activeElement.hasAttribute('data-timeout-extend')"), "focus moves into the dialog"
    check_axe(page, "timeout dialog")
    with page.expect_response("**/register/keepalive/") as keepalive:
        page.click("[data-timeout-extend]")
    assert keepalive.value.status == 200
    assert not dialog.is_visible()
    assert page.is_checked('input[name="filer-filing_for"][value="self"]'), "nothing typed is lost"

    # Elder mode, in a second tab meanwhile: the warning is in the page above the form, not a modal pop-up,
    # and "start again" is never more prominent than the main action.
    context.add_cookies([{"name": "elder_mode", "value": "1", "url": wizard_portal.url}])
    elder = context.new_page()
    elder.goto(wizard_portal.url + "/register/step/filer/")
    elder_dialog = elder.locator("#timeout-dialog")
    elder_dialog.wait_for(state="visible", timeout=15_000)
    assert elder_dialog.evaluate("d => d.open && !d.matches(':modal')"), "no pop-up in elder mode"
    assert elder_dialog.evaluate(
        "d => !!(d.compareDocumentPosition(document.querySelector('form[data-wizard-form]'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"), "above the form"
    style = ("e => { const s = getComputedStyle(e); return {background: s.backgroundColor, "
             "size: parseFloat(s.fontSize), height: e.getBoundingClientRect().height}; }")
    primary = elder.locator("[data-primary-submit]").evaluate(style)
    restart = elder.locator(".wizard-restart__link").evaluate(style)
    assert restart["background"] == "rgba(0, 0, 0, 0)", "a plain link, not a filled button"
    assert restart["size"] <= primary["size"] and restart["height"] < primary["height"], (restart, primary)
    check_axe(elder, "timeout warning in elder mode")
    elder.close()

    page.wait_for_url("**/register/expired/", timeout=30_000)
    assert page.locator("main form button[type=submit]").is_visible(), "a way to start again"
    context.close()
