"""A background worker outlives a database outage (PgBouncer or PostgreSQL restarted under it)."""

import pytest
from django.db import InterfaceError, OperationalError

from portal.jobs.management.commands.jobs_worker import run_through_outages


def test_the_worker_polls_again_after_database_errors_and_ends_when_its_loop_ends():
    calls, pauses = [], []

    def worker_loop():
        calls.append(len(calls))
        if len(calls) == 1:
            raise OperationalError("connection refused")
        if len(calls) == 2:
            raise InterfaceError("connection already closed")
        return "stopped by SIGTERM"

    assert run_through_outages(worker_loop, pause=2.0, sleep=pauses.append) == "stopped by SIGTERM"
    assert len(calls) == 3
    assert pauses == [2.0, 2.0]


def test_other_errors_still_end_the_worker():
    def worker_loop():
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        run_through_outages(worker_loop, sleep=lambda _seconds: None)
