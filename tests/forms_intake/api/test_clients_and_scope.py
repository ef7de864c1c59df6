"""Who may see what: tokens, revocation, rotation, addresses, rate limits, permissions, masking and scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from forms_intake.models import ApiCallLog, ApiClient, Submission

from .support import COUNTY_B, TOWN_B, auth, make_client, register

pytestmark = pytest.mark.django_db

FEED = "/api/v1/submissions/feed"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    for cache in caches.all():
        cache.clear()


def references(response):
    return [item["submission"]["reference"] for item in response.json()["items"]]


def test_a_client_for_county_a_never_sees_county_b_by_feed_by_reference_or_by_posting(client):
    mine = register(registered=True)
    theirs = register(TOWN_B, registered=True)
    _a, token = make_client(can_report_results=True)
    _b, token_b = make_client("岳麓区经办系统", divisions=(COUNTY_B,))

    assert set(references(client.get(FEED, **auth(token)))) == {mine.reference}
    assert set(references(client.get(FEED, **auth(token_b)))) == {theirs.reference}

    unknown = client.get("/api/v1/submissions/HN-0000-0000-000", **auth(token))
    hidden = client.get(f"/api/v1/submissions/{theirs.reference}", **auth(token))
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()  # no hint that it exists elsewhere
    for result, body in (("enrolment", {"outcome": "insured_elsewhere"}),
                         ("card", {"card_number": "123456789", "bank": "icbc", "issued_on": "2025-01-01",
                                   "collection_point": "岳麓街道"})):
        response = client.post(f"/api/v1/submissions/{theirs.reference}/{result}", body,
                               content_type="application/json", **auth(token))
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert Submission.objects.get(pk=theirs.pk).status == "registered"
    assert client.get(f"/api/v1/submissions/{mine.reference}", **auth(token)).status_code == 200


def test_wrong_missing_or_revoked_tokens_get_json_401_and_403(client):
    register()
    client_row, token = make_client()
    for headers in ({}, auth("hnsi_not-a-token"), {"HTTP_AUTHORIZATION": "Basic abc"}, auth("x" * 5000)):
        response = client.get(FEED, **headers)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    ApiClient.objects.filter(pk=client_row.pk).update(revoked=True)
    response = client.get(FEED, **auth(token))
    assert response.status_code == 403 and response.json()["error"] == "revoked"


def test_missing_permissions_answer_403(client):
    submission = register(registered=True)
    _c, token = make_client(can_read_feed=False, can_report_results=False)
    assert client.get(FEED, **auth(token)).json()["error"] == "forbidden"
    response = client.post(f"/api/v1/submissions/{submission.reference}/enrolment", {"outcome": "insured_elsewhere"},
                           content_type="application/json", **auth(token))
    assert response.status_code == 403


def test_id_and_phone_numbers_in_full_only_with_the_permission(client):
    submission = register()
    stored = Submission.objects.get(pk=submission.pk)
    _m, masked_token = make_client()
    _f, full_token = make_client("省级经办系统", can_see_personal_data=True)
    masked = client.get(f"/api/v1/submissions/{submission.reference}", **auth(masked_token)).json()["fields"]
    full = client.get(f"/api/v1/submissions/{submission.reference}", **auth(full_token)).json()["fields"]
    assert masked["id_number"] == stored.id_number_masked and stored.id_number not in str(masked)
    assert masked["phone"] == stored.phone_masked and masked["name"] is None and masked["residence_street"] is None
    assert full["id_number"] == stored.id_number and full["phone"] == stored.phone and full["name"] == "张三"


def test_the_address_allow_list_and_the_rate_limit(client):
    register()
    row, token = make_client()
    row.allowed_networks = "10.0.0.0/8"
    row.save()
    response = client.get(FEED, **auth(token))
    assert response.status_code == 403 and response.json()["error"] == "address_not_allowed"
    assert client.get(FEED, REMOTE_ADDR="10.1.2.3", **auth(token)).status_code == 200
    row.allowed_networks, row.rate_limit_per_minute = "", 3
    row.save()
    statuses = [client.get(FEED, **auth(token)).status_code for _ in range(5)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429


def test_rotation_with_a_grace_period_and_at_once(client):
    register()
    row, old = make_client()
    new = row.set_new_token(grace=timedelta(hours=1))
    row.save()
    assert client.get(FEED, **auth(old)).status_code == 200
    assert client.get(FEED, **auth(new)).status_code == 200
    ApiClient.objects.filter(pk=row.pk).update(previous_token_expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(FEED, **auth(old)).status_code == 401
    newest = row.set_new_token()  # no grace: the previous token stops at once
    row.save()
    assert client.get(FEED, **auth(new)).status_code == 401
    assert client.get(FEED, **auth(newest)).status_code == 200
    assert old not in str(ApiClient.objects.filter(pk=row.pk).values().get())  # only hashes are stored


def test_every_call_is_logged_without_personal_data(client):
    submission = register()
    row, token = make_client(can_see_personal_data=True)
    client.get(FEED, **auth(token))
    client.get(f"/api/v1/submissions/{submission.reference}", **auth(token))
    client.get(FEED, **auth("wrong"))
    logs = list(ApiCallLog.objects.order_by("pk").values("client", "endpoint", "status", "count"))
    assert logs == [
        {"client": row.pk, "endpoint": "feed", "status": 200, "count": 1},
        {"client": row.pk, "endpoint": "submission", "status": 200, "count": 1},
        {"client": None, "endpoint": "feed", "status": 401, "count": 0},
    ]
    stored = Submission.objects.get(pk=submission.pk)
    dump = str(list(ApiCallLog.objects.values()))
    assert stored.id_number not in dump and submission.reference not in dump
