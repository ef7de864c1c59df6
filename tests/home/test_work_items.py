"""The 24 work items as tracked data (issue 15): seeded verbatim, edited by provincial administrators only,
with history; overdue items highlighted in the admin list; saving one moves the content generation on."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model

from home.work_items import WorkItem, due_date_from_deadline
from home.work_items_seed import seed_work_items
from portal import roles
from portal.invalidation import invalidating_model
from tests.home.test_schedule import seed_rows

pytestmark = pytest.mark.django_db

PHASE_TITLES = {"preparation": "准备阶段", "implementation": "实施阶段", "consolidation": "完善阶段"}


def _user(username, role=None, **extra):
    roles.ensure_roles()
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def items(db):
    seed_work_items()
    return WorkItem.objects.order_by("number")


def test_seed_loads_the_24_items_verbatim(items):
    stored = [
        (PHASE_TITLES[i.phase], i.number, i.item, i.requirements, i.lead, i.responsible, i.deadline) for i in items
    ]
    assert stored == seed_rows()
    row18 = items.get(number=18)
    assert (row18.lead, row18.responsible) == ("", "")
    assert items.get(number=1).status == "done"
    assert items.get(number=2).due_date == datetime.date(2014, 12, 31)
    # Each item's history starts at the seed.
    assert all(i.latest_revision_id for i in items)


def test_seed_is_idempotent_and_keeps_what_the_office_recorded(items):
    item = items.get(number=21)
    item.status = "in_progress"
    item.notes = "抽查已开始"
    item.save()
    assert seed_work_items() == 0
    assert WorkItem.objects.count() == 24
    item.refresh_from_db()
    assert (item.status, item.notes) == ("in_progress", "抽查已开始")


def test_due_dates_from_the_deadline_as_written():
    assert due_date_from_deadline("2015年2月") == datetime.date(2015, 2, 28)
    assert due_date_from_deadline("2016年2月") == datetime.date(2016, 2, 29)
    assert due_date_from_deadline("已完成") is None
    assert due_date_from_deadline("2015年13月") is None


def test_overdue_means_not_done_and_past_due(items):
    today = datetime.date(2017, 9, 1)
    assert items.get(number=19).is_overdue(today)  # due 2017年8月, no status
    assert not items.get(number=20).is_overdue(today)  # due 2017年12月
    assert not items.get(number=1).is_overdue(today)  # done
    done = items.get(number=2)
    done.status = "done"
    assert not done.is_overdue(today)


def test_saving_a_work_item_invalidates_public_pages():
    assert invalidating_model(WorkItem, deleted=False)


def test_provincial_administrator_edits_an_item_with_history(client, items):
    client.force_login(_user("province", roles.PROVINCIAL_ADMIN))
    item = items.get(number=21)
    edit_url = reverse("wagtailsnippets_home_workitem:edit", args=[item.pk])
    response = client.get(edit_url)
    assert response.status_code == 200
    data = {
        "number": "21",
        "phase": "consolidation",
        "item": item.item,
        "requirements": item.requirements,
        "lead": item.lead,
        "responsible": item.responsible,
        "deadline": item.deadline,
        "status": "in_progress",
        "start_date": "2017-10-09",
        "due_date": "2017-12-31",
        "completed_on": "",
        "notes": "已抽查长沙、衡阳",
        "item_en": item.item_en,
        "requirements_en": item.requirements_en,
        "lead_en": item.lead_en,
        "responsible_en": item.responsible_en,
        "deadline_en": item.deadline_en,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert (item.status, item.notes, item.start_date) == ("in_progress", "已抽查长沙、衡阳", datetime.date(2017, 10, 9))
    assert item.revisions.count() == 2
    # Evidence: a document attached to the item, kept in its next revision.
    document = get_document_model().objects.create(
        title="抽查评估报告", file=ContentFile(b"%PDF-1.4", name="report.pdf")
    )
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-document": str(document.pk),
            "evidence-0-caption": "评估报告",
            "evidence-0-ORDER": "1",
            "evidence-0-id": "",
            "evidence-0-DELETE": "",
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(e.document_id, e.caption) for e in item.evidence.all()] == [(document.pk, "评估报告")]
    assert item.revisions.count() == 3
    history = client.get(reverse("wagtailsnippets_home_workitem:history", args=[item.pk]))
    assert history.status_code == 200
    assert "province" in history.content.decode()


def test_overdue_items_are_highlighted_in_the_admin_list(client, items):
    client.force_login(_user("province", roles.PROVINCIAL_ADMIN))
    body = client.get(reverse("wagtailsnippets_home_workitem:list")).content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
    overdue_rows = [r for r in rows if "work-item--overdue" in r]
    # Every item but the done row 1 is past its (2014-2017) deadline.
    assert len(overdue_rows) == 23
    assert all("work-item__overdue" in r for r in overdue_rows)
    assert not any("确定我省全民参保登记计划试点城市" in r for r in overdue_rows)
    assert "home/css/work_items_admin.css" in body


@pytest.mark.parametrize("role", [roles.EDITOR, roles.APPROVER, roles.HANDLER, roles.REVIEWER])
def test_other_staff_can_neither_see_nor_edit_work_items(client, items, role):
    client.force_login(_user("other", role))
    item = items.get(number=5)
    for name, args in (("list", []), ("edit", [item.pk]), ("history", [item.pk]), ("add", [])):
        response = client.get(reverse(f"wagtailsnippets_home_workitem:{name}", args=args))
        assert response.status_code in (302, 403), (name, response.status_code)
        if response.status_code == 302:
            assert "workitem" not in response["Location"]
    response = client.post(reverse("wagtailsnippets_home_workitem:edit", args=[item.pk]), {"status": "done"})
    assert response.status_code in (302, 403)
    item.refresh_from_db()
    assert item.status == ""


def test_nobody_deletes_a_work_item(client, items):
    client.force_login(_user("province", roles.PROVINCIAL_ADMIN))
    item = items.get(number=5)
    response = client.post(reverse("wagtailsnippets_home_workitem:delete", args=[item.pk]))
    assert response.status_code in (302, 403)
    assert WorkItem.objects.filter(pk=item.pk).exists()
