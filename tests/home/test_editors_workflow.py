"""Editors and approvers in the admin (issue 17): pinyin slugs from Chinese titles, the approver's comment
on the editor's dashboard, a confirmation after 批准, and a readable comparison of table blocks."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.admin.compare import get_comparison_class_for_block
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.blocks import TranslatableTableBlock
from home.models import NoticeIndexPage, NoticePage
from home.slugs import slug_from_title
from portal.roles import APPROVER, EDITOR

pytestmark = pytest.mark.django_db
TITLE = "关于做好春节后全民参保登记工作的通知"
PINYIN = "guan-yu-zuo-hao-chun-jie-hou-quan-min-can-bao-deng-ji-gong-zuo-de-tong-zhi"


def _user(name, group):
    user = get_user_model().objects.create_user(username=name, password="x-test-password-123")
    user.groups.add(Group.objects.get(name=group))
    return user


def _notice_form(title, slug, body_rows=None, **extra):
    body = [("paragraph", rich_text("<p>春节后，入户登记继续进行。</p>"))]
    if body_rows:
        # The table's form value is the JSON its widget posts.
        table = {"table_caption": "时间安排", "data": body_rows, "first_row_is_table_header": False}
        body.append(("table", json.dumps({**table, "first_col_is_header": False})))
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "issuing_authority": "湖南省人力资源和社会保障厅",
            "document_number": "",
            "issue_date": "2017-02-01",
            "effective_date": "",
            "summary": "春节后继续开展入户登记。",
            "body": streamfield(body),
            **extra,
        }
    )


def _add_url(index):
    return reverse("wagtailadmin_pages:add", args=("home", "noticepage", index.pk))


def test_pinyin_slugs():
    assert slug_from_title(TITLE) == PINYIN
    assert slug_from_title("长沙市 芙蓉区（文艺路街道）") == "chang-sha-shi-fu-rong-qu-wen-yi-lu-jie-dao"
    assert slug_from_title("！？…") == ""
    long = slug_from_title("全民参保登记" * 30)
    assert (
        len(long) <= 80
        and not long.endswith("-")
        and long.split("-")[-1] in {"quan", "min", "can", "bao", "deng", "ji"}
    )


def test_a_notice_titled_in_chinese_gets_a_pinyin_slug_on_the_server(client, public_site):
    client.force_login(_user("ed", EDITOR))
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    response = client.post(_add_url(index), _notice_form(TITLE, "", **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert NoticePage.objects.get(title=TITLE).slug == PINYIN
    # A second notice with the same title gets the next free slug, not an error.
    response = client.post(_add_url(index), _notice_form(TITLE, ""))
    assert response.status_code == 302
    assert set(NoticePage.objects.filter(title=TITLE).values_list("slug", flat=True)) == {PINYIN, f"{PINYIN}-2"}
    # A slug typed in Chinese becomes its pinyin.
    client.post(_add_url(index), _notice_form("另一份通知", "入户登记"))
    assert NoticePage.objects.get(title="另一份通知").slug == "ru-hu-deng-ji"


def test_the_slug_endpoint_and_script_for_the_editor_browser(client, public_site):
    url = reverse("portal_slug_from_title")
    assert client.get(url, {"title": TITLE}).status_code == 302  # signed-in staff only
    client.force_login(_user("ed", EDITOR))
    assert client.get(url, {"title": TITLE}).json() == {"slug": PINYIN}
    assert client.get(url).json() == {"slug": ""}
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    html = client.get(_add_url(index)).content.decode()
    assert "home/js/slug" in html and f'data-endpoint="{url}"' in html


def test_a_slug_error_is_in_chinese(client, public_site):
    client.force_login(_user("ed", EDITOR))
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    existing = NoticePage.objects.filter(locale__language_code="zh-hans").first()
    response = client.post(_add_url(index), _notice_form("重复的缩略名", existing.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert "由于存在验证错误，页面未能创建。" in html  # the error summary
    assert f"{existing.slug}" in html and "已被" in html  # the slug is already in use: next to the field
    assert "could not be created" not in html and "already in use" not in html


def _submit_and_get_task(client, editor, rows=None):
    client.force_login(editor)
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    client.post(_add_url(index), _notice_form("春节后入户登记安排", "after-festival", rows, **{"action-submit": "1"}))
    notice = NoticePage.objects.get(slug="after-festival")
    return notice, notice.workflow_states.get(status=WorkflowState.STATUS_IN_PROGRESS).current_task_state


def test_the_editor_sees_the_approvers_comment_on_the_dashboard(client, public_site):
    editor, approver = _user("ed", EDITOR), _user("ap", APPROVER)
    approver.first_name = "王审核"
    approver.save()
    notice, task_state = _submit_and_get_task(client, editor)
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:workflow_action", args=(notice.pk, "reject", task_state.pk))
    client.post(url, {"comment": "请补充发文字号后再提交。"})
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "请补充发文字号后再提交。" in html
    assert "王审核" in html
    assert reverse("wagtailadmin_pages:edit", args=(notice.pk,)) in html


def test_the_approver_gets_a_confirmation_after_approving(client, public_site):
    editor, approver = _user("ed", EDITOR), _user("ap", APPROVER)
    notice, task_state = _submit_and_get_task(client, editor)
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:workflow_action", args=(notice.pk, "approve", task_state.pk))
    # The dashboard's 批准 button: a modal posting with XMLHttpRequest, then the browser goes to `redirect`.
    response = client.post(url + "?next=/admin/", {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"})
    redirect = response.json()["redirect"]
    html = client.get(redirect, follow=True).content.decode()
    assert "春节后入户登记安排" in html and "已发布" in html and "你已批准" in html
    # Once only.
    assert "你已批准" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_revision_comparison_shows_a_table_as_a_table():
    block = TranslatableTableBlock()
    before = {"table_caption": "时间安排", "data": [["阶段", "时间"], ["准备", "2015年6月"]]}
    after = {"table_caption": "时间安排", "data": [["阶段", "时间"], ["准备", "2015年7月"], ["实施", "2016年"]]}
    comparison = get_comparison_class_for_block(block)(block, True, True, before, after)
    html = str(comparison.htmldiff())
    assert "table_caption" not in html and "{" not in html
    assert "<caption>时间安排</caption>" in html
    assert '<td><span class="deletion">2015年6月</span><span class="addition">2015年7月</span></td>' in html
    assert '<td><span class="addition">实施</span></td>' in html
    assert "<td>2015年6月</td>" in str(comparison.htmlvalue(before))


def test_the_eye_icon_link_of_a_live_page_says_view_not_publish(client, public_site):
    client.force_login(_user("ed", EDITOR))
    notice = NoticePage.objects.filter(locale__language_code="zh-hans", live=True).first()
    html = client.get(reverse("wagtailadmin_pages:edit", args=(notice.pk,))).content.decode()
    assert "查看线上页面" in html
    assert "Search all pages" not in client.get(reverse("wagtailadmin_home")).content.decode()
