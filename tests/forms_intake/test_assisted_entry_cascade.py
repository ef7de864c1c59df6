"""Issue 15: the paper form's division selects cascade in the admin as in the wizard, and still work without JS."""

import re

import pytest
from django.urls import reverse

from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff

pytestmark = pytest.mark.django_db

DIVISIONS = "forms_intake_submission:divisions"


@pytest.fixture
def handler(db):
    make_divisions()
    return make_staff("handler_c", roles.HANDLER, [TOWNSHIP_A])


def test_the_paper_form_page_carries_the_wizards_cascade(client, handler):
    client.force_login(handler)
    page = client.get(reverse("forms_intake_submission:add")).content.decode()
    assert f'data-divisions-url="{reverse(DIVISIONS)}"' in page and "forms_intake/wizard" in page
    assert re.search(r'<select[^>]*data-division-group="residence"[^>]*data-division-level="city"', page) or \
        re.search(r'<select[^>]*data-division-level="city"[^>]*data-division-group="residence"', page)
    # Without JavaScript the lists are still updated by the server ("Update the lists" stays).
    assert 'name="refresh"' in page
    response = client.post(reverse("forms_intake_submission:add"),
                           {"address-residence_province": "430000", "refresh": "1"})
    assert response.status_code == 200 and 'value="430100"' in response.content.decode()


def test_the_divisions_endpoint_answers_one_level_down(client, handler):
    client.force_login(handler)
    data = client.get(reverse(DIVISIONS), {"level": "county", "parent": "430100"}).json()
    assert {o["code"]: o["name"] for o in data["options"]} == {"430102": "芙蓉区", "430104": "岳麓区"}
    towns = client.get(reverse(DIVISIONS), {"level": "town", "parent": "430102"}).json()["options"]
    assert {o["code"] for o in towns} == {TOWNSHIP_A, "430102002"}


@pytest.mark.parametrize("params", [{"level": "planet", "parent": "43"}, {"level": "city", "parent": "43'--"},
                                    {"level": "city", "parent": "4" * 13}])
def test_bad_questions_get_a_404_not_a_500(client, handler, params):
    client.force_login(handler)
    assert client.get(reverse(DIVISIONS), params).status_code == 404


def test_only_staff_who_enter_forms_may_ask(client, handler):
    assert client.get(reverse(DIVISIONS), {"level": "city", "parent": "430000"}).status_code == 302  # sign in
    client.force_login(make_staff("editor_c", roles.EDITOR, []))
    assert client.get(reverse(DIVISIONS), {"level": "city", "parent": "430000"}).status_code in (302, 403)
