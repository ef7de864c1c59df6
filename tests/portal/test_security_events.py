"""Security events (portal/security_events.py): the log context providers apps register, and the line's format."""

import logging

import pytest
from django.contrib.auth import get_user_model

from portal import security_events
from portal.security_events import log_security_event, register_log_context_provider, unregister_log_context_provider


@pytest.fixture
def provider():
    """A provider registered for the test only, counting its calls."""
    calls = []

    def tenant(user):
        calls.append(user)
        return {"tenant": "t-1" if user is not None else ""}

    register_log_context_provider(tenant)
    tenant.calls = calls
    yield tenant
    unregister_log_context_provider(tenant)


def test_the_registration_app_registers_the_division_codes_in_ready():
    from forms_intake.apps import staff_division_codes

    assert staff_division_codes in security_events.log_context_providers()


def test_a_provider_adds_its_fields_between_user_and_request_id(provider, caplog, rf):
    request = rf.get("/")
    request.user = get_user_model()(pk=42)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        record = log_security_event("reveal", request, object=7)
    assert record["tenant"] == "t-1"
    names = list(record)
    assert names.index("user") < names.index("tenant") < names.index("request_id") < names.index("object")
    assert "user=42" in caplog.text and "tenant=t-1" in caplog.text


@pytest.mark.django_db
def test_a_provider_is_asked_once_per_user_object(provider):
    user = get_user_model().objects.create_user("provider-user", password="x" * 12)
    for _ in range(3):
        log_security_event("export", user=user)
    assert provider.calls == [user]


def test_anonymous_events_ask_the_provider_with_none(provider):
    record = log_security_event("login_failed")
    assert provider.calls == [None]
    assert record["tenant"] == ""


def test_a_failing_provider_costs_its_fields_not_the_event(caplog):
    def broken(user):
        raise RuntimeError("database gone")

    register_log_context_provider(broken)
    try:
        with caplog.at_level(logging.INFO, logger="portal.security"):
            record = log_security_event("purge", rows=3)
    finally:
        unregister_log_context_provider(broken)
    assert record["event"] == "purge" and record["rows"] == "3"
    assert "security_event event=purge" in caplog.text


def test_provider_fields_are_escaped_and_cannot_replace_the_core_fields():
    def hostile(user):
        return {"event": "forged", "note": "a\r\nsecurity_event event=login"}

    register_log_context_provider(hostile)
    try:
        record = log_security_event("reveal")
    finally:
        unregister_log_context_provider(hostile)
    assert record["event"] == "reveal"
    assert record["note"] == "a\\x0d\\x0asecurity_event event=login"


def test_registering_twice_keeps_one_entry(provider):
    register_log_context_provider(provider)
    assert security_events.log_context_providers().count(provider) == 1


def test_the_old_import_path_still_works():
    from portal.security import log_security_event as old
    from portal.security import request_id

    assert old is log_security_event
    assert request_id is security_events.request_id
