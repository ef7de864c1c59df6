"""The admin of the API: clients with a token shown once, webhooks, failed deliveries, card batches by township."""

from __future__ import annotations

import re

import pytest

from forms_intake.models import ApiClient, Delivery, SocialSecurityCard, SubmissionEvent, Subscription
from forms_intake.models.api import hash_token
from portal import roles

from ..moderation_support import make_divisions, make_staff
from .support import TOWN_A, TOWN_B, auth, make_client, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    make_divisions()
    return make_staff("admin", role=roles.PROVINCIAL_ADMIN, divisions=("430000",))


def test_a_provincial_administrator_creates_a_client_and_sees_its_token_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/registrations/api-clients/new/", {
        "name": "芙蓉区社保经办系统", "divisions": "430102 430104", "can_read_feed": "on",
        "rate_limit_per_minute": "600", "allowed_networks": "",
    })
    assert response.status_code == 200, response.content[:2000]
    token = re.search(rb"data-secret-once[^>]*>([^<]+)<", response.content).group(1).decode()
    created = ApiClient.objects.get()
    assert created.token_hash == hash_token(token) and token not in str(ApiClient.objects.values().get())
    assert set(created.divisions.values_list("code", flat=True)) == {"430102", "430104"}
    assert "no-store" in response["Cache-Control"]
    register()
    assert client.get("/api/v1/submissions/feed", **auth(token)).status_code == 200
    listing = client.get("/admin/registrations/api-clients/").content.decode()
    assert "芙蓉区社保经办系统" in listing and token not in listing


def test_rotation_shows_a_new_token_and_the_old_one_stops(client, admin_user):
    row, old = make_client()
    client.force_login(admin_user)
    response = client.post(f"/admin/registrations/api-clients/{row.pk}/rotate/", {"grace": "0"})
    new = re.search(rb"data-secret-once[^>]*>([^<]+)<", response.content).group(1).decode()
    register()
    assert client.get("/api/v1/submissions/feed", **auth(old)).status_code == 401
    assert client.get("/api/v1/submissions/feed", **auth(new)).status_code == 200


def test_handlers_cannot_manage_clients(client, admin_user):
    handler = make_staff("handler", role=roles.HANDLER, divisions=(TOWN_A,))
    client.force_login(handler)
    assert client.get("/admin/registrations/api-clients/").status_code in (302, 403)
    assert client.get("/admin/registrations/api-deliveries/failed/").status_code in (302, 403)


def test_a_dead_letter_is_listed_and_retried_by_hand(client, admin_user):
    row, _token = make_client()
    Subscription.objects.create(client=row, url="http://127.0.0.1:9/closed")
    register()
    Delivery.objects.update(state=Delivery.State.DEAD, attempts=8, last_error="HTTP 500")
    client.force_login(admin_user)
    page = client.get("/admin/registrations/api-deliveries/failed/").content.decode()
    assert "HTTP 500" in page and "submission.created" in page
    delivery = Delivery.objects.get()
    client.post(f"/admin/registrations/api-deliveries/{delivery.pk}/retry/")
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 0


def test_card_batches_by_township_are_scoped_printed_masked_and_marked_collected(client, admin_user):
    _c, token = make_client(divisions=("430000",), can_report_results=True)
    mine, theirs = register(registered=True), register(TOWN_B, registered=True)
    for submission, number in ((mine, "H430102000111"), (theirs, "H430104000222")):
        posted = client.post(f"/api/v1/submissions/{submission.reference}/card", {
            "card_number": number, "bank": "icbc", "issued_on": "2025-04-01", "collection_point": "街道社保所",
        }, content_type="application/json", **auth(token))
        assert posted.status_code == 200
    handler = make_staff("handler", role=roles.HANDLER, divisions=(TOWN_A,))
    client.force_login(handler)
    index = client.get("/admin/registrations/cards/").content.decode()
    assert TOWN_A in index and TOWN_B not in index
    assert client.get(f"/admin/registrations/cards/{TOWN_B}/").status_code == 404
    batch = client.get(f"/admin/registrations/cards/{TOWN_A}/").content.decode()
    assert "*********0111" in batch and "H430102000111" not in batch and mine.reference in batch
    card = SocialSecurityCard.objects.get(submission=mine)
    client.post(f"/admin/registrations/cards/{TOWN_A}/", {"card": [str(card.pk)]})
    card.refresh_from_db()
    assert card.collected_at is not None
    assert SubmissionEvent.objects.filter(submission=mine, action="card_collected").count() == 1


def test_the_client_page_offers_rotation_which_asks_for_the_grace_period_first(client, admin_user):
    row, old = make_client()
    client.force_login(admin_user)
    rotate = f"/admin/registrations/api-clients/{row.pk}/rotate/"
    assert rotate in client.get(f"/admin/registrations/api-clients/edit/{row.pk}/").content.decode()
    assert rotate in client.get("/admin/registrations/api-clients/").content.decode()
    page = client.get(rotate)
    assert page.status_code == 200 and 'name="grace" value="7d"' in page.content.decode()
    # Asking rotates nothing.
    register()
    assert client.get("/api/v1/submissions/feed", **auth(old)).status_code == 200
    # A planned rotation: the old token keeps working during its grace period.
    response = client.post(rotate, {"grace": "7d"})
    new = re.search(rb"data-secret-once[^>]*>([^<]+)<", response.content).group(1).decode()
    assert client.get("/api/v1/submissions/feed", **auth(old)).status_code == 200
    assert client.get("/api/v1/submissions/feed", **auth(new)).status_code == 200


def test_handlers_get_no_rotation_page(client, admin_user):
    row, _old = make_client()
    client.force_login(make_staff("handler", role=roles.HANDLER, divisions=(TOWN_A,)))
    assert client.get(f"/admin/registrations/api-clients/{row.pk}/rotate/").status_code in (302, 403)
