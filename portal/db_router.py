"""Heavy read-only work on the read replica, everything else on the primary (docs/deploy.md, "Read replicas").

Nothing goes to the replica by default. Code that tolerates a few seconds of
replication lag asks for it explicitly, around the reads it makes:

    with read_replica():
        rows = statistics.report(queryset, prefix)

or, where a replica failing in the middle must not cost an error page,
``on_replica(function, *args)``, which runs the function again on the primary
when the replica breaks under it. Inside the block, reads go to the
``replica`` alias when

- an alias named ``replica`` is configured (``DATABASE_REPLICA_URL``),
- it answers and its replay lag is at most ``DATABASE_REPLICA_MAX_LAG`` seconds
  (measured with ``pg_last_xact_replay_timestamp()``, remembered for
  ``DATABASE_REPLICA_CHECK_SECONDS`` so a report costs no extra round trip),
- and the current request (or background task) has not written that model yet:
  a read that follows a write in the same request stays on the primary, so
  nobody reads back something older than what they have just saved.

Writes always go to the primary. Every choice is logged (logger ``portal.db_router``,
no personal data: only the alias and the reason), so "which database served the
report" can be read from the logs. The public pages, the wizard and the queue never
use it: a page rendered from a lagging replica after a publish would be cached as new.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_started
from django.db import DatabaseError, connections
from django_tasks.signals import task_started

REPLICA = "replica"
PRIMARY = "default"

logger = logging.getLogger("portal.db_router")

#: Set inside read_replica() to the alias reads should use (None: the router says nothing).
_read_alias: ContextVar[str | None] = ContextVar("portal_db_read_alias", default=None)
#: Labels of the models written in the current request or task ("read your own writes").
_written: ContextVar[frozenset] = ContextVar("portal_db_written", default=frozenset())


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 10))


def check_interval() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 5))


# --- replication lag --------------------------------------------------------------------------

#: Seconds behind the primary; 0 when everything received has been replayed (an idle primary
#: writes nothing, and the last replayed transaction's age would then look like lag).
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def measure_lag(alias=REPLICA) -> float | None:
    """The replica's replay lag in seconds, 0.0 for a database that cannot tell (SQLite), None if it is down."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
        if connection.vendor != "postgresql":
            return 0.0
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError:
        # A replica that stopped leaves a broken connection behind: close it, the next check reconnects.
        with contextlib.suppress(DatabaseError):
            connection.close()
        return None


class LagCheck:
    """The replica's health, measured at most once per interval per process (thread-safe)."""

    def __init__(self, measure=measure_lag, clock=time.monotonic):
        self.measure = measure
        self.clock = clock
        self._lock = threading.Lock()
        self._checked_at = None
        self._lag = None

    def lag(self) -> float | None:
        with self._lock:
            now = self.clock()
            if self._checked_at is None or now - self._checked_at >= check_interval():
                self._lag = self.measure()
                self._checked_at = now
            return self._lag

    def mark_down(self):
        """The replica just failed a query: treat it as down until the next check is due."""
        with self._lock:
            self._lag = None
            self._checked_at = self.clock()

    def reset(self):
        with self._lock:
            self._checked_at = None
            self._lag = None


lag_check = LagCheck()


def choose_alias(purpose: str) -> str:
    """The alias for read-only work `purpose` (logged with the reason), replica when it is fit for it."""
    if not replica_configured():
        return PRIMARY
    lag = lag_check.lag()
    if lag is None:
        logger.warning("db_router: %s on primary (replica unreachable)", purpose)
        return PRIMARY
    if lag > max_lag():
        logger.warning("db_router: %s on primary (replica %.1f s behind, limit %.0f s)", purpose, lag, max_lag())
        return PRIMARY
    logger.info("db_router: %s on replica (%.1f s behind)", purpose, lag)
    return REPLICA


@contextlib.contextmanager
def read_replica(purpose: str = "read-only work"):
    """Within the block, reads go to the replica when it is up and close enough (see the module docstring).

    Yields the alias chosen. Nesting keeps the outer choice.
    """
    if _read_alias.get() is not None:
        yield _read_alias.get()
        return
    alias = choose_alias(purpose)
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def on_replica(function, *args, purpose: str = "read-only work", **kwargs):
    """function(*args, **kwargs) inside read_replica(); run again on the primary if the replica fails under it.

    For read-only functions only (they may run twice).
    """
    with read_replica(purpose) as alias:
        if alias != REPLICA:
            return function(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except DatabaseError as error:
            if not _replica_broke():
                raise
            logger.warning("db_router: %s failed on replica (%s); again on primary", purpose, type(error).__name__)
            lag_check.mark_down()
    token = _read_alias.set(PRIMARY)
    try:
        return function(*args, **kwargs)
    finally:
        _read_alias.reset(token)


def _replica_broke() -> bool:
    """Whether the replica's connection is unusable now (as opposed to an error in the query itself)."""
    connection = connections[REPLICA]
    broken = connection.connection is None or not connection.is_usable()
    if broken:
        with contextlib.suppress(DatabaseError):
            connection.close()
    return broken


# --- the router ----------------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads inside read_replica() to the replica, all writes to the primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None or alias == PRIMARY:
            return None
        if model._meta.label in _written.get():
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        _written.set(_written.get() | {model._meta.label})
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (the replica is a copy of the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is read-only: it gets the schema by replication.
        return db != REPLICA


def forget_writes(**_kwargs):
    """A new request or background task starts: nothing written yet."""
    _written.set(frozenset())


request_started.connect(forget_writes, dispatch_uid="portal_db_router_request")
task_started.connect(forget_writes, dispatch_uid="portal_db_router_task")
