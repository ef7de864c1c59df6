"""Browser test of the session timeout: an accessible warning that extends the session, then the expired page."""

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

    page.wait_for_url("**/register/expired/", timeout=20_000)
    assert page.locator("main form button[type=submit]").is_visible(), "a way to start again"
    context.close()
