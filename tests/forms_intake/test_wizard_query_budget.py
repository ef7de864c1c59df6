"""Query budgets of the registration wizard: each step costs the same few queries, however far along.

Every request used to re-validate the earlier steps against the division
table row by row, so the review page cost six times the first step. These
tests fail if a step's cost grows with the number of answered steps again.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms_intake.models import Submission
from forms_intake.services import divisions

from .wizard_support import employed_self_answers, proxy_child_answers, step_post

pytestmark = pytest.mark.django_db

# Session, site, locale, page routing, view restrictions and the base template's menu: the
# same for every step. A step page adds nothing to it (it does not write the session either:
# test_wizard_session_writes.py); a POST stores the session.
STEP_GET_BUDGET = 13
STEP_POST_BUDGET = 12
# The final POST also checks the idempotency key, the rate limit and duplicates, and stores the record.
SUBMIT_BUDGET = 26


def walk(client, answers):
    """GET then POST every step; returns [(step, method, queries)]."""
    counts = []
    divisions.index()  # loaded once per process (one query), as in a running server
    client.get("/register/step/filer/")
    for step, data in answers:
        url = f"/register/step/{step}/"
        with CaptureQueriesContext(connection) as get_queries:
            response = client.get(url)
        assert response.status_code == 200, step
        with CaptureQueriesContext(connection) as post_queries:
            response = client.post(url, step_post(step, data))
        assert response.status_code == 302, (step, response.status_code)
        counts += [(step, "GET", len(get_queries)), (step, "POST", len(post_queries))]
    return counts


@pytest.mark.parametrize("answers", [employed_self_answers, proxy_child_answers], ids=["employed", "proxy"])
def test_every_step_stays_within_its_query_budget(client, registration_site, answers):
    counts = walk(client, answers())
    assert Submission.objects.count() == 1
    over = [
        (step, method, n)
        for step, method, n in counts
        if n > (SUBMIT_BUDGET if (step, method) == ("review", "POST") else
                STEP_GET_BUDGET if method == "GET" else STEP_POST_BUDGET)
    ]
    assert not over, counts


def test_later_steps_cost_no_more_queries_than_the_first(client, registration_site):
    cache.clear()  # an earlier test's employer lookup may still be cached (Redis keeps it for the whole run)
    counts = walk(client, employed_self_answers())
    gets = {step: n for step, method, n in counts if method == "GET"}
    posts = {step: n for step, method, n in counts if method == "POST" and step != "review"}
    assert set(gets.values()) == {gets["filer"]}, gets
    # The unit step checks the employer's code against the registry: one query of its own, once
    # (the review's revalidation reads the name from the cache).
    assert posts.pop("unit") == posts["filer"] + 1
    assert set(posts.values()) == {posts["filer"]}, posts


@pytest.mark.parametrize("step", ["address", "workplace", "unit", "review"])
def test_a_step_page_has_a_fixed_budget(client, registration_site, django_assert_max_num_queries, step):
    answers = employed_self_answers()
    client.get("/register/step/filer/")
    for name, data in answers:
        if name == step:
            break
        client.post(f"/register/step/{name}/", step_post(name, data))
    with django_assert_max_num_queries(STEP_GET_BUDGET):
        assert client.get(f"/register/step/{step}/").status_code == 200
    # An invalid POST re-renders the step with errors, within the same budget as a page.
    with django_assert_max_num_queries(STEP_GET_BUDGET):
        assert client.post(f"/register/step/{step}/", step_post(step, {})).status_code == 200


def test_with_the_content_memo_a_step_costs_the_session_the_page_and_nothing_else(client, registration_site, settings):
    """As served in production (memo on): the step's links come from the cached site root paths, so the
    request's Site is never looked up in the database (it was a third of a step's time)."""
    settings.CONTENT_MEMO_ENABLED = True
    answers = employed_self_answers()
    divisions.index()
    client.get("/register/step/filer/")
    for name, data in answers[:2]:
        client.post(f"/register/step/{name}/", step_post(name, data))
    client.get("/register/step/employment/")  # the memo learns the route
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get("/register/step/employment/").status_code == 200
    with CaptureQueriesContext(connection) as post_queries:
        response = client.post("/register/step/employment/", step_post("employment", dict(answers)["employment"]))
    assert response.status_code == 302 and response["Location"].startswith("/register/step/")
    tables = [query["sql"] for query in page_queries.captured_queries + post_queries.captured_queries]
    assert not [sql for sql in tables if "wagtailcore_site" in sql], tables
    assert len(page_queries) <= 3, [query["sql"][:80] for query in page_queries.captured_queries]
