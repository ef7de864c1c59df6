"""After the status lookup's 429 ("nothing you entered was lost"), the form shows what was typed again:
kept encrypted in the session, never in a URL, shown once."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches

from forms_intake.models import Submission
from forms_intake.wizard import status as status_module

from .wizard_support import ADULT_ID, employed_self_answers, run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, registration_site):
    for cache in caches.all():
        cache.clear()  # rate-limit counters of other tests
    run_wizard(client, employed_self_answers())
    return Submission.objects.get()


def _refused(client, reference, monkeypatch, base="/status/"):
    monkeypatch.setattr(status_module, "CLIENT_LIMIT", 1)
    assert client.post(base, {"reference": "HN-2222-2222-222", "id_number": ADULT_ID}).status_code == 200
    refused = client.post(base, {"reference": reference, "id_number": ADULT_ID})
    assert refused.status_code == 429
    return refused


def test_the_typed_reference_and_id_are_back_after_the_429(client, submitted, monkeypatch):
    refused = _refused(client, submitted.reference, monkeypatch)
    assert ADULT_ID not in refused.content.decode() and "Location" not in refused
    form = client.get("/status/").content.decode()
    assert f'value="{submitted.reference}"' in form and f'value="{ADULT_ID}"' in form
    # Shown once: a later visit starts empty.
    assert ADULT_ID not in client.get("/status/").content.decode()


def test_the_kept_id_number_is_encrypted_in_the_session(client, submitted, monkeypatch):
    _refused(client, submitted.reference, monkeypatch)
    stored = [SessionStore().decode(s.session_data) for s in Session.objects.all()]
    kept = [data[status_module.KEPT_KEY] for data in stored if status_module.KEPT_KEY in data]
    assert kept and all(ADULT_ID not in token and submitted.reference not in token for token in kept)
    assert all(ADULT_ID not in repr(data) for data in stored)


def test_the_english_lookup_keeps_them_too(client, submitted, monkeypatch):
    _refused(client, submitted.reference, monkeypatch, base="/en/status/")
    form = client.get("/en/status/").content.decode()
    assert f'value="{ADULT_ID}"' in form
