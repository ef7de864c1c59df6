"""Staff sign-in for the browser tests: the admin's login form, filled in as a user does."""

import re

STAFF_PASSWORD = "pw-for-tests-only"  # the password make_staff gives (tests/forms_intake/moderation_support.py)
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def admin_login(page, base, username, password=STAFF_PASSWORD):
    """Log ``page`` in to the admin as ``username``; returns when the dashboard has opened."""
    page.goto(base + "/admin/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", password)
    page.locator("form button[type='submit']").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))
    return page


def admin_page(browser, base, username, password=STAFF_PASSWORD):
    """A new desktop browser page (zh-CN) logged in to the admin as ``username``."""
    return admin_login(browser.new_context(**DESKTOP).new_page(), base, username, password)
