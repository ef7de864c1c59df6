"""Faults: the cache (Redis) unreachable, the database failing at the final submit, no debug output."""

import copy
import logging
import time
from unittest import mock

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError

from forms_intake.models import Submission
from tests.forms_intake.wizard_support import ADULT_ID, employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once.
DEAD_LOCATION = "redis://127.0.0.1:1/0"
LEAKS = ("Traceback", "ConnectionError", "redis", "Redis", "SELECT ", "SECRET_KEY", 'File "')


def assert_controlled(response):
    assert response.status_code < 500 or response.status_code == 503, response.status_code
    body = response.content.decode()
    for leak in LEAKS:
        assert leak not in body, leak


@pytest.fixture
def dead_cache(settings, registration_site, production_security_values):
    """Production's cache configuration (Redis), pointed at a port where nothing listens."""
    caches = copy.deepcopy(production_security_values["CACHES"])
    assert caches["default"]["BACKEND"] == "portal.resilient_cache.ResilientRedisCache"
    caches["default"]["LOCATION"] = DEAD_LOCATION
    settings.CACHES = caches
    settings.PAGE_CACHE_ENABLED = True
    return settings


def test_public_pages_work_without_the_cache(client, dead_cache):
    client.raise_request_exception = False
    for url in ["/", "/en/", "/status/", "/en/status/", "/register/"]:
        response = client.get(url)
        assert_controlled(response)
        assert response.status_code in (200, 302), url


def test_status_lookup_fails_open_without_the_cache(client, dead_cache, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.post("/status/", {"reference": "HN-0000-0000", "id_number": ADULT_ID})
    assert_controlled(response)
    assert response.status_code == 200
    # The outage is visible to operators, without the ID number.
    assert "event=ratelimit_unavailable" in caplog.text
    assert ADULT_ID not in caplog.text


def test_the_wizard_works_without_the_cache(client, dead_cache):
    client.raise_request_exception = False
    response = run_wizard(client, employed_self_answers())
    assert_controlled(response)
    assert Submission.objects.count() == 1


def test_status_lookup_fails_closed_when_so_configured(client, dead_cache):
    dead_cache.RATELIMIT_FAIL_OPEN = False
    client.raise_request_exception = False
    response = client.post("/status/", {"reference": "HN-0000-0000", "id_number": ADULT_ID})
    assert_controlled(response)
    assert response.status_code == 429


def test_database_failure_at_final_submit_gives_503_and_keeps_the_answers(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    review = step_post("review", {"confirm_true": "on", "consent": "on"})
    client.raise_request_exception = False
    with mock.patch("forms_intake.wizard.view.create_submission", side_effect=DatabaseError("connection lost")):
        failed = client.post("/register/step/review/", review)
    assert failed.status_code == 503
    body = failed.content.decode()
    for leak in LEAKS + ("connection lost", "DatabaseError"):
        assert leak not in body
    assert Submission.objects.count() == 0
    # The answers are still there: the same review page submits now.
    retried = client.post("/register/step/review/", review)
    assert retried.status_code == 302
    assert Submission.objects.get().id_number == ADULT_ID


def test_unexpected_error_shows_the_bare_500_page(client, registration_site):
    client.raise_request_exception = False
    with mock.patch("forms_intake.wizard.view.RegistrationWizard.get", side_effect=RuntimeError("SELECT * FROM x")):
        response = client.get("/register/step/filer/")
    assert response.status_code == 500
    body = response.content.decode()
    for leak in LEAKS + ("RuntimeError", "SELECT * FROM x"):
        assert leak not in body


def test_resilient_cache_degrades_reads_and_writes_and_raises_on_counters(caplog):
    from portal.resilient_cache import CacheUnavailable, ResilientRedisCache

    cache = ResilientRedisCache(DEAD_LOCATION, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get("k", "fallback") == "fallback"
        started = time.monotonic()
        for _ in range(50):  # the breaker is open: no connection attempts
            assert cache.get("k") is None
            cache.set("k", "v")
            assert cache.get_many(["a", "b"]) == {}
        assert time.monotonic() - started < 0.5
        with pytest.raises(CacheUnavailable):
            cache.add("counter", 1)
        with pytest.raises(CacheUnavailable):
            cache.incr("counter")
    # One log line per outage, not one per call, and no key or value in it.
    assert caplog.text.count("cache unavailable") == 1
    assert "fallback" not in caplog.text


def test_resilient_cache_works_normally_when_redis_is_up():
    from portal.resilient_cache import ResilientRedisCache

    from .test_ratelimit import REDIS_URL, _redis_reachable

    if not _redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": "resilient-test"})
    cache.set("k", "v", 10)
    assert cache.get("k") == "v"
    assert cache.add("n", 1, 10) is True
    assert cache.incr("n") == 2
    cache.delete_many(["k", "n"])


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_gives_the_try_again_page_not_a_500(client, registration_site, error, caplog):
    """A PgBouncer or PostgreSQL restart mid-request: 503 with Retry-After, nothing leaked, nothing cached."""
    client.raise_request_exception = False
    message = "server closed the connection unexpectedly 430102199001011234"
    with caplog.at_level(logging.WARNING, logger="portal.errors"), mock.patch(
        "forms_intake.wizard.view.RegistrationWizard.get", side_effect=error(message)
    ):
        response = client.get("/register/step/filer/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "请稍后重试" in body and "不会丢失" in body
    for leak in LEAKS + (error.__name__, "430102199001011234", "closed the connection"):
        assert leak not in body
    # Our line names the class only (Django's own error log of the traceback is scrubbed by portal.logging).
    ours = [r.getMessage() for r in caplog.records if r.name == "portal.errors"]
    assert ours == [f"event=database_unavailable error={error.__name__} path_kind=public"]
