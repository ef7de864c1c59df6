"""Seeded sites shared by the tests of one module (seeding takes seconds; most tests only read it).

The content is loaded inside a transaction that is rolled back when the module
ends; each test's own `db` transaction nests inside it as a savepoint, so tests
still cannot see each other's changes. Uploads go to a temporary folder on disk:
Wagtail serves documents from the file system (the in-memory storage of the test
settings reports paths where no file exists).

A transactional test (live server, threads) cannot nest in that transaction: it
seeds its own committed copy instead (see `registration_site` in the conftests).
"""

import contextlib
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@contextlib.contextmanager
def seeded_for_module(django_db_blocker, load):
    """Run `load()` in a transaction kept open until the block ends, then rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load()
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


def load_public_site():
    # Each app seeds its own part, as `make run` does: public content, then registration.
    for command in ("load_portal_content", "load_registration_content"):
        call_command(command, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="module")
def public_site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    uploads = override_settings(MEDIA_ROOT=str(media), STORAGES={**settings.STORAGES, "default": FILE_STORAGE})
    with uploads, seeded_for_module(django_db_blocker, load_public_site):
        yield


@pytest.fixture
def media_on_disk(settings, tmp_path):
    """For browser tests: uploads in a temporary folder, so that document downloads work."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": FILE_STORAGE}
    return tmp_path
