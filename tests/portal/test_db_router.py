"""The replica router: who reads where, the lag check and the fallback to the primary (portal/db_router.py).

The normal suite has one database; these tests pretend a replica is configured and feed the lag
check with a fake. tests/portal/test_cluster_replica.py runs the same paths on a real streaming
replica (CLUSTER=1, `make cluster-test`).
"""

import logging

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError
from django.test import override_settings

from forms_intake.models import Submission
from portal import db_router
from portal.db_router import PRIMARY, REPLICA, LagCheck, ReplicaRouter, on_replica, read_replica


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def replica(monkeypatch):
    """A configured replica whose lag the test sets (None: down)."""
    state = {"lag": 0.5, "measured": 0}

    def measure():
        state["measured"] += 1
        return state["lag"]

    clock = FakeClock()
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router, "lag_check", LagCheck(measure=measure, clock=clock))
    db_router.forget_writes()
    state["clock"] = clock
    return state


def test_without_a_replica_everything_reads_from_the_primary(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    with read_replica("statistics report") as alias:
        assert alias == PRIMARY
        assert ReplicaRouter().db_for_read(Submission) is None


def test_reads_go_to_the_replica_only_inside_the_block(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Submission) is None
    with read_replica("statistics report") as alias:
        assert alias == REPLICA
        assert router.db_for_read(Submission) == REPLICA
    assert router.db_for_read(Submission) is None


def test_writes_always_go_to_the_primary_and_pin_later_reads_of_that_model(replica):
    router = ReplicaRouter()
    with read_replica("export"):
        assert router.db_for_write(Group) == PRIMARY
        assert router.db_for_read(Group) == PRIMARY  # read your own write
        assert router.db_for_read(Submission) == REPLICA  # other models still on the replica


def test_a_write_earlier_in_the_request_keeps_that_model_on_the_primary(replica):
    router = ReplicaRouter()
    router.db_for_write(Submission)
    with read_replica("statistics report"):
        assert router.db_for_read(Submission) == PRIMARY
    db_router.forget_writes()  # the next request (request_started) starts afresh
    with read_replica("statistics report"):
        assert router.db_for_read(Submission) == REPLICA


def test_a_lagging_replica_is_not_used_and_the_choice_is_logged(replica, caplog):
    replica["lag"] = 30.0
    with (override_settings(DATABASE_REPLICA_MAX_LAG=10), caplog.at_level(logging.INFO, "portal.db_router"),
          read_replica("statistics report") as alias):
        assert alias == PRIMARY
        assert ReplicaRouter().db_for_read(Submission) is None
    assert "statistics report on primary (replica 30.0 s behind" in caplog.text


def test_a_replica_that_is_down_falls_back_to_the_primary(replica, caplog):
    replica["lag"] = None
    with caplog.at_level(logging.INFO, "portal.db_router"), read_replica("export") as alias:
        assert alias == PRIMARY
    assert "export on primary (replica unreachable)" in caplog.text


def test_the_lag_is_measured_once_per_interval(replica):
    with override_settings(DATABASE_REPLICA_CHECK_SECONDS=5):
        for _ in range(3):
            with read_replica():
                pass
        assert replica["measured"] == 1
        replica["clock"].now += 5
        replica["lag"] = 60.0
        with read_replica() as alias:
            assert alias == PRIMARY
        assert replica["measured"] == 2


def test_on_replica_runs_again_on_the_primary_when_the_replica_breaks(replica, monkeypatch):
    monkeypatch.setattr(db_router, "_replica_broke", lambda: True)
    seen = []

    def report():
        alias = ReplicaRouter().db_for_read(Submission) or PRIMARY
        seen.append(alias)
        if alias == REPLICA:
            raise OperationalError("server closed the connection unexpectedly")
        return "rows"

    assert on_replica(report, purpose="statistics report") == "rows"
    assert seen == [REPLICA, PRIMARY]
    # Marked down: the next block goes straight to the primary until the next check.
    with read_replica() as alias:
        assert alias == PRIMARY


def test_on_replica_does_not_hide_errors_of_the_query_itself(replica, monkeypatch):
    monkeypatch.setattr(db_router, "_replica_broke", lambda: False)

    def broken_query():
        raise OperationalError("division by zero")

    with pytest.raises(OperationalError):
        on_replica(broken_query)


def test_the_replica_never_gets_migrations():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "forms_intake") is False
    assert router.allow_migrate(PRIMARY, "forms_intake") is True

