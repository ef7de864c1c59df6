"""Progress and the coverage rate: counts of the comparison plus the roster, live; scope; drill-down."""

import pytest
from django.urls import reverse

from forms_intake.models import RosterEntry, Submission
from forms_intake.services import coverage, roster, visits
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff

from .roster_support import VILLAGE_A1, VILLAGE_A2, insure, person, population_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(db):
    """文艺路街道: 6 insured, 4 unregistered (on the roster), 1 deceased; 五里牌街道: 2 insured."""
    make_divisions()
    batch = population_import()
    STAGED.clear()
    for i in range(6):
        insure(_stage(batch, residence=VILLAGE_A1 if i % 2 else VILLAGE_A2))
    for _ in range(4):
        _stage(batch, residence=VILLAGE_A1)
    _stage(batch, life_event="deceased")
    for _ in range(2):
        insure(_stage(batch, residence=TOWNSHIP_B + "001"))
    roster.compare()
    return make_staff("clerk_c", roles.HANDLER, [TOWNSHIP_A])


#: What the fixture staged: (ID number, keyword arguments), to stage the same population again.
STAGED = []


def _stage(batch, **kwargs):
    id_number = person(batch, **kwargs)
    STAGED.append((id_number, kwargs))
    return id_number


def _paper_form(entry):
    """What the clerk completes on the prefilled assisted entry page (the prefill gives the rest)."""
    return {
        "staff-channel": "door_to_door",
        "staff-signed": "on",
        "identity-name": entry.name,
        "identity-id_number": entry.id_number,
        "identity-phone": "13800001234",
        "employment-employment_status": "unemployed",
        "address-hukou_province": "430000",
        "address-hukou_city": "430100",
        "address-hukou_county": "430102",
        "address-residence_province": "430000",
        "address-residence_city": "430100",
        "address-residence_county": "430102",
        "address-residence_town": TOWNSHIP_A,
        "address-residence_village": "韶山路社区",
        "reason-not_insured_reason": "personal",
        "reason-service_bank": "icbc",
        "unit-unit_type": "community",
        "unit-unit_name": "",
        "save": "1",
    }


def test_the_township_rate_is_insured_plus_registered_over_the_living_population(township):
    total = coverage.progress(township, TOWNSHIP_A)
    assert (total.population, total.insured, total.registered, total.to_visit) == (10, 6, 0, 4)
    assert total.rate == 60.0
    villages = {row.code: row for row in total.children}
    assert villages[VILLAGE_A1].population == 7 and villages[VILLAGE_A1].to_visit == 4
    assert villages[VILLAGE_A2].rate == 100.0


def test_an_on_the_spot_registration_raises_the_coverage_rate_and_links_the_submission(client, township):
    client.force_login(township)
    before = coverage.progress(township, TOWNSHIP_A).rate
    entry = RosterEntry.objects.filter(queue_code=TOWNSHIP_A).first()
    url = reverse("forms_intake_submission:add") + f"?roster={entry.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["staff_form"].initial["channel"] == Submission.Channel.DOOR_TO_DOOR
    response = client.post(url, _paper_form(entry))
    assert response.status_code == 302
    entry.refresh_from_db()
    submission = Submission.objects.get(id_number_hash=entry.id_number_hash)
    assert entry.status == RosterEntry.Status.REGISTERED and entry.submission == submission
    assert submission.channel == Submission.Channel.DOOR_TO_DOOR
    after = coverage.progress(township, TOWNSHIP_A)
    assert after.rate == 70.0 > before and after.registered == 1 and after.settled == 1
    # The next population file (the whole township again) counts the person once, still as registered.
    batch = population_import()
    for id_number, kwargs in STAGED:
        person(batch, id_number, **kwargs)
    roster.compare()
    assert coverage.progress(township, TOWNSHIP_A).rate == 70.0


def test_a_visit_that_finds_the_person_deceased_takes_them_out_of_the_population(township):
    entry = RosterEntry.objects.filter(queue_code=TOWNSHIP_A).first()
    visits.record_visit(entry, "deceased", township)
    total = coverage.progress(township, TOWNSHIP_A)
    assert (total.population, total.settled, total.visited) == (9, 1, 1)
    assert total.rate == round(6 * 100 / 9, 1)


def test_the_coverage_page_shows_the_clerks_divisions_only_and_drills_down(client, township):
    client.force_login(township)
    page = client.get(reverse("forms_intake_coverage"))
    assert page.status_code == 200 and page.context["parent"] == TOWNSHIP_A
    assert {row.code for row in page.context["rows"]} == {VILLAGE_A1, VILLAGE_A2}
    # Another township or the whole county is out of scope: the clerk's own township is shown instead.
    for division in (TOWNSHIP_B, "430102", "43"):
        assert client.get(reverse("forms_intake_coverage") + f"?division={division}").context["parent"] == TOWNSHIP_A
    county = make_staff("county_c", roles.HANDLER, ["430102"])
    client.force_login(county)
    page = client.get(reverse("forms_intake_coverage") + "?division=430102")
    rows = {row.code: row for row in page.context["rows"]}
    assert set(rows) == {TOWNSHIP_A, TOWNSHIP_B}
    assert rows[TOWNSHIP_B].rate == 100.0 and page.context["total"].population == 12
    assert f"?division={TOWNSHIP_A}" in page.content.decode()


def test_the_dashboard_and_the_statistics_report_show_the_coverage_rate_of_the_clerks_divisions(client, township):
    client.force_login(township)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "60.0%" in home and "data-dashboard-coverage" in home
    report = client.get(reverse("forms_intake_statistics_results")).content.decode()
    assert "data-report-coverage" in report and "60.0%" in report
    assert reverse("forms_intake_coverage") + f"?division={TOWNSHIP_A}" in report
