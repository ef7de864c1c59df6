"""Issue 15, a clerk's working day: after an action the next item of the same list; reject and return confirmed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from forms_intake.backoffice.next_item import LISTING_SESSION_KEY
from forms_intake.models import Submission
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    start = timezone.now() - datetime.timedelta(days=3)
    items = []
    for n in range(5):
        item = make_submission(name=f"王{n}")
        Submission.objects.filter(pk=item.pk).update(created_at=start + datetime.timedelta(hours=n))
        items.append(item)
    other = make_submission(name="他乡", unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)
    return {"items": items, "other": other, "handler": make_staff("handler_n", roles.HANDLER, ["430102001"])}


def act(client, submission, name, **data):
    return client.post(reverse("forms_intake_submission:action", args=[submission.pk, name]), data)


def inspect_url(submission):
    return reverse("forms_intake_submission:inspect", args=[submission.pk])


def test_after_sending_for_review_the_next_item_of_the_queue_opens(client, world):
    items = world["items"]
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"))  # the list the clerk works from
    for index, item in enumerate(items):
        assert act(client, item, "claim")["Location"] == inspect_url(item)  # claiming starts the work: stay
        response = act(client, item, "complete")
        if index < len(items) - 1:
            assert response["Location"] == inspect_url(items[index + 1])
        else:  # the last one: back to the list, which is said
            assert response["Location"].startswith(reverse("forms_intake_submission:index"))
            with translation.override("zh-hans"):  # the admin's language here
                said = gettext("That was the last item of your list.")
            assert said in client.get(response["Location"]).content.decode()
    assert set(Submission.objects.filter(pk__in=[i.pk for i in items]).values_list("status", flat=True)) == {
        "awaiting_review"}


def test_the_next_item_follows_the_lists_filter_and_order(client, world):
    items = world["items"]
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"), {"ordering": "-created_at", "status": "submitted"})
    newest, second = items[-1], items[-2]
    act(client, newest, "claim")
    assert act(client, newest, "complete")["Location"] == inspect_url(second)
    # Another item done meanwhile (no longer 待受理) is skipped: the filter is applied again.
    Submission.objects.filter(pk=items[-3].pk).update(status="registered")
    act(client, second, "claim")
    assert act(client, second, "complete")["Location"] == inspect_url(items[-4])


def test_the_kept_list_holds_no_personal_data(client, world):
    client.force_login(world["handler"])
    response = client.get(reverse("forms_intake_submission:index"), {"q": "王1"})
    client.get(response["Location"])
    stored = client.session[LISTING_SESSION_KEY]
    assert "王" not in stored["query"] and stored["listing"] == "index"


def test_reject_asks_for_confirmation_on_a_page_then_moves_on(client, world):
    first, second = world["items"][:2]
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"))
    act(client, first, "claim")
    page = act(client, first, "reject", reason="other", note="重复登记，已在他处办理")
    assert page.status_code == 200 and "data-confirm-action" in page.content.decode()
    assert "重复登记，已在他处办理" in page.content.decode() and 'name="confirmed" value="yes"' in page.content.decode()
    first.refresh_from_db()
    assert first.status == "claimed"  # nothing happened yet
    response = act(client, first, "reject", reason="other", note="重复登记，已在他处办理", confirmed="yes")
    first.refresh_from_db()
    assert first.status == "rejected" and response["Location"] == inspect_url(second)


def test_return_asks_for_confirmation_too(client, world):
    first = world["items"][0]
    client.force_login(world["handler"])
    act(client, first, "claim")
    page = act(client, first, "return", note="请补充联系电话")
    assert page.status_code == 200 and "data-confirm-action" in page.content.decode()
    first.refresh_from_db()
    assert first.status == "claimed"
    act(client, first, "return", note="请补充联系电话", confirmed="yes")
    first.refresh_from_db()
    assert first.status == "returned"


def test_a_refused_action_stays_on_the_item_with_its_message(client, world):
    first = world["items"][0]
    client.force_login(world["handler"])
    act(client, first, "claim")
    response = act(client, first, "reject", confirmed="yes")  # no reason
    assert response["Location"] == inspect_url(first)
    first.refresh_from_db()
    assert first.status == "claimed"


@pytest.mark.parametrize("data", [{}, {"confirmed": "yes", "reason": "other", "note": "x"}])
def test_another_townships_item_is_a_404_at_every_step(client, world, data):
    client.force_login(world["handler"])
    for name in ("claim", "reject", "return"):
        assert act(client, world["other"], name, **data).status_code == 404
    world["other"].refresh_from_db()
    assert world["other"].status == "submitted"
