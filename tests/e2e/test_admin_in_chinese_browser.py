"""Browser test of issue 17's admin in Chinese: what the page's scripts draw is Chinese too.

tests/portal/test_admin_in_chinese.py reads the HTML the server renders; here Chromium runs the admin's
scripts (Wagtail's React and Stimulus UI, wagtail-localize's translation editor), and the text read is
what the browser shows: the body's rendered text and the aria-label, title and placeholder of visible
elements. Each role of the seed logs in and opens the same screens as the in-process test (the page
editor of a notice, wagtail-localize's editor of the English notice, the explorer, the registrations
queue and a submission's detail, the administrator's screens), and the content roles open each side panel
of the notice's editor; none shows an English sentence. English page content (titles, translated
strings in the translation editor) is allowed: it is content, not interface.
"""

import html
import json

import pytest

from forms_intake.models import Division
from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import make_submission
from tests.portal.admin_text import english_sentences
from tests.portal.test_admin_in_chinese import (
    _admin_paths,
    _allowed,
    _content_paths,
    _registration_paths,
    _user,
)

pytestmark = pytest.mark.e2e

PASSWORD = "x-test-password-123"  # the password of test_admin_in_chinese._user
TOWNSHIP = "430102001"

# The rendered text of the page and the attributes a visible element shows or reads out.
SHOWN_TEXT = """() => {
    const parts = [document.body.innerText];
    for (const element of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
        if (!element.checkVisibility()) continue;
        for (const name of ["aria-label", "title", "placeholder"]) {
            const value = element.getAttribute(name);
            if (value) parts.push(value);
        }
    }
    return parts;
}"""


def _allowed_with_english_content():
    """The in-process test's allowed texts, and the English page content that wagtail-localize's editor
    shows beside the Chinese (translated strings are content, not interface)."""
    from django.utils.html import strip_tags
    from wagtail_localize.models import StringTranslation

    translated = StringTranslation.objects.filter(locale__language_code="en").values_list("data", flat=True)
    content = {html.unescape(strip_tags(data)).strip() for data in translated}
    # Only sentences: a one-word string (the slug "qa") would cut words of the interface in two.
    texts = {*_allowed(), *(text for text in content if " " in text)}
    return sorted(texts, key=len, reverse=True)


def _log_in(page, base, username):
    page.context.clear_cookies()
    admin_login(page, base, username, PASSWORD)


def _english_of_this_screen(page, allowed):
    # Scripts that mount on load (React editors, Stimulus controllers) have drawn by the next frame.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    parts = page.evaluate(SHOWN_TEXT)
    assert parts[0].strip(), page.url
    return english_sentences("".join(f"<p>{html.escape(part)}</p>" for part in parts), allowed)


def _english_in_side_panels(page, base, path, allowed):
    """The page editor's side panels, which its scripts draw when opened (status, comments, checks, preview)."""
    page.goto(base + path, wait_until="load")
    found = {}
    toggles = page.locator("button[data-side-panel-toggle]:visible")
    assert toggles.count() >= 2, path
    for index in range(toggles.count()):
        toggle = toggles.nth(index)
        name = toggle.get_attribute("data-side-panel-toggle")
        toggle.click()
        page.locator(f"[data-side-panel='{name}']").wait_for(state="visible")
        sentences = _english_of_this_screen(page, allowed)
        if sentences:
            found[f"{path} ({name})"] = sentences
    return found


def _english_in_browser(page, base, paths, allowed):
    """The English sentences of each screen once its scripts have run (JSON chooser responses aside:
    the browser opens those in a modal, not as a screen)."""
    found = {}
    for path in paths:
        response = page.goto(base + path, wait_until="load")
        assert response.status == 200, path
        if response.headers.get("content-type", "").startswith("application/json"):
            continue
        sentences = _english_of_this_screen(page, allowed)
        if sentences:
            found[path] = sentences
    return found


def test_every_roles_admin_screens_are_in_chinese_once_their_scripts_ran(live_portal, desktop_page):
    base = live_portal.url
    assert Division.objects.filter(code=TOWNSHIP).exists()
    submission = make_submission()
    _user("editor_zh", roles.EDITOR)
    _user("approver_zh", roles.APPROVER)
    _user("handler_zh", roles.HANDLER, divisions=[TOWNSHIP], is_staff=True)
    _user("reviewer_zh", roles.REVIEWER, divisions=[TOWNSHIP], is_staff=True)
    # As the demo account (create_demo_accounts): the provincial administrator is a superuser.
    _user("province_zh", roles.PROVINCIAL_ADMIN, divisions=["430000"], is_staff=True, is_superuser=True)
    allowed = _allowed_with_english_content()

    found = {}
    for username, paths in (
        ("editor_zh", _content_paths()),
        ("approver_zh", _content_paths()),
        ("handler_zh", _registration_paths(submission)),
        ("reviewer_zh", _registration_paths(submission)),
        ("province_zh", _admin_paths()),
    ):
        _log_in(desktop_page, base, username)
        english = _english_in_browser(desktop_page, base, paths, allowed)
        if username in ("editor_zh", "approver_zh"):
            notice_editor = next(path for path in paths if path.endswith("/edit/"))  # the Chinese notice's
            english |= _english_in_side_panels(desktop_page, base, notice_editor, allowed)
        if english:
            found[username] = english
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
