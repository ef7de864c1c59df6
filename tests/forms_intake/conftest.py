"""Fixtures of the registration wizard tests."""

import pytest

from tests.home.site_fixture import seeded_for_module

from .wizard_support import load_test_site


@pytest.fixture(scope="module")
def registration_site_for_module(django_db_setup, django_db_blocker):
    """The registration site seeded once for the tests of a module (tests/home/site_fixture.py)."""
    with seeded_for_module(django_db_blocker, load_test_site):
        yield


@pytest.fixture
def registration_site(registration_site_for_module, db):
    """Home page, /register/ and /status/ in both languages, with a subset of the divisions."""


@pytest.fixture
def committed_registration_site(transactional_db):
    """The same site committed, for a transactional test (threads or a live server see it)."""
    load_test_site()
