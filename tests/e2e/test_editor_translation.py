"""Browser test of issue 17's translation round: the editor (宣传编辑) changes a Chinese notice and the
approver (宣传审核) approves it; the editor syncs the English translation, translates the changed string
in wagtail-localize's editor, whose primary action is "Save and submit for review" (never "Convert to
alias page"), and submits; the approver publishes it and the anonymous English page shows the new text.
Then the editor uploads a new image and print file for a poster from its choosers and submits the poster,
and a new notice titled in Chinese gets its pinyin slug as the editor types the title."""

import io
import re

import pytest
from PIL import Image as PILImage
from playwright.sync_api import expect

from home.slugs import slug_from_title
from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import make_staff

pytestmark = pytest.mark.e2e

SLUG = "home-visits-announcement"
CHINESE = "2027年1月至3月，工作人员上门入户登记。"
NEW_TITLE = "关于长沙市芙蓉区参保登记的通知"
ENGLISH = "From January to March 2027, staff visit homes to register people."


def _context(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def _footer_action(page, selector):
    """Run an action of the page editor's footer: the primary button or one in its "more actions" menu."""
    footer = page.locator("footer .actions--primary")
    button = footer.locator(selector)
    if not button.is_visible():
        footer.locator(".w-dropdown__toggle").click()
    button.click()
    page.wait_for_load_state("domcontentloaded")


def _upload(page, field, kind, title, file):
    """Replace a chosen image or document by a new upload, through the chooser's modal (its 上传 tab)."""
    chooser = page.locator(f"#id_{field}-chooser")
    chooser.locator(".chosen .w-dropdown__toggle").click()  # 操作 (⋯) → choose another
    chooser.locator("button[data-chooser-action-choose]:visible").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name="上传").click()
    modal.locator(f"input[name='{kind}-chooser-upload-title']").fill(title)
    modal.locator(f"input[name='{kind}-chooser-upload-file']").set_input_files(file)
    modal.locator("form[enctype='multipart/form-data'] button[type='submit']").click()
    expect(chooser).to_contain_text(title)


def _png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 90), "red").save(buffer, "PNG")
    return {"name": "poster.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _approve(page, base, page_id):
    """The approver opens the page in review and approves it from the editor's footer."""
    page.goto(f"{base}/admin/pages/{page_id}/edit/")
    # 批准 和发布, without a comment
    _footer_action(page, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    page.wait_for_url(lambda url: not url.endswith("/edit/"))  # on to the page's listing


def test_editor_translates_a_changed_notice_and_the_approver_publishes_both(live_portal, browser):
    from home.models import NoticePage, PosterPage

    base = live_portal.url
    make_staff("editor_e2e", roles.EDITOR)
    make_staff("approver_e2e", roles.APPROVER)
    zh = NoticePage.objects.get(slug=SLUG, locale__language_code="zh-hans")
    en = NoticePage.objects.get(slug=SLUG, locale__language_code="en")

    editor_context, approver_context = _context(browser), _context(browser)
    editor, approver = editor_context.new_page(), approver_context.new_page()
    admin_login(editor, base, "editor_e2e")
    admin_login(approver, base, "approver_e2e")

    # The editor changes the Chinese summary and submits it; the approver approves it.
    editor.goto(f"{base}/admin/pages/{zh.pk}/edit/")
    editor.fill("textarea[name='summary']", CHINESE)
    _footer_action(editor, "button[name='action-submit']")  # 提交给宣传审核流程
    _approve(approver, base, zh.pk)
    assert CHINESE in editor.request.get(f"{base}/notices/{SLUG}/").text()

    # The editor syncs the translations (the header's 同步翻译页面), without publishing them.
    editor.goto(f"{base}/admin/pages/{zh.pk}/edit/")
    editor.locator("header button.w-dropdown__toggle:has(.icon-dots-horizontal)").first.click()  # 操作 (⋯)
    sync_link = editor.locator("a[href*='/admin/localize/update/']")
    sync_link.click()
    editor.wait_for_url(re.compile(r".*/admin/localize/update/\d+/"))
    editor.locator("main form input[type='submit']").click()  # 提交, leaving 发布 unticked
    editor.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/$"))

    # The English page opens in wagtail-localize's editor; its primary action is to save and submit.
    editor.goto(f"{base}/admin/pages/{en.pk}/edit/")
    footer = editor.locator("footer.portal-translation-footer .actions--primary")
    expect(footer).to_be_visible()
    primary = footer.locator(".w-dropdown-button > .button").first
    assert primary.inner_text().strip() == "保存并提交审核"
    expect(editor.get_by_text("转换成页面别名")).to_have_count(0)
    expect(editor.locator("footer.footer:visible")).to_have_count(1)  # wagtail-localize's own is hidden

    # The changed string is waiting: translate it (saved as the editor goes).
    segment = editor.locator("li", has_text=CHINESE).last
    segment.get_by_role("button", name=re.compile("翻译|Translate")).click()
    segment.locator("textarea").fill(ENGLISH)
    segment.get_by_role("button", name=re.compile("保存|Save")).click()
    expect(segment).to_contain_text(ENGLISH)

    primary.click()
    editor.wait_for_url(re.compile(r".*/admin/portal/translations/\d+/submit/$"))
    editor.locator("form button[type='submit']", has_text="保存并提交审核").click()
    editor.wait_for_url(re.compile(r".*/admin/$"))
    assert ENGLISH not in editor.request.get(f"{base}/en/notices/{SLUG}/").text()  # nothing live before approval

    # The approver, who may publish, keeps wagtail-localize's own footer (its primary action publishes).
    approver.goto(f"{base}/admin/pages/{en.pk}/edit/")
    expect(approver.locator(".js-translation-editor > footer.footer button[value='publish']")).to_be_visible()
    expect(approver.locator("footer.portal-translation-footer")).to_have_count(0)

    # The approver approves the English page from the dashboard's pages awaiting review: it is published.
    approver.goto(f"{base}/admin/")
    row = approver.locator("tr", has=approver.locator(f"a[href='/admin/pages/{en.pk}/edit/']"))
    row.locator(".w-dropdown__toggle").click()
    row.locator("button[data-workflow-action-url*='/approve/']:not([data-launch-modal])").click()
    expect(row).to_have_count(0)
    anonymous = _context(browser).new_page()
    anonymous.goto(f"{base}/en/notices/{SLUG}/")
    assert ENGLISH in anonymous.content()
    assert CHINESE not in anonymous.content()

    # A poster: the editor uploads its new image and print file from the choosers and submits it for review.
    poster = PosterPage.objects.filter(locale__language_code="zh-hans").first()
    editor.goto(f"{base}/admin/pages/{poster.pk}/edit/")
    _upload(editor, "image", "image", "全民参保张贴画（新版）", _png())
    pdf = {"name": "poster-print.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    _upload(editor, "print_file", "document", "全民参保张贴画印刷文件（新版）", pdf)
    _footer_action(editor, "button[name='action-submit']")  # 提交给宣传审核流程
    draft = PosterPage.objects.get(pk=poster.pk).get_latest_revision_as_object()
    assert (draft.image.title, draft.print_file.title) == ("全民参保张贴画（新版）", "全民参保张贴画印刷文件（新版）")
    assert poster.workflow_states.filter(status="in_progress", requested_by__username="editor_e2e").exists()

    # A new notice titled in Chinese only: the editor's browser fills its slug in pinyin (home/static/home/js/slug.js).
    index = zh.get_parent()
    editor.goto(f"{base}/admin/pages/add/home/noticepage/{index.pk}/")
    editor.fill("input[name='title']", NEW_TITLE)
    expect(editor.locator("input[name='slug']")).to_have_value(slug_from_title(NEW_TITLE))
    for context in (editor_context, approver_context, anonymous.context):
        context.close()
