"""Routing rules: which queue a submission lands in (forms_intake.routing)."""

import pytest

from forms_intake.rules import routing
from tests.forms_intake.moderation_support import build_submission, make_divisions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def divisions():
    return make_divisions()


def test_community_unit_routes_to_its_township():
    submission = build_submission(unit_type="community", unit_division="430102002")
    assert routing.route_submission(submission) == "430102002"


def test_community_unit_without_address_uses_the_residence_township():
    submission = build_submission(unit_type="community", unit_division=None, residence_division="430104001")
    assert routing.route_submission(submission) == "430104001"


def test_employer_in_hunan_routes_to_the_employer_township():
    submission = build_submission(unit_type="employer", unit_division="430104001", unit_name="某公司")
    assert routing.route_submission(submission) == "430104001"


def test_employer_in_hunan_without_township_routes_to_the_county():
    submission = build_submission(unit_type="employer", unit_division="430406")
    assert routing.route_submission(submission) == "430406"


def test_employer_in_hunan_known_only_to_the_city_goes_to_the_provincial_queue():
    submission = build_submission(unit_type="employer", unit_division="430100", residence_division="430102001")
    assert routing.route_submission(submission) == routing.UNASSIGNED_QUEUE


def test_resident_outside_hunan_with_hunan_hukou_routes_to_the_hukou_county():
    submission = build_submission(
        unit_type="employer", unit_division="440106001", residence_division="440106001", hukou_division="430406"
    )
    assert routing.route_submission(submission) == "430406"


def test_resident_outside_hunan_with_other_hukou_goes_to_the_provincial_queue():
    submission = build_submission(
        unit_type="employer", unit_division="440106001", residence_division="440106001", hukou_division="440106"
    )
    assert routing.route_submission(submission) == "43"


def test_employer_outside_hunan_for_a_hunan_resident_goes_to_the_provincial_queue():
    submission = build_submission(unit_type="employer", unit_division="440106001", residence_division="430102001")
    assert routing.route_submission(submission) == routing.UNASSIGNED_QUEUE


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("430000", "43"), ("430100", "4301"), ("430102", "430102"), ("430102001", "430102001"), ("43", "43")],
)
def test_scope_prefix(code, prefix):
    assert routing.scope_prefix(code) == prefix
