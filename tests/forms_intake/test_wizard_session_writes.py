"""The wizard writes the session only when the answers change, and still keeps a visitor's session alive.

Every session write is a database write (sessions live in the database). Viewing a step changes nothing, so it
writes nothing; storing answers writes once. A page view still pushes the session's expiry forward at most
once a minute, so the timeout warning (counted from the page load) never comes after the real expiry.
"""

from datetime import date
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms_intake.models import Submission
from forms_intake.wizard import storage

from .wizard_support import employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db


def session_writes(queries):
    return [
        q["sql"] for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def test_viewing_a_step_writes_nothing_and_storing_answers_writes_once(client, registration_site):
    client.get("/register/step/filer/")
    for step, data in employed_self_answers()[:-1]:
        url = f"/register/step/{step}/"
        with CaptureQueriesContext(connection) as viewing:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as storing:
            assert client.post(url, step_post(step, data)).status_code == 302
        assert session_writes(viewing) == [], step
        assert len(session_writes(storing)) == 1, step


def test_a_page_view_after_a_minute_extends_the_session(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="address")
    before = Session.objects.get().expire_date
    later = storage.time.time() + storage.EncryptedSessionStorage.EXPIRY_REFRESH_SECONDS + 1
    with mock.patch.object(storage.time, "time", return_value=later), CaptureQueriesContext(connection) as viewing:
        assert client.get("/register/step/address/").status_code == 200
    assert len(session_writes(viewing)) == 1
    assert Session.objects.get().expire_date >= before
    # The answers are all still there.
    assert "张三" in client.get("/register/step/identity/").content.decode()


def test_steps_known_to_be_valid_are_still_checked_again_at_the_final_submit(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    assert client.get("/register/step/review/").status_code == 200
    # A rule moved on after the steps were checked (here the date: the registrant, born in 1990, is a child
    # again): the final submit revalidates every step and sends the resident to the one that fails.
    with mock.patch("forms_intake.rules.eligibility.current_date", return_value=date(2000, 1, 1)):
        response = client.post("/register/step/review/", step_post("review", {"confirm_true": "on", "consent": "on"}))
        assert response["Location"] == "/register/step/employment/"
        assert client.get("/register/step/employment/").context["form"].errors["employment_status"]
    assert Submission.objects.count() == 0
