"""Issue 15 defects: the dashboard search never puts a name, ID or phone number into a URL; no silent fallbacks."""

import pytest
from django.urls import reverse

from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    own = make_submission(name="李四", id_number=make_id_number(sequence=701), unit_division=TOWNSHIP_A)
    other = make_submission(name="李五", id_number=make_id_number(sequence=702), unit_division=TOWNSHIP_B,
                            residence_division=TOWNSHIP_B)
    return {"own": own, "other": other, "handler": make_staff("handler_s", roles.HANDLER, [TOWNSHIP_A])}


def test_the_dashboard_has_no_page_search_for_registration_staff_but_a_post_search(client, world):
    client.force_login(world["handler"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-registration-search" in page and 'method="post"' in page
    assert page.count('role="search"') == 1  # ours only: Wagtail's page search (a GET) is not there
    superuser = make_staff("super_s", roles.PROVINCIAL_ADMIN, [])
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)  # has pages: keeps Wagtail's page search beside ours
    assert client.get(reverse("wagtailadmin_home")).content.decode().count('role="search"') == 2


@pytest.mark.parametrize("kind", ["id", "name", "phone"])
def test_a_search_finds_the_registration_and_keeps_the_query_out_of_every_url(client, world, kind):
    own = world["own"]
    query = {"id": own.id_number, "name": "李四", "phone": own.phone}[kind]
    client.force_login(world["handler"])
    response = client.post(reverse("forms_intake_search"), {"q": query})
    assert response.status_code == 302
    location = response["Location"]
    assert query not in location and "李" not in location and own.id_number[-6:] not in location
    listing = client.get(location).content.decode()
    assert own.reference in listing and world["other"].reference not in listing


def test_a_reference_opens_the_registration_only_in_scope(client, world):
    client.force_login(world["handler"])
    response = client.post(reverse("forms_intake_search"), {"q": world["own"].reference})
    assert response["Location"] == reverse("forms_intake_submission:inspect", args=[world["own"].pk])
    response = client.post(reverse("forms_intake_search"), {"q": world["other"].reference}, follow=True)
    assert response.status_code == 200 and world["other"].name not in response.content.decode()


def test_the_queue_search_box_moves_a_name_out_of_the_url(client, world):
    client.force_login(world["handler"])
    response = client.get(reverse("forms_intake_submission:index"), {"q": "李四"})
    assert response.status_code == 302 and "李" not in response["Location"]
    assert world["own"].reference in client.get(response["Location"]).content.decode()


def test_search_is_post_only(client, world):
    client.force_login(world["handler"])
    assert client.get(reverse("forms_intake_search"), {"q": "李四"}).status_code == 405


def test_a_division_filter_outside_the_scope_is_reported(client, world):
    client.force_login(world["handler"])
    page = client.get(reverse("forms_intake_submission:index"), {"division": TOWNSHIP_B}).content.decode()
    assert TOWNSHIP_B in page and "文艺路街道" in page  # the refused code and the user's own scope
    assert world["other"].reference not in page


def test_staff_without_a_division_are_told_why_counts_are_zero(client, world):
    lonely = make_staff("handler_nowhere", roles.HANDLER, [])
    client.force_login(lonely)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-no-division" in page
    assert world["own"].reference not in page
