"""A seeded site shared by the tests of one module (seeding takes seconds; most tests only read it).

The content is loaded inside a transaction that is rolled back when the module
ends; each test's own `db` transaction nests inside it as a savepoint, so tests
still cannot see each other's changes. Uploads go to a temporary folder on disk:
Wagtail serves documents from the file system (the in-memory storage of the test
settings reports paths where no file exists).
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.fixture(scope="module")
def public_site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(media), STORAGES={**settings.STORAGES, "default": FILE_STORAGE}):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                # Each app seeds its own part, as `make run` does: public content, then registration.
                for command in ("load_portal_content", "load_registration_content"):
                    call_command(command, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        yield
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def media_on_disk(settings, tmp_path):
    """For browser tests: uploads in a temporary folder, so that document downloads work."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": FILE_STORAGE}
    return tmp_path
