"""No plaintext ID or phone number in the database (submissions, sessions, anything) or in the logs."""

import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from .wizard_support import (
    ADULT_ID,
    CHILD_ID,
    PARENT_ID,
    employed_self_answers,
    proxy_child_answers,
    run_wizard,
)

pytestmark = pytest.mark.django_db

SECRETS = [ADULT_ID, CHILD_ID, PARENT_ID, "13812345678", "13987654321"]


def database_text():
    """Every row of every table, as one string (raw SQL, no model field decrypts anything)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("forms_intake_division"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from introspection
            chunks.extend(repr(row) for row in cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        for (data,) in cursor.fetchall():
            chunks.append(repr(SessionStore().decode(data)))
    return "\n".join(chunks)


def assert_no_secret(text, where):
    for secret in SECRETS:
        for form in (secret, secret.lower()):
            assert form not in text, f"plaintext {secret[:3]}… found in {where}"


def test_no_plaintext_id_or_phone_in_the_database_or_the_logs(client, registration_site, caplog):
    caplog.set_level(logging.DEBUG)
    run_wizard(client, proxy_child_answers(), stop_before="review")
    # Mid-wizard the answers live in the session: encrypted there too.
    assert_no_secret(database_text(), "the database during the wizard")
    client.post("/register/step/review/", {"registration-current_step": "review",
                                           "review-confirm_true": "on", "review-consent": "on"})
    run_wizard(client, employed_self_answers())
    client.get("/register/done/")
    client.get("/register/done/print/")
    client.post("/status/", {"reference": "HN-2222-2222-222", "id_number": ADULT_ID})
    text = database_text()
    assert "HN-" in text, "the dump really contains the submissions"
    assert_no_secret(text, "the database")
    log_text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "stored" in log_text, "the run was logged at all"
    assert_no_secret(log_text, "the logs")
