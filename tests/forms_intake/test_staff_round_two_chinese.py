"""Issue 15: the reviewer's lists, saved filters, the summary report and the detail page's keyboard help
are in Chinese for staff reading the admin in Chinese (no English sentence shown)."""

import pytest
from django.urls import reverse

from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission
from tests.portal.admin_text import english_sentences

pytestmark = pytest.mark.django_db

ALLOWED = ["Wagtail"]


def english(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return english_sentences(response.content.decode(), ALLOWED)


def test_the_new_screens_are_in_chinese(client, db):
    make_divisions()
    submission = make_submission(queue_code=TOWNSHIP_A)
    client.force_login(make_staff("province_zh", roles.PROVINCIAL_ADMIN, ["430000"]))
    client.get(reverse("forms_intake_submission:index"), {"service_bank": "icbc"})
    for url in (
        reverse("forms_intake_review:to_check"),
        reverse("forms_intake_review:registered"),
        reverse("forms_intake_saved_filters:index"),
        reverse("forms_intake_summary_report"),
        reverse("forms_intake_submission:inspect", args=[submission.pk]),
        reverse("wagtailadmin_home"),
    ):
        assert english(client, url) == [], url
    client.get(reverse("forms_intake_submission:index"), {"service_bank": "icbc"})  # the list opened last
    page = client.get(reverse("forms_intake_saved_filters:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保存您最近打开的列表" in page and "社保卡服务银行: 工行" in page
    assert english_sentences("<p>Save the list you opened last</p>", ALLOWED)  # the check can fail
