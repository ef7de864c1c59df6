"""No step skipping, no forged steps, and one submission per wizard session even under concurrency."""

import copy
import threading

import pytest
from django.db import connection
from django.test import Client

from forms_intake.models import Submission
from tests.forms_intake.wizard_support import employed_self_answers, run_wizard, step_post

REVIEW = step_post("review", {"confirm_true": "on", "consent": "on"})


def _answers(**steps):
    return dict(employed_self_answers(), **steps)


@pytest.mark.django_db
def test_posting_the_last_step_without_a_session_creates_nothing(client, registration_site):
    response = client.post("/register/step/review/", REVIEW)
    assert response.status_code < 500
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_posting_every_later_step_straight_away_creates_nothing(client, registration_site):
    client.get("/register/step/filer/")
    answers = _answers()
    for step in ["identity", "employment", "address", "workplace", "reason", "unit", "review"]:
        response = client.post(f"/register/step/{step}/", step_post(step, answers[step]))
        assert response.status_code < 500, step
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_skipping_a_middle_step_creates_nothing(client, registration_site):
    answers = employed_self_answers()
    run_wizard(client, answers, stop_before="address")
    values = dict(answers)
    for step in ["workplace", "reason", "unit", "review"]:  # "address" never answered
        client.post(f"/register/step/{step}/", step_post(step, values[step]))
    assert Submission.objects.count() == 0
    # The resident is sent back to the step that is missing.
    response = client.get("/register/step/review/")
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_forging_the_current_step_is_refused(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="employment")
    # The URL says employment, the management form says review: refused, nothing stored.
    forged = {**REVIEW}
    response = client.post("/register/step/employment/", forged)
    assert response.status_code == 400
    response = client.post("/register/step/review/", REVIEW)
    assert response.status_code < 500
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_missing_management_data_is_a_400_not_a_500(client, registration_site):
    client.get("/register/step/filer/")
    response = client.post("/register/step/filer/", {"filer-filing_for": "self", "filer-intent": "on"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_get_never_changes_state(client, registration_site):
    """GET on every wizard URL (including done/ and the review) stores or creates nothing."""
    run_wizard(client, employed_self_answers(), stop_before="review")
    before = copy.deepcopy(client.session["wizard_registration"]["step_data"])
    for url in [
        "/register/",
        "/register/step/review/",
        "/register/step/filer/",
        "/register/done/",
        "/register/keepalive/",
        "/status/?reference=HN-0000-0000&id_number=x",
    ]:
        assert client.get(url).status_code < 500, url
    assert Submission.objects.count() == 0
    assert client.session["wizard_registration"]["step_data"] == before
    # The answers are still there, unchanged: the review can be submitted.
    assert client.post("/register/step/review/", REVIEW).status_code == 302
    assert Submission.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_final_submits_create_exactly_one_submission(committed_registration_site):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so it cannot show the race (run with DATABASE_URL)")
    client = Client()
    run_wizard(client, employed_self_answers(), stop_before="review")
    cookies = client.cookies
    barrier = threading.Barrier(20)
    statuses, errors = [], []

    def submit():
        from django.db import connections

        racer = Client()
        racer.cookies = cookies
        try:
            barrier.wait()
            statuses.append(racer.post("/register/step/review/", REVIEW).status_code)
        except Exception as exc:  # reported below with the others
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(statuses) == 20
    assert all(status < 500 for status in statuses), statuses
    assert Submission.objects.count() == 1
