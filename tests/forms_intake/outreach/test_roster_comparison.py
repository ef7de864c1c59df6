"""The comparison (seed item 17): population minus insured minus registered → the roster; counts for the rest."""

from unittest import mock

import pytest
from django.urls import reverse

from forms_intake.models import CoverageCount, PopulationRecord, RosterEntry, Submission, SubmissionInsurance, Visit
from forms_intake.rules import crypto
from forms_intake.rules.personal_data import id_hash, mask_id_number, mask_phone
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import imports, roster
from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

from .conftest import FIXTURES
from .roster_support import VILLAGE_A1, insure, person, population_import, roster_entry

pytestmark = pytest.mark.django_db

Status = RosterEntry.Status


@pytest.fixture(autouse=True)
def divisions(db):
    make_divisions()


def _entry(id_number):
    return RosterEntry.objects.filter(id_number_hash=id_hash(id_number)).first()


def _counts(village=VILLAGE_A1, township=TOWNSHIP_A):
    return CoverageCount.objects.get(division_code=township, village_code=village)


def test_an_unregistered_person_lands_on_the_roster_of_the_residence_township_and_village():
    batch = population_import()
    id_number = person(batch, name="王小五", phone="+8613900002222")
    counts = roster.compare()
    entry = _entry(id_number)
    assert entry is not None and entry.status == Status.TO_VISIT
    assert (entry.queue_code, entry.village_code) == (TOWNSHIP_A, VILLAGE_A1)
    assert entry.name == "王小五" and entry.id_number == id_number and entry.phone == "+8613900002222"
    assert entry.id_number_masked == id_number[:6] + "********" + id_number[-4:]
    assert entry.phone_masked == "139****2222"
    assert entry.residence_address == "韶山路 12 号"
    assert counts["unregistered"] == 1 and counts["population_rows"] == 1


def test_actively_insured_people_are_counted_not_kept_and_suspended_ones_are_not_insured():
    batch = population_import()
    insured = person(batch)
    suspended = person(batch)
    insure(insured)
    insure(suspended, status="suspended")
    roster.compare()
    assert _entry(insured) is None
    assert _entry(suspended) is not None
    assert _counts().insured == 1 and _counts().population == 1


def test_registered_people_are_counted_not_kept_but_a_rejected_registration_does_not_count():
    batch = population_import()
    registered, rejected = person(batch), person(batch)
    make_submission(id_number=registered)
    make_submission(id_number=rejected, status=SubmissionStatus.REJECTED)
    roster.compare()
    assert _entry(registered) is None
    assert _entry(rejected) is not None
    assert _counts().registered == 1


def test_deceased_and_moved_out_people_are_counted_not_kept_whichever_source_reports_them():
    police, civil = population_import("police"), population_import("civil_affairs")
    dead = person(police)
    person(civil, dead, life_event="deceased")  # the same person, reported dead by civil affairs
    moved = person(police, life_event="moved_out")
    counts = roster.compare()
    assert _entry(dead) is None and _entry(moved) is None
    assert _counts().deceased_or_moved == 2 and _counts().population == 0
    assert counts["people"] == 2  # one person however many files name them


def test_residence_outside_hunan_goes_to_the_hukou_township_and_a_county_code_to_the_county():
    batch = population_import()
    away = person(batch, residence="440106001001", hukou="430102002005")
    county = person(batch, residence="430104000000", hukou="")
    nowhere = person(batch, residence="440106", hukou="")
    roster.compare()
    assert (_entry(away).queue_code, _entry(away).village_code) == (TOWNSHIP_B, "430102002005")
    assert (_entry(county).queue_code, _entry(county).village_code) == ("430104", "")
    assert _entry(nowhere).queue_code == "43"  # the provincial 待分派 queue


def test_the_staged_rows_are_deleted_but_a_running_import_is_left_alone():
    done = population_import()
    person(done)
    running = population_import()
    running.state = "running"
    running.save()
    waiting = person(running)
    roster.compare()
    assert list(PopulationRecord.objects.values_list("data_import_id", flat=True)) == [running.pk]
    assert _entry(waiting) is None


def test_recomputation_keeps_visit_history_and_status_and_refreshes_an_open_entry():
    first = population_import()
    id_number = person(first, address="旧地址 1 号")
    roster.compare()
    entry = _entry(id_number)
    Visit.objects.create(entry=entry, outcome=Visit.Outcome.NOT_MET)
    RosterEntry.objects.filter(pk=entry.pk).update(status=Status.REVISIT, visit_count=1)

    second = population_import()
    person(second, id_number, address="新地址 2 号")
    roster.compare()
    again = _entry(id_number)
    assert again.pk == entry.pk
    assert (again.status, again.visit_count, again.visits.count()) == (Status.REVISIT, 1, 1)
    assert again.residence_address == "新地址 2 号"
    assert RosterEntry.objects.count() == 1


def test_an_entry_settled_by_a_visit_keeps_its_outcome_when_the_data_still_list_the_person():
    entry = roster_entry(status=Status.REFUSED, visit_count=2)
    batch = population_import()
    person(batch, entry.id_number, address="别的地址")
    roster.compare()
    entry.refresh_from_db()
    assert entry.status == Status.REFUSED and entry.residence_address == "韶山路 1 号"


@pytest.mark.parametrize(
    "becomes, status", [("insured", Status.INSURED), ("registered", Status.REGISTERED), ("deceased", Status.DECEASED)]
)
def test_an_entry_whose_person_is_now_covered_is_settled_and_minimised(becomes, status):
    entry = roster_entry(phone="+8613900003333", phone_masked="139****3333", visit_count=1)
    Visit.objects.create(entry=entry, outcome=Visit.Outcome.AWAY)
    batch = population_import()
    person(batch, entry.id_number, life_event="deceased" if becomes == "deceased" else "")
    if becomes == "insured":
        insure(entry.id_number)
    if becomes == "registered":
        make_submission(id_number=entry.id_number)
    counts = roster.compare()
    entry.refresh_from_db()
    assert entry.status == status
    assert (entry.name, entry.id_number, entry.phone, entry.phone_masked, entry.residence_address) == ("",) * 5
    assert entry.birth_date is None and entry.id_number_hash and entry.id_number_masked
    assert entry.visits.count() == 1  # the history stays
    assert counts["settled"] == 1
    # Counted once: through the entry, not again in the coverage counts.
    assert not CoverageCount.objects.filter(insured__gt=0).exists()
    assert not CoverageCount.objects.filter(registered__gt=0).exists()


def test_an_entry_settled_as_insured_reopens_when_the_insurance_ends():
    entry = roster_entry()
    batch = population_import()
    person(batch, entry.id_number)
    insured = insure(entry.id_number)
    roster.compare()
    insured.status = "terminated"
    insured.save()
    again = population_import()
    person(again, entry.id_number, name="赵六")
    roster.compare()
    entry.refresh_from_db()
    assert entry.status == Status.TO_VISIT and entry.name == "赵六" and entry.id_number


def test_a_new_batch_replaces_the_counts_of_its_townships_only():
    first = population_import()
    insure(person(first))
    insure(person(first, residence="430102002001"))
    roster.compare()
    second = population_import()
    person(second)  # 文艺路街道 again: one unregistered person, nobody insured
    roster.compare()
    assert not CoverageCount.objects.filter(division_code=TOWNSHIP_A).exists()
    assert CoverageCount.objects.get(division_code=TOWNSHIP_B).insured == 1


def test_submissions_of_insured_people_get_the_already_insured_flag_with_type_and_place():
    insured = make_submission(id_number=make_id_number(sequence=771))
    other = make_submission()
    insure(insured.id_number, insurance_type="employee_pension", place="430104")
    insure(insured.id_number, insurance_type="employee_medical", place="430104")
    counts = roster.compare()
    insured.refresh_from_db()
    other.refresh_from_db()
    assert insured.flag_already_insured and insured.has_flags
    assert not other.flag_already_insured
    assert set(
        SubmissionInsurance.objects.filter(submission=insured).values_list("insurance_type", "insured_place")
    ) == {("employee_pension", "430104"), ("employee_medical", "430104")}
    assert counts["submissions_flagged"] == 1
    roster.compare()  # idempotent
    assert SubmissionInsurance.objects.filter(submission=insured).count() == 2


def test_the_flag_is_cleared_when_the_insurance_is_no_longer_active():
    submission = make_submission()
    record = insure(submission.id_number)
    roster.compare()
    record.status = "terminated"
    record.save()
    counts = roster.compare()
    submission.refresh_from_db()
    assert not submission.flag_already_insured
    assert submission.has_flags == any(getattr(submission, f) for f in roster.FLAG_FIELDS)
    assert counts["submissions_cleared"] == 1
    assert not SubmissionInsurance.objects.filter(submission=submission).exists()


def test_a_new_submission_of_an_insured_person_is_flagged_on_arrival():
    id_number = make_id_number(sequence=777)
    insure(id_number)
    submission = make_submission(id_number=id_number)
    assert submission.flag_already_insured and submission.has_flags
    assert Submission.objects.filter(flag_already_insured=True).count() == 1


def test_the_detail_page_shows_the_insurance_found_to_staff_of_the_division_only(client):
    submission = make_submission(id_number=make_id_number(sequence=772))
    insure(submission.id_number, insurance_type="employee_pension", place="430104")
    roster.compare()
    url = reverse("forms_intake_submission:inspect", args=[submission.pk])
    client.force_login(make_staff("clerk_flag", roles.HANDLER, [TOWNSHIP_A]))
    page = client.get(url).content.decode()
    assert "企业职工基本养老保险" in page and "430104" in page and "data-insurance-found" in page
    client.force_login(make_staff("clerk_other", roles.HANDLER, [TOWNSHIP_B]))
    assert client.get(url).status_code == 404


def test_an_imported_file_reaches_the_roster_masked_without_decrypting_and_older_staged_rows_are_masked_too():
    imports.import_file(FIXTURES / "population_sample_gb18030.csv", kind="population", source="police")
    imported = RosterEntry.objects.count()
    with mock.patch.object(crypto, "decrypt", wraps=crypto.decrypt) as decrypt:
        counts = roster.compare()
    assert decrypt.call_count == 0 and counts["masked"] == 0
    entries = list(RosterEntry.objects.all())
    assert len(entries) > imported and any(entry.phone for entry in entries)
    for entry in entries:
        assert entry.id_number_masked == mask_id_number(entry.id_number)
        assert entry.phone_masked == (mask_phone(entry.phone) if entry.phone else "")
    # A row staged without masks (before they were stored) is masked by the comparison.
    number = person(population_import(), phone="+8613900002222")
    assert roster.compare()["masked"] == 1
    staged = _entry(number)
    assert (staged.id_number_masked, staged.phone_masked) == (mask_id_number(number), "139****2222")
