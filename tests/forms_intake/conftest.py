"""Fixtures of the registration wizard tests."""

import pytest

from .wizard_support import load_test_site


@pytest.fixture
def registration_site(db):
    """Home page, /register/ and /status/ in both languages, with a subset of the divisions."""
    load_test_site()

