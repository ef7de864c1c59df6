"""Browser test (issue 15): a reviewer works 待我校核 from the keyboard: the register access key confirms
the registration and the next item of the list opens; the next-item key moves on without acting."""

import datetime
import re

import pytest
from django.utils import timezone

from forms_intake.models import Submission
from forms_intake.services import transitions
from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.e2e


def access_key(cdp, letter):
    """Alt + letter as Chromium on Linux receives it from the keyboard (its access-key modifier).

    Playwright's keyboard.press sends no unmodified text with Alt held, which Chromium's access-key
    lookup reads, so the key events are sent as the browser's input layer does."""
    key = {"key": letter, "code": f"Key{letter.upper()}", "windowsVirtualKeyCode": ord(letter.upper()), "modifiers": 1}
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **key, "unmodifiedText": letter, "text": letter})
    cdp.send("Input.dispatchKeyEvent", {"type": "char", **key, "unmodifiedText": letter, "text": letter})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})


def test_a_reviewer_registers_with_the_access_key_and_moves_on(transactional_db, live_server, browser):
    make_divisions()
    handler = make_staff("handler_kb", roles.HANDLER, [TOWNSHIP_A])
    make_staff("reviewer_kb", roles.REVIEWER, [TOWNSHIP_A])
    start = timezone.now() - datetime.timedelta(days=1)
    items = []
    for n in range(2):
        item = make_submission(name=f"周{n}", queue_code=TOWNSHIP_A)
        Submission.objects.filter(pk=item.pk).update(created_at=start + datetime.timedelta(minutes=n))
        item.refresh_from_db()
        transitions.perform(item, "claim", handler)
        transitions.perform(item, "complete", handler)
        items.append(item)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    admin_login(page, live_server.url, "reviewer_kb")

    page.locator("[data-reviewer-panel] a[data-to-check-count='2']").click()
    page.get_by_role("link", name=items[0].reference).click()
    page.wait_for_url(re.compile(rf".*/inspect/{items[0].pk}/$"))
    assert page.locator("[data-shortcuts-help] kbd", has_text="Alt + G").count() == 1
    access_key(cdp, "g")  # 确认登记
    page.wait_for_url(re.compile(rf".*/inspect/{items[1].pk}/$"))
    assert Submission.objects.get(pk=items[0].pk).status == "registered"
    access_key(cdp, "n")  # the last item of the list: back to 待我校核, nothing done to it
    page.wait_for_url(re.compile(r".*/registrations/review/to-check/.*"))
    assert Submission.objects.get(pk=items[1].pk).status == "awaiting_review"
    context.close()
