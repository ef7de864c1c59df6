"""A simulated business system: reads the feed from the start, is killed half-way, resumes, reports results.

The consumer stores the ``seq`` of each item once it has processed it (as a real one would, in its own
transaction); killed between two items, it resumes with that cursor and must end with every registered
submission exactly once, including those registered while it was down. It then posts enrolment and card
results, and the resident's status lookup shows where to collect the card.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches

from forms_intake.models import DataImport, Employer, OutboxEvent, Submission, SubmissionEvent
from forms_intake.services import outbox
from forms_intake.steps.forms import UnitForm

from .support import TOWN_B, auth, make_client, register

pytestmark = pytest.mark.django_db


class BusinessSystem:
    """Reads ``/api/v1/submissions/feed`` page by page; ``crash_after`` items, it stops (its memory is lost)."""

    def __init__(self, http, token, page_size=4):
        self.http, self.headers, self.page_size = http, auth(token), page_size
        self.cursor = 0  # what it keeps on disk
        self.seen = []  # (reference, event_id) it processed, on disk too

    def run(self, crash_after=None):
        processed = 0
        while True:
            response = self.http.get(
                "/api/v1/submissions/feed", {"after": self.cursor, "limit": self.page_size}, **self.headers
            )
            assert response.status_code == 200, response.content
            page = response.json()
            for item in page["items"]:
                if crash_after is not None and processed == crash_after:
                    return "killed"
                self.seen.append((item["submission"]["reference"], item["event_id"]))
                self.cursor = item["seq"]
                processed += 1
            if not page["has_more"]:
                return "caught up"


def test_killed_half_way_the_consumer_resumes_and_ends_with_every_submission_exactly_once(client):
    first = [register() for _ in range(9)]
    register(TOWN_B)  # another county: never seen by this client
    _client, token = make_client()
    system = BusinessSystem(client, token)

    assert system.run(crash_after=6) == "killed"
    assert len(system.seen) == 6
    later = [register() for _ in range(3)]  # registered while the consumer is down
    assert system.run() == "caught up"

    references = [reference for reference, _event in system.seen]
    expected = sorted(s.reference for s in first + later)
    assert sorted(references) == expected  # every one, each exactly once
    assert len({event for _ref, event in system.seen}) == len(system.seen)
    # Nothing new: the next read returns nothing and keeps the cursor.
    again = client.get("/api/v1/submissions/feed", {"after": system.cursor}, **auth(token)).json()
    assert again["items"] == [] and again["next_cursor"] == system.cursor


def test_a_change_after_reading_comes_round_again_with_the_new_state(client):
    submission = register()
    _client, token = make_client()
    system = BusinessSystem(client, token)
    system.run()
    Submission.objects.filter(pk=submission.pk).update(status="registered")
    outbox.record_change(submission, "register", from_status="awaiting_review", to_status="registered")
    response = client.get("/api/v1/submissions/feed", {"after": system.cursor}, **auth(token)).json()
    assert [item["event_type"] for item in response["items"]] == ["submission.registered"]
    assert response["items"][0]["submission"]["status"] == "registered"


def test_results_posted_back_reach_the_timeline_and_the_residents_status_lookup(client, registration_site):
    for cache in caches.all():
        cache.clear()
    submission = register(registered=True)
    id_number = Submission.objects.get(pk=submission.pk).id_number
    _client, token = make_client(can_report_results=True)
    base = f"/api/v1/submissions/{submission.reference}"

    enrolled = client.post(f"{base}/enrolment", {
        "outcome": "enrolled", "insurance_type": "resident_pension", "enrolled_on": "2025-03-01",
    }, content_type="application/json", **auth(token))
    assert enrolled.status_code == 200, enrolled.content
    assert enrolled.json()["enrolment"]["outcome"] == "enrolled"

    card = {"card_number": "H43010212345678", "bank": "bocs", "issued_on": "2025-03-20",
            "collection_point": "文艺路街道社会保障服务站（韶山路1号）"}
    issued = client.post(f"{base}/card", card, content_type="application/json", **auth(token))
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["status"] == "card_issued"
    assert body["card"]["card_number"] == "***********5678"  # masked, stored encrypted
    # Posting the same card again (a retry after a lost answer) changes nothing.
    again = client.post(f"{base}/card", card, content_type="application/json", **auth(token))
    assert again.status_code == 200
    other = client.post(f"{base}/card", {**card, "card_number": "H430102999999"}, content_type="application/json",
                        **auth(token))
    assert other.status_code == 409 and other.json()["error"] == "card_exists"

    actions = list(SubmissionEvent.objects.filter(submission=submission).values_list("action", flat=True))
    assert actions.count("enrolment") == 1 and actions.count("issue_card") == 1
    note = SubmissionEvent.objects.get(submission=submission, action="issue_card").note
    assert "H43010212345678" not in note and "5678" in note
    assert list(OutboxEvent.objects.filter(submission=submission).values_list("event_type", flat=True))[-2:] == [
        "submission.enrolment_reported", "submission.card_issued"]

    page = client.post("/status/", {"reference": submission.reference, "id_number": id_number}).content.decode()
    assert "已发卡" in page
    assert "文艺路街道社会保障服务站（韶山路1号）" in page and "2025-03-20" in page
    assert "H43010212345678" not in page


def test_results_are_refused_for_a_submission_not_yet_registered(client):
    submission = register()
    _client, token = make_client(can_report_results=True)
    response = client.post(f"/api/v1/submissions/{submission.reference}/enrolment", {"outcome": "insured_elsewhere"},
                           content_type="application/json", **auth(token))
    assert response.status_code == 409 and response.json()["error"] == "not_registered"
    missing_reason = client.post(f"/api/v1/submissions/{submission.reference}/enrolment", {"outcome": "refused"},
                                 content_type="application/json", **auth(token))
    assert missing_reason.status_code == 422


def test_the_employer_lookup_gives_the_name_only_and_the_unit_step_checks_the_pair(client):
    data_import = DataImport.objects.create(kind="employer", file_name="employers.csv", sha256="0" * 64)
    Employer.objects.create(credit_code="91430100MA4L16JX8F", organization_code="123456788",
                            name="长沙市某某科技有限公司", division_code="430102", data_import=data_import)
    assert client.get("/api/v1/employers/91430100MA4L16JX8F").json() == {"name": "长沙市某某科技有限公司"}
    assert client.get("/api/v1/employers/12345678-8").json() == {"name": "长沙市某某科技有限公司"}
    assert client.get("/api/v1/employers/91430100MA4L16JX8G").status_code == 422  # bad check character
    context = {"employed": True}
    wrong = UnitForm(data={"unit_type": "employer", "unit_name": "别的公司", "unit_code": "91430100MA4L16JX8F"},
                     wizard_context=context)
    assert not wrong.is_valid() and "长沙市某某科技有限公司" in str(wrong.errors["unit_name"])
    right = UnitForm(data={"unit_type": "employer", "unit_name": "长沙市某某科技有限公司 ",
                           "unit_code": "91430100MA4L16JX8F"}, wizard_context=context)
    assert right.is_valid(), right.errors
    assert "forms_intake/js/employer_lookup.js" in str(right.media)
