"""After a Redis restart, a resident's next wizard page never sends them back to an earlier step.

The fault drill (bench/faults.py on `make cluster`) saw it once in 299 registrations: a step's GET answered
302 to an earlier step right after Redis was restarted. Replayed here in-process, with two app servers that
each have their own outage-tolerant cache (portal/resilient_cache.py) on one real Redis:

1. the resident answers a step on server B; then Redis restarts (its keys are gone);
2. server A saw the restart and skips the cache for `RETRY_AFTER` seconds; server B did not;
3. the next step's page is served by B, which (with `cached_db`) caches the session it read from the database;
4. the resident posts that step on A: the session is saved to the database only (A skips cache writes);
5. the following page is served by B again.

With `cached_db` B reads its cached copy from step 3: the answer of step 4 is missing and the wizard sends the
resident back (the drill's symptom, kept below so the replay is known to be faithful). With the portal's session
engine (database only) B reads what A saved.
"""

from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from tests.portal.redis_support import redis_caches, require_redis

from .wizard_support import employed_self_answers, step_post

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def two_app_servers(settings):
    """Aliases "server_a" and "server_b": the same Redis and key prefix, one circuit breaker each."""
    require_redis(REDIS_URL)
    shared = redis_caches(REDIS_URL, name="sessions-restart")["default"]
    settings.CACHES = {"default": shared, "server_a": dict(shared), "server_b": dict(shared)}
    yield
    caches["default"].clear()


def on(server):
    """Serve the next request on one app server: its sessions read and write through its own cache."""
    return override_settings(SESSION_CACHE_ALIAS=server)


def redis_restarts_and_server_a_notices():
    caches["server_b"].clear()  # a restarted Redis (no persistence, as in .ci/run and the drill) is empty
    with mock.patch.object(redis.Redis, "execute_command", side_effect=redis.exceptions.ConnectionError("restart")):
        assert caches["server_a"].get("probe", "not cached") == "not cached"  # A's breaker opens for 5 s
    assert caches["server_b"].get("probe", "reachable") == "reachable"


def walk_across_the_restart(client):
    """Steps 1–5 of the module docstring; returns the response to the page after the step posted on A."""
    answers = employed_self_answers()
    (first, first_data), (second, second_data), (third, _) = answers[:3]
    with on("server_b"):
        client.get("/register/step/filer/")
        assert client.post(f"/register/step/{first}/", step_post(first, first_data)).status_code == 302
    redis_restarts_and_server_a_notices()
    with on("server_b"):
        assert client.get(f"/register/step/{second}/").status_code == 200
    with on("server_a"):
        response = client.post(f"/register/step/{second}/", step_post(second, second_data))
        assert response.status_code == 302, response.status_code
        assert response["Location"].endswith(f"/step/{third}/")
    with on("server_b"):
        return third, client.get(f"/register/step/{third}/")


def test_the_next_page_after_a_redis_restart_is_the_next_step(client, registration_site, two_app_servers):
    third, response = walk_across_the_restart(client)
    assert response.status_code == 200, response.get("Location")
    assert response.context["wizard"]["steps"].current == third


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_cached_db_sessions_sent_the_resident_back_a_step(client, registration_site, two_app_servers):
    """The drill's fault, reproduced: why the portal keeps sessions in the database only."""
    _third, response = walk_across_the_restart(client)
    assert response.status_code == 302
    assert "/step/" in response["Location"]
