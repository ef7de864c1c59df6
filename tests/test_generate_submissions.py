"""generate_submissions: rows exactly like the wizard stores (COPY on PostgreSQL, bulk_create on SQLite)."""

import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from forms_intake.models import Division, Submission
from forms_intake.rules import routing
from forms_intake.rules.choices import EmploymentStatus
from forms_intake.rules.eligibility import check_employment_status_for_age
from forms_intake.rules.employer_codes import validate_unified_social_credit_code
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from forms_intake.rules.states import SubmissionStatus
from forms_intake.rules.validators import parse_resident_id
from forms_intake.services import flags
from forms_intake.services.divisions import load_divisions

pytestmark = pytest.mark.django_db

# A few real divisions (codes and names from the official data), enough to route by every rule.
DIVISION_ROWS = [
    [1, "430000", None, "湖南省"],
    [2, "430100", "430000", "长沙市"],
    [3, "430102", "430100", "芙蓉区"],
    [4, "430102001", "430102", "文艺路街道"],
    [4, "430102002", "430102", "朝阳街道"],
    [3, "430121", "430100", "长沙县"],
    [4, "430121100", "430121", "星沙街道"],
    [2, "430800", "430000", "张家界市"],
    [3, "430811", "430800", "武陵源区"],
    [4, "430811001", "430811", "军地坪街道"],
    [1, "440000", None, "广东省"],
    [2, "440100", "440000", "广州市"],
    [3, "440106", "440100", "天河区"],
    [4, "440106001", "440106", "五山街道"],
]


@pytest.fixture
def divisions():
    load_divisions(rows=DIVISION_ROWS)


def _generate(*args):
    out = io.StringIO()
    call_command("generate_submissions", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def test_rows_are_valid_consistent_and_routed_like_the_wizard_would(divisions):
    output = _generate(400, "--seed", 3, "--workers", 1, "--batch-size", 150)
    assert "Created 400 submissions" in output
    submissions = list(Submission.objects.select_related("hukou_division", "residence_division", "unit_division"))
    assert len(submissions) == 400
    codes = set(Division.objects.values_list("code", flat=True))
    today = date.today()

    for s in submissions:
        # A valid ID number (check digit, real birth date) agreeing with the stored birth date and gender.
        resident = parse_resident_id(s.id_number)
        assert resident.birth_date == s.birth_date
        assert resident.sex == s.gender
        # Hashes and masks exactly as the wizard computes them.
        assert s.id_number_hash == flags.id_hash(s.id_number)
        assert s.phone_hash == flags.phone_hash(s.phone)
        assert s.id_number_masked == mask_id_number(s.id_number)
        assert s.phone_masked == mask_phone(s.phone)
        # Real divisions, and the queue the routing rules give.
        assert {s.hukou_division_id, s.residence_division_id} <= codes
        assert s.queue_code == routing.route_submission(s)
        # Employment fits the age unless the row is flagged for it.
        if not s.flag_age_status:
            check_employment_status_for_age(s.employment_status, _age(s.birth_date, today))
        # Children are registered by a parent.
        if _age(s.birth_date, today) < 18:
            assert s.is_proxy_filing
        if s.is_proxy_filing:
            assert s.proxy_name and s.proxy_relationship
            assert s.proxy_id_number_masked == mask_id_number(s.proxy_id_number)
            assert s.proxy_phone_masked == mask_phone(s.proxy_phone)
        if s.unit_type == Submission.UnitType.EMPLOYER:
            validate_unified_social_credit_code(s.unit_code)
        assert s.has_flags == any(getattr(s, name) for name in flags.FLAG_FIELDS)
        if s.flag_region_mismatch:
            assert flags.region_mismatch(s)
        assert s.status in SubmissionStatus.values
        if s.status != SubmissionStatus.SUBMITTED:
            assert s.handled_at is not None

    statuses = Counter(s.status for s in submissions)
    assert statuses[SubmissionStatus.SUBMITTED] > statuses[SubmissionStatus.REJECTED] > 0
    employment = Counter(s.employment_status for s in submissions)
    assert len(employment) >= 5
    assert employment[EmploymentStatus.STUDENT] > 0
    assert len({s.service_bank for s in submissions}) >= 6
    assert len({s.channel for s in submissions}) == 3
    assert len({s.reference for s in submissions}) == 400
    # Some suspect flags, but not many.
    assert 0 < sum(s.has_flags for s in submissions) < 60


def test_personal_data_is_encrypted_in_the_database(divisions):
    _generate(20, "--workers", 1)
    submission = Submission.objects.first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {Submission._meta.db_table} WHERE id = %s",  # noqa: S608
            [submission.pk],
        )
        raw_id, raw_phone = cursor.fetchone()
    assert submission.id_number not in raw_id
    assert raw_id.startswith("gAAAA")  # a Fernet token
    assert submission.phone not in raw_phone


def test_two_worker_processes_produce_the_same_people_as_one(divisions):
    """The worker pool path (used for a million rows) builds exactly the rows of the single-process path."""
    _generate(120, "--seed", 9, "--workers", 1, "--batch-size", 40)
    single = sorted(Submission.objects.values_list("name", "birth_date", "queue_code"))
    Submission.objects.all().delete()
    _generate(120, "--seed", 9, "--workers", 2, "--batch-size", 40)
    pooled = sorted(Submission.objects.values_list("name", "birth_date", "queue_code"))
    assert pooled == single
    assert Submission.objects.count() == 120


def test_refuses_without_divisions():
    with pytest.raises(CommandError, match="load_divisions"):
        _generate(10)


def test_refuses_under_production_settings_without_the_flag(divisions, settings):
    settings.PORTAL_ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="--allow-production"):
        _generate(10)
    assert Submission.objects.count() == 0
