"""Seeded sites shared by the tests of one module (seeding takes seconds; most tests only read it).

The content is loaded inside a transaction that is rolled back when the module
ends; each test's own `db` transaction nests inside it as a savepoint, so tests
still cannot see each other's changes. Uploads go to a temporary folder on disk:
Wagtail serves documents from the file system (the in-memory storage of the test
settings reports paths where no file exists).

A transactional test (live server, threads) cannot nest in that transaction: it
seeds its own committed copy instead (see `registration_site` in the conftests).

On PostgreSQL a worker seeds each kind of site once: the seeded tables are copied out (COPY, binary)
before the first module's rollback, and the next module gets them back by TRUNCATE and COPY inside its
own transaction, with the same rows and ids (a seed costs PostgreSQL 16-23 s, mostly wagtail-localize's
per-segment queries; the copy back well under a second). Triggers stay off while the rows go back in
(`session_replication_role`, a superuser's setting, as CI's `postgres` user has): the rows are the
triggers' results already. SQLite, or a role that may not set it, seeds every module as before.
"""

import contextlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings

from forms_intake.services import divisions

FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@contextlib.contextmanager
def seeded_for_module(django_db_blocker, load):
    """Run `load()` in a transaction kept open until the block ends, then rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed(load)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


#: The seeded tables of each kind of site (per `load` function), in this worker: {table: COPY data}.
_SNAPSHOTS = {}
_KEPT_TABLES = ("django_migrations",)


def seed(load):
    """`load()`, or on PostgreSQL the copy of what it wrote that this worker kept the first time."""
    if not _restore_snapshot(load):
        load()
        _take_snapshot(load)


def seed_committed(load):
    """`seed(load)` for a transactional test: committed, with what the seed's on-commit callbacks do
    (search index, translation sync), which a rolled-back module seed never runs: its own copy."""
    key = ("committed", load)
    with transaction.atomic():
        if _restore_snapshot(key):
            return
    with transaction.atomic():
        load()
    with transaction.atomic():
        _take_snapshot(key)


def _snapshots_possible():
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _take_snapshot(load):
    if not _snapshots_possible():
        return
    tables = [name for name in connection.introspection.table_names() if name not in _KEPT_TABLES]
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables:
            with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                snapshot[table] = b"".join(bytes(chunk) for chunk in copy)
    _SNAPSHOTS[load] = snapshot


def _restore_snapshot(load):
    """Put the seeded tables back (inside the module's transaction); False when there is no snapshot."""
    snapshot = _SNAPSHOTS.get(load)
    if snapshot is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in snapshot))
        for table, data in snapshot.items():
            with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                copy.write(data)
        cursor.execute("SET LOCAL session_replication_role = origin")
        # Ids go on after the seeded rows' (a flush by a transactional test may have reset nothing, or all).
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    # A seed's writes tell the caches (signals, generations); rows copied back tell nothing, so forget
    # what this worker's caches learnt from an earlier module's data.
    for cache in caches.all():
        cache.clear()
    divisions.invalidate_index()  # checked against the cache only once a minute
    return True


def load_public_site():
    # Each app seeds its own part, as `make run` does: public content, then registration.
    for command in ("load_portal_content", "load_registration_content"):
        call_command(command, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def site_media(tmp_path_factory):
    """The seeded site's uploads: one folder per worker, as its seeded rows may be copied back (above)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def public_site(django_db_setup, django_db_blocker, site_media):
    media = site_media
    uploads = override_settings(MEDIA_ROOT=str(media), STORAGES={**settings.STORAGES, "default": FILE_STORAGE})
    with uploads, seeded_for_module(django_db_blocker, load_public_site):
        yield


@pytest.fixture
def media_on_disk(settings, site_media):
    """For browser tests: uploads on disk, so that document downloads work, in the folder of the seeded
    site's files (its rows may be this worker's copy, above)."""
    settings.MEDIA_ROOT = str(site_media)
    settings.STORAGES = {**settings.STORAGES, "default": FILE_STORAGE}
    return site_media
