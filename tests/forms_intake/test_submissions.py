"""Building and storing submissions from answers (the API staff entry reuses)."""

import pytest

from forms_intake.models import Division, Submission
from forms_intake.rules.reference import is_valid_reference_number
from forms_intake.services import divisions
from forms_intake.services.submissions import answers_from_steps, build_submission, create_submission

from .wizard_support import ADULT_ID, CHILD_ID, FURONG, FURONG_TOWN, PARENT_ID, subset_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers():
    divisions.load_divisions(subset_rows())
    return {
        "name": "张三", "id_number": ADULT_ID, "phone": "+8613812345678",
        "employment_status": "unemployed", "hukou_division": FURONG, "residence_division": FURONG_TOWN,
        "residence_village": "八一路社区", "not_insured_reason": "personal", "service_bank": "icbc",
        "unit_type": "community", "unit_name": "八一路社区", "unit_division": FURONG_TOWN,
    }


def test_build_submission_derives_birth_date_gender_hashes_masks_queue_and_flags(answers):
    submission = build_submission(answers, channel=Submission.Channel.COUNTER)
    assert submission.pk is None
    assert submission.birth_date.isoformat() == "1990-01-01" and submission.gender == "M"
    assert submission.id_number_hash and submission.phone_hash
    assert submission.id_number_masked.startswith("430102********")
    assert submission.hukou_division == Division.objects.get(code=FURONG)
    assert submission.queue_code == FURONG_TOWN
    assert submission.channel == "counter"


def test_create_submission_is_idempotent_per_key(answers):
    first, created = create_submission(answers, idempotency_key="k1")
    again, created_again = create_submission(answers, idempotency_key="k1")
    assert created and not created_again and first.pk == again.pk
    other, _ = create_submission(answers, idempotency_key="k2")
    assert other.pk != first.pk and other.flag_duplicate_id
    assert is_valid_reference_number(first.reference) and first.reference != other.reference


def test_answers_from_steps_ignores_a_skipped_proxy_step():
    steps = {
        "filer": {"filing_for": "self"},
        "identity": {"name": "张三", "id_number": CHILD_ID, "phone": "+8613812345678"},
        "proxy": {"proxy_name": "李大明", "proxy_id_number": PARENT_ID},
        "unit": {"unit_type": "community", "unit_name": ""},
        "address": {"residence_village": "八一路社区"},
    }
    answers = answers_from_steps(steps)
    assert answers["is_proxy_filing"] is False
    assert answers["proxy_name"] == "" and answers["proxy_id_number"] == ""
    assert answers["unit_village"] == "八一路社区"
