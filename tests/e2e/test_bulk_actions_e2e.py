"""Browser test of the queue's bulk actions (issue 15): a handler ticks three of their registrations in
the list, picks 提交校核 in Wagtail's bulk-actions footer, reads the confirmation and confirms."""

import re

import pytest

from forms_intake.models import Submission
from forms_intake.services import transitions
from portal import roles
from tests.e2e.admin_session import admin_page
from tests.forms_intake.moderation_support import make_divisions, make_staff, make_submission

pytestmark = pytest.mark.e2e


def test_a_handler_sends_three_registrations_for_review_at_once(transactional_db, live_server, browser):
    make_divisions()
    handler = make_staff("bulk_e2e", roles.HANDLER, ["430102001"], first_name="周经办")
    items = [make_submission(name=f"周{n}") for n in range(4)]
    for item in items:
        transitions.perform(item, "claim", handler)
    chosen, left = items[:3], items[3]

    base = live_server.url
    page = admin_page(browser, base, "bulk_e2e")

    page.goto(base + "/admin/registrations/?status=claimed")
    for item in chosen:
        page.locator(f"input[data-bulk-action-checkbox][data-object-id='{item.pk}']").check()
    footer = page.locator("[data-bulk-action-footer]")
    footer.wait_for(state="visible")
    footer.get_by_role("link", name="将所选登记提交校核").click()

    page.wait_for_url(re.compile(r".*/admin/bulk/forms_intake/submission/complete/\?.*"))
    assert "将对3份登记执行“提交校核”。" in page.content()
    assert left.reference not in page.content()
    page.get_by_role("button", name="是：提交校核").click()

    page.locator("[data-bulk-counts]").wait_for()
    assert "已完成：3份。未更改：0份。" in page.locator("[data-bulk-counts]").inner_text()
    statuses = {item.pk: Submission.objects.get(pk=item.pk).status for item in items}
    assert statuses == {**{item.pk: "awaiting_review" for item in chosen}, left.pk: "claimed"}
    page.get_by_role("link", name="返回列表").click()
    page.wait_for_url(re.compile(r".*/admin/registrations/\?status=claimed$"))
