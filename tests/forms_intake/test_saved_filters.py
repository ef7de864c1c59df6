"""Issue 15: saved queue filters, private to their user, server-side, never holding a search term."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from forms_intake.models import SavedFilter
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db

INDEX = reverse("forms_intake_saved_filters:index")
QUEUE = reverse("forms_intake_submission:index")


@pytest.fixture
def world(db):
    make_divisions()
    make_submission(name="王五", queue_code=TOWNSHIP_A)
    make_submission(name="赵六", queue_code=TOWNSHIP_A, service_bank="abc")
    return {
        "clerk": make_staff("clerk_f", roles.HANDLER, ["430102"]),
        "other": make_staff("other_f", roles.HANDLER, [TOWNSHIP_B]),
    }


def save(client, name):
    return client.post(INDEX, {"name": name})


def test_a_clerk_saves_the_queue_filter_and_reopens_it(client, world):
    client.force_login(world["clerk"])
    client.get(QUEUE, {"division": TOWNSHIP_A, "service_bank": "abc", "status": ["submitted", "claimed"],
                       "ordering": "-waiting"})
    current = client.get(INDEX).context["current_description"]
    assert "农行" in current and "abc" not in current  # the labels staff read, not codes
    assert "排序: 已等待工作日，最多的在前" in current and "-waiting" not in current
    assert save(client, "农行 文艺路")["Location"] == INDEX
    saved = SavedFilter.objects.get(user=world["clerk"])
    assert saved.listing == "index"
    opened = client.get(reverse("forms_intake_saved_filters:open", args=[saved.pk]))
    assert opened.status_code == 302 and opened["Location"].startswith(QUEUE + "?")
    listing = client.get(opened["Location"])
    assert [obj.name for obj in listing.context["object_list"]] == ["赵六"]
    assert "农行 文艺路" in client.get(INDEX).content.decode()


def test_the_queue_offers_to_save_its_filter(client, world):
    client.force_login(world["clerk"])
    assert f'href="{INDEX}"' in client.get(QUEUE, {"service_bank": "abc"}).content.decode()
    assert "农行" in client.get(INDEX).context["current_description"]


def test_a_search_term_is_never_saved(client, world):
    client.force_login(world["clerk"])
    # A name typed into the queue's search leaves the URL for the session (search.py) ...
    response = client.get(QUEUE, {"q": "王五", "service_bank": "icbc"})
    client.get(response["Location"])
    # ... and an ID number or a phone number put into the query string by hand is dropped too.
    client.get(QUEUE, {"service_bank": "icbc", "q": "13800138000", "search": "1", "id_search": "1",
                       "division": "13800138000", "channel": "王五"})
    response = save(client, "工行")
    query = SavedFilter.objects.get(user=world["clerk"]).query
    assert query == "service_bank=icbc"
    with translation.override("zh-hans"):
        warning = translation.gettext("The search was not saved with the filter: a saved filter never holds a "
                                      "reference, name, ID or phone number.")
    assert warning in client.get(response["Location"]).content.decode()


def test_a_filter_name_holding_a_phone_number_is_refused(client, world):
    client.force_login(world["clerk"])
    client.get(QUEUE, {"service_bank": "icbc"})
    assert save(client, "138 0013 8000").status_code == 200
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_private_and_deleted_by_their_user_only(client, world):
    client.force_login(world["clerk"])
    client.get(QUEUE, {"service_bank": "icbc"})
    save(client, "私人过滤甲")
    saved = SavedFilter.objects.get()
    other = Client()
    other.force_login(world["other"])
    assert "私人过滤甲" not in other.get(INDEX).content.decode()
    assert other.get(reverse("forms_intake_saved_filters:open", args=[saved.pk])).status_code == 404
    assert other.post(reverse("forms_intake_saved_filters:delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.exists()
    assert client.get(reverse("forms_intake_saved_filters:delete", args=[saved.pk])).status_code == 405
    assert client.post(reverse("forms_intake_saved_filters:delete", args=[saved.pk]))["Location"] == INDEX
    assert not SavedFilter.objects.exists()


def test_a_division_outside_the_users_scope_is_not_saved_nor_reopened(client, world):
    client.force_login(world["other"])
    client.get(QUEUE, {"division": TOWNSHIP_A, "service_bank": "icbc"})
    save(client, "across")
    assert SavedFilter.objects.get().query == "service_bank=icbc"
    # A filter saved when the division was in scope is cleaned again when opened.
    SavedFilter.objects.update(query=f"division={TOWNSHIP_A}&service_bank=icbc")
    opened = client.get(reverse("forms_intake_saved_filters:open", args=[SavedFilter.objects.get().pk]))
    assert TOWNSHIP_A not in opened["Location"]


def test_staff_without_registrations_access_are_refused(client, world):
    client.force_login(make_staff("editor_f", roles.EDITOR))
    assert client.get(INDEX).status_code in (302, 403)
