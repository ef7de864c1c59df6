"""Query budgets of the roster page and of recording a visit (issue 12: p50 < 150 ms and < 100 ms).

The timings are measured by `make bench` (bench/outreach_probe.py screens, 5,000 people in scope); these
tests pin what makes them possible: a constant number of queries whatever the roster's size or page,
only the page's rows read and nothing decrypted for the list, and a visit written without reading
the person's encrypted details again.
"""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forms_intake.models import RosterEntry, Visit
from forms_intake.rules import crypto
from forms_intake.rules.personal_data import id_hash, mask_id_number
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_id_number, make_staff

from .roster_support import VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

#: Session, user, permissions, profile, divisions, villages, count, the page, Wagtail's admin chrome.
ROSTER_PAGE_BUDGET = 12
#: Session, user, permissions, profile, divisions, the entry, then savepoint, update, visit, log entry.
VISIT_BUDGET = 15


def _entries(count, *, queue=TOWNSHIP_A, born="19800101", start=0):
    numbers = [make_id_number(region="430102", born=born, sequence=start + n) for n in range(count)]
    RosterEntry.objects.bulk_create([
        RosterEntry(id_number=number, id_number_hash=id_hash(number), id_number_masked=mask_id_number(number),
                    name="赵六", residence_address="韶山路 1 号", phone="+8613900001111", phone_masked="139****1111",
                    queue_code=queue, village_code=(VILLAGE_A1 if n % 2 else VILLAGE_A2) if queue == TOWNSHIP_A else "")
        for n, number in enumerate(numbers)
    ])


@pytest.fixture
def clerk(db):
    make_divisions()
    return make_staff("clerk_a", roles.HANDLER, [TOWNSHIP_A])


def _roster(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("forms_intake_roster:index"), params)
    assert response.status_code == 200
    return response, len(queries)


def test_the_roster_page_costs_the_same_queries_for_a_few_or_many_people_on_any_page(client, clerk):
    _entries(3)
    _entries(5, queue=TOWNSHIP_B, born="19810101")  # out of scope: never listed
    client.force_login(clerk)
    _roster(client)  # warm caches (content types, permissions)
    few_response, few = _roster(client)
    assert few_response.content.decode().count("data-roster-row=") == 3
    _entries(117, born="19820101")
    many_response, many = _roster(client)
    last_response, last = _roster(client, p=3)
    filtered_response, filtered = _roster(client, village=VILLAGE_A1, status="open", visits="0")
    assert many_response.content.decode().count("data-roster-row=") == 50
    assert last_response.content.decode().count("data-roster-row=") == 120 - 100
    assert filtered_response.content.decode().count("data-roster-row=") == 50
    assert few == many == last == filtered, (few, many, last, filtered)
    assert many <= ROSTER_PAGE_BUDGET, many


def test_the_roster_page_decrypts_nothing_and_shows_only_masked_numbers(client, clerk):
    _entries(60)
    client.force_login(clerk)
    with mock.patch.object(crypto, "decrypt", wraps=crypto.decrypt) as decrypt:
        response, _count = _roster(client)
    assert decrypt.call_count == 0
    html = response.content.decode()
    assert "13900001111" not in html and "139****1111" in html
    shown = RosterEntry.objects.order_by("queue_code", "village_code", "id")[:50]
    assert all(entry.id_number not in html and entry.id_number_masked in html for entry in shown)


def test_recording_a_visit_stays_within_its_query_budget_and_decrypts_nothing(client, clerk):
    _entries(4)
    client.force_login(clerk)
    first, second = RosterEntry.objects.order_by("id")[:2]
    url = reverse("forms_intake_roster:entry", args=[first.pk])
    client.post(url, {"outcome": "not_met", "seen_visits": 0})  # warm caches
    url = reverse("forms_intake_roster:entry", args=[second.pk])
    with mock.patch.object(crypto, "decrypt", wraps=crypto.decrypt) as decrypt, \
            CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"outcome": "not_met", "seen_visits": 0})
    assert response.status_code == 302
    entry = RosterEntry.objects.get(pk=second.pk)
    assert (entry.status, entry.visit_count) == (RosterEntry.Status.REVISIT, 1)
    assert Visit.objects.filter(entry=entry, outcome="not_met", visited_by=clerk).count() == 1
    assert len(queries) <= VISIT_BUDGET, len(queries)
    assert decrypt.call_count == 0, decrypt.call_count
