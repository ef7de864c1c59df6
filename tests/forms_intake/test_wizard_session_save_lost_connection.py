"""A step posted while the database connection is lost gets "try again" (503), and the retry goes on.

The fault drill (bench/faults.py) lost one registration of 299 during a PgBouncer restart: the POST of a step
answered 400, which neither the load balancer nor the resident retries. Django's database session backend
turns any database error of the session update into "the session was deleted" (400); a lost connection is
not that, and the portal's session engine (portal/session_store.py) lets it reach the site's 503 page.
"""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import Client

from .wizard_support import employed_self_answers, step_post

pytestmark = pytest.mark.django_db


def test_a_step_whose_session_save_lost_the_database_is_retried_and_goes_on(registration_site):
    client = Client(raise_request_exception=False)
    (first, first_data), (second, second_data), (third, _) = employed_self_answers()[:3]
    client.get("/register/step/filer/")
    assert client.post(f"/register/step/{first}/", step_post(first, first_data)).status_code == 302
    assert client.get(f"/register/step/{second}/").status_code == 200
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(Session, "save", side_effect=lost):
        response = client.post(f"/register/step/{second}/", step_post(second, second_data))
    assert response.status_code == 503
    assert response["Retry-After"]
    # The resident (or their browser) sends the same page again: it is taken, and the wizard goes on.
    response = client.post(f"/register/step/{second}/", step_post(second, second_data))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/step/{third}/")
    assert client.get(f"/register/step/{third}/").status_code == 200


def test_a_session_deleted_meanwhile_is_still_a_bad_request(registration_site):
    """Only a lost connection changes: a session that is really gone (no row updated) stays Django's 400."""
    client = Client(raise_request_exception=False)
    (first, first_data), (second, second_data) = employed_self_answers()[:2]
    client.get("/register/step/filer/")
    assert client.post(f"/register/step/{first}/", step_post(first, first_data)).status_code == 302
    assert client.get(f"/register/step/{second}/").status_code == 200
    real_save = Session.save

    def deleted_meanwhile(self, *args, **kwargs):
        Session.objects.filter(pk=self.pk).delete()
        return real_save(self, *args, **kwargs)

    with mock.patch.object(Session, "save", deleted_meanwhile):
        response = client.post(f"/register/step/{second}/", step_post(second, second_data))
    assert response.status_code == 400
