"""Suspect flags (疑点信息) computed when a submission arrives (forms_intake.flags)."""

from datetime import date

import pytest

from forms_intake.models import Division
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import flags
from tests.forms_intake.moderation_support import build_submission, make_divisions, make_id_number, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def divisions():
    return make_divisions()


def test_a_clean_submission_has_no_flags():
    submission = build_submission()
    assert flags.apply_flags(submission) == []
    assert submission.has_flags is False


def test_same_id_as_an_open_or_completed_submission():
    first = make_submission(id_number=make_id_number(sequence=501))
    second = build_submission(id_number=make_id_number(sequence=501))
    assert "flag_duplicate_id" in flags.apply_flags(second)
    assert second.has_flags
    # A rejected earlier submission does not count.
    first.status = SubmissionStatus.REJECTED
    first.save()
    assert "flag_duplicate_id" not in flags.apply_flags(second)


def test_a_submission_is_not_its_own_duplicate():
    saved = make_submission()
    assert "flag_duplicate_id" not in flags.apply_flags(saved)


def test_employment_status_impossible_for_the_age():
    child = build_submission(birth_date=date(2020, 1, 1), employment_status="employed_in_province")
    assert "flag_age_status" in flags.apply_flags(child)
    pupil = build_submission(birth_date=date(2015, 1, 1), employment_status="student")
    assert "flag_age_status" not in flags.apply_flags(pupil)


def test_id_region_outside_the_hukou_province():
    submission = build_submission(id_number=make_id_number(region="440106"), hukou_division="430102")
    assert "flag_region_mismatch" in flags.apply_flags(submission)


def test_proxy_id_equal_to_registrant_id():
    number = make_id_number(sequence=321)
    submission = build_submission(
        id_number=number, is_proxy_filing=True, proxy_name="李四", proxy_id_number=number, proxy_relationship="child"
    )
    assert "flag_proxy_is_registrant" in flags.apply_flags(submission)
    other = build_submission(is_proxy_filing=True, proxy_id_number=make_id_number(sequence=322))
    assert "flag_proxy_is_registrant" not in flags.apply_flags(other)


def test_one_phone_number_on_many_submissions():
    phone = "+8613900001111"
    for sequence in range(flags.SHARED_PHONE_THRESHOLD - 1):
        make_submission(phone=phone, id_number=make_id_number(sequence=600 + sequence))
    third = build_submission(phone=phone, id_number=make_id_number(sequence=650))
    assert "flag_shared_phone" in flags.apply_flags(third)


def test_two_submissions_on_one_phone_are_not_suspect():
    phone = "+8613900002222"
    make_submission(phone=phone, id_number=make_id_number(sequence=700))
    second = build_submission(phone=phone, id_number=make_id_number(sequence=701))
    assert "flag_shared_phone" not in flags.apply_flags(second)


def test_id_county_code_not_in_the_division_table():
    historical = build_submission(id_number=make_id_number(region="432301"))  # a merged county
    assert "flag_unknown_county" in flags.apply_flags(historical)


def test_unknown_county_is_not_raised_before_divisions_are_loaded():
    submission = build_submission(id_number=make_id_number(region="432301"))
    Division.objects.filter(level=Division.Level.COUNTY).update(level=Division.Level.TOWNSHIP)
    assert "flag_unknown_county" not in flags.apply_flags(submission)
