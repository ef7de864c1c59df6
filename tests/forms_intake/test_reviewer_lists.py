"""Issue 15: a reviewer's own lists, 待我校核 (waiting for my check) and 我登记的 (registered by me)."""

import pytest
from django.urls import reverse

from forms_intake.models import Submission
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import transitions
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db

TO_CHECK = reverse("forms_intake_review:to_check")
REGISTERED = reverse("forms_intake_review:registered")


@pytest.fixture
def world(db):
    make_divisions()
    handler = make_staff("handler_r", roles.HANDLER, [TOWNSHIP_A])
    # A provincial administrator both handles and reviews: the four-eyes rule must keep them apart.
    both = make_staff("both_r", roles.PROVINCIAL_ADMIN, [TOWNSHIP_A])
    reviewer = make_staff("reviewer_r", roles.REVIEWER, [TOWNSHIP_A])
    items = {}
    for key, by in (("by_handler", handler), ("by_both", both)):
        item = make_submission(name=f"王{key}", queue_code=TOWNSHIP_A)
        transitions.perform(item, "claim", by)
        transitions.perform(item, "complete", by)
        items[key] = item
    # Claimed and corrected by `both`, released, then finished by the handler: `both` processed it.
    touched = make_submission(name="李", queue_code=TOWNSHIP_A)
    transitions.perform(touched, "claim", both)
    transitions.perform(touched, "release", both)
    transitions.perform(touched, "claim", handler)
    transitions.perform(touched, "complete", handler)
    items["touched"] = touched
    other = make_submission(name="他乡", queue_code=TOWNSHIP_B, residence_division=TOWNSHIP_B,
                            unit_division=TOWNSHIP_B)
    other_handler = make_staff("handler_b", roles.HANDLER, [TOWNSHIP_B])
    transitions.perform(other, "claim", other_handler)
    transitions.perform(other, "complete", other_handler)
    items["other"] = other
    return {"handler": handler, "both": both, "reviewer": reviewer, "items": items,
            "reviewer_b": make_staff("reviewer_b", roles.REVIEWER, [TOWNSHIP_B])}


def listed(response):
    assert response.status_code == 200
    return {obj.pk for obj in response.context["object_list"]}


def test_a_reviewer_never_sees_what_they_processed_themselves(client, world):
    items = world["items"]
    client.force_login(world["both"])
    assert listed(client.get(TO_CHECK)) == {items["by_handler"].pk}
    client.force_login(world["reviewer"])
    assert listed(client.get(TO_CHECK)) == {items["by_handler"].pk, items["by_both"].pk, items["touched"].pk}


def test_the_lists_stay_within_the_users_divisions(client, world):
    items = world["items"]
    client.force_login(world["reviewer_b"])
    assert listed(client.get(TO_CHECK)) == {items["other"].pk}
    # A division filter outside the scope does not widen the list.
    assert items["by_handler"].pk not in listed(client.get(TO_CHECK, {"division": TOWNSHIP_A}))
    # The next item of this list never leads across divisions either.
    response = client.get(reverse("forms_intake_submission:inspect", args=[items["by_handler"].pk]))
    assert response.status_code == 404


def test_registered_by_me_lists_my_registrations_only(client, world):
    items = world["items"]
    reviewer = world["reviewer"]
    transitions.perform(items["by_handler"], "register", reviewer)
    client.force_login(reviewer)
    assert listed(client.get(REGISTERED)) == {items["by_handler"].pk}
    assert items["by_handler"].pk not in listed(client.get(TO_CHECK))
    client.force_login(world["both"])
    assert listed(client.get(REGISTERED)) == set()
    client.force_login(world["reviewer_b"])
    assert listed(client.get(REGISTERED)) == set()


def test_after_registering_from_the_list_the_next_item_of_the_list_opens(client, world):
    items = world["items"]
    client.force_login(world["reviewer"])
    client.get(TO_CHECK)
    first, second = sorted([items["by_handler"], items["by_both"], items["touched"]], key=lambda s: s.created_at)[:2]
    response = client.post(reverse("forms_intake_submission:action", args=[first.pk, "register"]))
    assert response["Location"] == reverse("forms_intake_submission:inspect", args=[second.pk])
    assert Submission.objects.get(pk=first.pk).status == S.REGISTERED


def test_handlers_without_the_review_permission_are_refused(client, world):
    client.force_login(world["handler"])
    for url in (TO_CHECK, REGISTERED):
        response = client.get(url)  # Wagtail's "no permission": back to the admin home with a message
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_the_menu_and_the_dashboard_lead_to_the_lists(client, world):
    client.force_login(world["reviewer"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert TO_CHECK in home and REGISTERED in home
    assert 'data-to-check-count="3"' in home
    client.force_login(world["handler"])
    assert TO_CHECK not in client.get(reverse("wagtailadmin_home")).content.decode()
