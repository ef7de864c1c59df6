"""Issue 17: an editor (宣传编辑) who may not publish can translate a page into English, save the translation
and submit it into the same review workflow as a Chinese page; the approver then publishes it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from wagtail.models import Locale, WorkflowState
from wagtail_localize.models import StringSegment, Translation

from home.models import NoticePage
from portal.roles import APPROVER, EDITOR

pytestmark = pytest.mark.django_db
CHANGED = "2017年1月至3月，工作人员上门登记。"
ENGLISH = "From January to March 2017, staff register people at home."


def _user(name, group):
    user = get_user_model().objects.create_user(username=name, password="x-test-password-123")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def changed_notice(public_site):
    """The Chinese notice changed and published, and its English translation synced (as 同步翻译 does)."""
    notice = NoticePage.objects.get(slug="home-visits-announcement", locale__language_code="zh-hans")
    notice.summary = CHANGED
    notice.save_revision().publish()
    en = Locale.objects.get(language_code="en")
    translation = Translation.objects.get(source__object_id=notice.translation_key, target_locale=en)
    translation.source.update_from_db()
    return notice, notice.get_translation(en), translation


def _translate(client, translation, text, value):
    """What the translation editor sends when the editor saves one string."""
    segment = StringSegment.objects.get(source=translation.source, string__data=text)
    url = reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk])
    response = client.put(url, encode_multipart(BOUNDARY, {"value": value}), content_type=MULTIPART_CONTENT)
    assert response.status_code in (200, 201), response.content


def test_the_translation_editor_offers_the_editor_a_way_to_submit(client, changed_notice):
    _notice, english, _translation = changed_notice
    client.force_login(_user("ed", EDITOR))
    html = client.get(reverse("wagtailadmin_pages:edit", args=(english.pk,))).content.decode()
    assert "js-translation-editor" in html  # wagtail-localize's editor
    assert reverse("portal_submit_translation", args=(english.pk,)) in html


def test_an_approver_who_can_publish_gets_no_such_message(client, changed_notice):
    _notice, english, _translation = changed_notice
    client.force_login(_user("ap", APPROVER))
    html = client.get(reverse("wagtailadmin_pages:edit", args=(english.pk,))).content.decode()
    assert reverse("portal_submit_translation", args=(english.pk,)) not in html


def test_editor_translates_saves_and_submits_and_the_approver_publishes(client, changed_notice):
    _notice, english, translation = changed_notice
    editor, approver = _user("ed", EDITOR), _user("ap", APPROVER)
    client.force_login(editor)
    _translate(client, translation, CHANGED, ENGLISH)
    url = reverse("portal_submit_translation", args=(english.pk,))
    confirm = client.get(url).content.decode()
    assert "宣传审核流程" in confirm
    response = client.post(url)
    assert response.status_code == 302
    english.refresh_from_db()
    # A draft in review; nothing live has changed yet.
    assert english.has_unpublished_changes
    assert ENGLISH not in client.get("/en/notices/").content.decode()
    state = english.workflow_states.get(status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.requested_by == editor
    # The approver approves from the page's status menu: the English translation goes live.
    client.force_login(approver)
    action = reverse("wagtailadmin_pages:workflow_action", args=(english.pk, "approve", state.current_task_state.pk))
    client.post(action, {"comment": ""})
    assert ENGLISH in client.get("/en/notices/").content.decode()


def test_after_changes_are_requested_the_editor_resubmits_the_same_workflow(client, changed_notice):
    _notice, english, translation = changed_notice
    editor, approver = _user("ed", EDITOR), _user("ap", APPROVER)
    client.force_login(editor)
    url = reverse("portal_submit_translation", args=(english.pk,))
    client.post(url)
    state = english.workflow_states.get(status=WorkflowState.STATUS_IN_PROGRESS)
    client.force_login(approver)
    reject = reverse("wagtailadmin_pages:workflow_action", args=(english.pk, "reject", state.current_task_state.pk))
    client.post(reject, {"comment": "Translate the summary."})
    client.force_login(editor)
    _translate(client, translation, CHANGED, ENGLISH)
    client.post(url)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert english.workflow_states.count() == 1


def test_someone_who_cannot_edit_the_page_cannot_submit_it(client, changed_notice):
    from portal.roles import HANDLER

    _notice, english, _translation = changed_notice
    client.force_login(_user("clerk", HANDLER))
    url = reverse("portal_submit_translation", args=(english.pk,))
    assert client.post(url).status_code in (302, 403)
    assert not english.workflow_states.exists()
