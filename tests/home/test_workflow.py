"""Editing with review: 宣传编辑 submits, only 宣传审核 (or an admin) publishes; scheduled publishing of notices."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import Workflow, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import NoticeIndexPage, NoticePage
from portal.roles import APPROVER, EDITOR
from tests.factories.pages import NoticePageFactory

pytestmark = pytest.mark.django_db


def _user(name, group):
    user = get_user_model().objects.create_user(username=name, password="x-test-password-123")
    user.groups.add(Group.objects.get(name=group))
    return user


def _notice_form(title, slug, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "issuing_authority": "湖南省人力资源和社会保障厅",
            "document_number": "",
            "issue_date": "2017-02-01",
            "effective_date": "",
            "summary": "春节后继续开展入户登记。",
            "body": streamfield(
                [
                    ("heading", {"text": "入户登记时间", "level": "h2"}),
                    ("paragraph", rich_text("<p>春节后，入户登记继续进行，至3月31日结束。</p>")),
                ]
            ),
            **extra,
        }
    )


def test_the_workflow_is_assigned_to_both_home_pages(public_site, db):
    workflow = Workflow.objects.get(name="宣传审核流程")
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    assert index.get_workflow() == workflow
    assert NoticeIndexPage.objects.get(locale__language_code="en").get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [APPROVER]
    # Running the seed again changes nothing.
    call_command("load_portal_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Workflow.objects.filter(name="宣传审核流程").count() == 1
    assert workflow.tasks.count() == 1


def test_editor_change_waits_for_approval_and_goes_live_after_the_approver_publishes(client, public_site, db):
    editor, approver = _user("ed", EDITOR), _user("ap", APPROVER)
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")

    # The editor writes a notice in the admin and submits it for review.
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=("home", "noticepage", index.pk))
    form = _notice_form("春节后入户登记安排", "after-spring-festival", **{"action-submit": "1"})
    response = client.post(add_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = NoticePage.objects.get(slug="after-spring-festival")
    assert not notice.live
    state = notice.workflow_states.get(status=WorkflowState.STATUS_IN_PROGRESS)

    # The editor cannot publish it themselves.
    edit_url = reverse("wagtailadmin_pages:edit", args=(notice.pk,))
    client.post(edit_url, _notice_form("春节后入户登记安排", "after-spring-festival", **{"action-publish": "1"}))
    notice.refresh_from_db()
    assert not notice.live

    client.logout()
    assert client.get("/notices/after-spring-festival/").status_code == 404
    assert "春节后入户登记安排" not in client.get("/notices/").content.decode()

    # The approver approves the task in the admin: the notice is published.
    client.force_login(approver)
    task_state = state.current_task_state
    action_url = reverse("wagtailadmin_pages:workflow_action", args=(notice.pk, "approve", task_state.pk))
    response = client.post(action_url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    notice.refresh_from_db()
    assert notice.live
    client.logout()
    assert client.get("/notices/after-spring-festival/").status_code == 200
    assert "春节后入户登记安排" in client.get("/notices/").content.decode()


def test_editor_edit_of_a_live_notice_stays_unpublished_until_approved(client, public_site, db):
    editor = _user("ed2", EDITOR)
    notice = NoticePage.objects.get(slug="home-visits-announcement", locale__language_code="zh-hans")
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=(notice.pk,))
    title = "关于开展全民参保登记入户调查的公告（修订稿）"
    form = _notice_form(title, "home-visits-announcement", **{"action-submit": "1"})
    response = client.post(edit_url, form)
    assert response.status_code == 302
    client.logout()
    body = client.get("/notices/home-visits-announcement/").content.decode()
    assert "修订稿" not in body
    assert "关于开展全民参保登记入户调查的公告" in body
    # An administrator may publish.
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "x-test-password-123")
    revision = NoticePage.objects.get(pk=notice.pk).get_latest_revision()
    revision.publish(user=admin)
    assert "修订稿" in client.get("/notices/home-visits-announcement/").content.decode()


def test_scheduled_notice_goes_live_when_its_time_comes(client, public_site, db):
    notice = NoticePageFactory(draft=True, title="定时发布的通知", slug="scheduled-notice")
    assert client.get("/notices/scheduled-notice/").status_code == 404  # a draft is not served
    notice.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    # Publishing a revision whose go-live time is in the future schedules it.
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert not notice.live
    call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert client.get("/notices/scheduled-notice/").status_code == 404

    with freeze_time(timezone.now() + datetime.timedelta(hours=2)):
        call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    notice.refresh_from_db()
    assert notice.live
    assert client.get("/notices/scheduled-notice/").status_code == 200


def test_expired_notice_is_taken_down(client, public_site, db):
    notice = NoticePage.objects.get(slug="home-visits-announcement", locale__language_code="zh-hans")
    notice.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    notice.save()
    call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    notice.refresh_from_db()
    assert not notice.live and notice.expired
    assert client.get("/notices/home-visits-announcement/").status_code == 404


def test_home_page_cannot_be_deleted_from_the_admin(client, public_site, db):
    from home.models import HomePage

    admin = get_user_model().objects.create_superuser("root2", "root2@example.invalid", "x-test-password-123")
    client.force_login(admin)
    home = HomePage.objects.get(locale__language_code="zh-hans")
    response = client.post(reverse("wagtailadmin_pages:delete", args=(home.pk,)))
    assert response.status_code == 302
    assert HomePage.objects.filter(pk=home.pk).exists()
    assert client.get("/").status_code == 200
