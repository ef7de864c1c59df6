"""A seeded site shared by the tests of one module (seeding takes seconds; most tests only read it).

The content is loaded inside a transaction that is rolled back when the module
ends; each test's own `db` transaction nests inside it as a savepoint, so tests
still cannot see each other's changes.
"""

import os

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def public_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
