"""Status lookup: reference + ID number → status (and the staff message when returned), nothing else."""

import pytest
from django.core.cache import caches

from forms_intake.models import Submission
from forms_intake.rules.states import SubmissionStatus
from forms_intake.wizard import status as status_module

from .wizard_support import ADULT_ID, CHILD_ID, employed_self_answers, run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, registration_site):
    for cache in caches.all():
        cache.clear()  # rate-limit counters of other tests
    run_wizard(client, employed_self_answers())
    return Submission.objects.get()


def lookup(client, reference, id_number, base="/status/"):
    return client.post(base, {"reference": reference, "id_number": id_number})


def test_the_right_pair_shows_the_status_and_nothing_personal(client, submitted):
    response = lookup(client, submitted.reference.lower().replace("-", " "), ADULT_ID.lower())
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-status-result" in body and "待受理" in body
    for personal in ("张三", "13812345678", "长沙市某某科技有限公司", "八一路"):
        assert personal not in body


def test_a_returned_registration_shows_the_staff_message(client, submitted):
    Submission.objects.filter(pk=submitted.pk).update(
        status=SubmissionStatus.RETURNED, resident_message="请补充户口所在地<b>证明</b>"
    )
    body = lookup(client, submitted.reference, ADULT_ID).content.decode()
    assert "退回补正" in body
    assert "请补充户口所在地&lt;b&gt;证明&lt;/b&gt;" in body


def test_a_message_is_not_shown_for_other_statuses(client, submitted):
    Submission.objects.filter(pk=submitted.pk).update(status=SubmissionStatus.REGISTERED, resident_message="内部备注")
    body = lookup(client, submitted.reference, ADULT_ID).content.decode()
    assert "已登记" in body and "内部备注" not in body


def _answer(response):
    body = response.content.decode()
    start = body.index("<main")
    # The answer block without the echoed form values.
    return body[start: body.index("<form", start)]


def test_every_wrong_pair_gets_the_same_answer(client, submitted):
    answers = {
        _answer(lookup(client, submitted.reference, CHILD_ID)),
        _answer(lookup(client, "HN-2222-2222-222", ADULT_ID)),
        _answer(lookup(client, "HN-0000", ADULT_ID)),
        _answer(lookup(client, submitted.reference, "not an id")),
    }
    assert len(answers) == 1
    assert "data-status-not-found" in answers.pop()


def test_lookups_are_rate_limited_per_client(client, submitted, monkeypatch):
    monkeypatch.setattr(status_module, "CLIENT_LIMIT", 3)
    for _ in range(3):
        assert lookup(client, "HN-2222-2222-222", CHILD_ID).status_code == 200
    assert lookup(client, submitted.reference, ADULT_ID).status_code == 429


def test_lookups_are_rate_limited_per_id_number_across_clients(submitted, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(status_module, "ID_LIMIT", 2)
    for number in range(2):
        assert lookup(Client(REMOTE_ADDR=f"10.0.0.{number}"), "HN-2222-2222-222", ADULT_ID).status_code == 200
    assert lookup(Client(REMOTE_ADDR="10.0.0.9"), submitted.reference, ADULT_ID).status_code == 429


def test_the_id_number_never_goes_in_the_url(client, submitted):
    page = client.get("/status/").content.decode()
    assert 'method="post"' in page
    response = client.get("/status/", {"reference": submitted.reference, "id_number": ADULT_ID})
    assert "data-status-result" not in response.content.decode()


def test_the_english_lookup_works(client, submitted):
    body = lookup(client, submitted.reference, ADULT_ID, base="/en/status/").content.decode()
    assert "data-status-result" in body
