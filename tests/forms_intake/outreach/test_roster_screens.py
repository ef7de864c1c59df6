"""The roster screens: scope on every URL (404 across divisions), filters, masking, sheets, the visit form."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from forms_intake.models import PopulationRecord, RosterEntry, Visit
from portal import roles
from portal.jobs.models import Job
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff

from .roster_support import VILLAGE_A1, VILLAGE_A2, person, population_import, roster_entry

pytestmark = pytest.mark.django_db

Status = RosterEntry.Status


@pytest.fixture
def world(db):
    make_divisions()
    own = roster_entry(name="王小明", village=VILLAGE_A1, phone="+8613900004444", phone_masked="139****4444")
    second = roster_entry(name="李四光", village=VILLAGE_A2)
    other = roster_entry(name="外乡人", queue=TOWNSHIP_B, village=TOWNSHIP_B + "001")
    clerk = make_staff("clerk_a", roles.HANDLER, [TOWNSHIP_A])
    return {"own": own, "second": second, "other": other, "clerk": clerk}


def entry_urls(entry):
    return [
        reverse("forms_intake_roster:entry", args=[entry.pk]),
        reverse("forms_intake_submission:add") + f"?roster={entry.pk}",
    ]


def test_the_clerk_sees_the_roster_of_their_township_only_with_names_ids_and_phones_masked(client, world):
    client.force_login(world["clerk"])
    response = client.get(reverse("forms_intake_roster:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王**" in html and "李**" in html and "外**" not in html
    assert "王小明" not in html and "外乡人" not in html
    assert world["own"].id_number not in html and world["own"].id_number_masked in html
    assert "13900004444" not in html and "139****4444" in html


def test_every_entry_url_answers_404_across_divisions_and_for_nonsense_ids(client, world):
    client.force_login(world["clerk"])
    for url in entry_urls(world["other"]) + [
        reverse("forms_intake_roster:entry", args=["x"]),
        reverse("forms_intake_submission:add") + "?roster=abc",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(entry_urls(world["other"])[0], {"outcome": "not_met", "seen_visits": 0}).status_code == 404
    for url in entry_urls(world["own"]):
        assert client.get(url).status_code == 200, url


def test_the_sheets_of_another_division_show_nothing_of_it(client, world):
    client.force_login(world["clerk"])
    village = TOWNSHIP_B + "001"
    for name in ("sheet", "sheet_xlsx"):
        response = client.get(reverse(f"forms_intake_roster:{name}") + f"?village={village}")
        assert response.status_code == 200
        body = response.content if name == "sheet" else _xlsx_text(response.content)
        text = body.decode() if isinstance(body, bytes) else body
        assert "外乡人" not in text and world["other"].id_number_masked not in text


def test_staff_without_the_roster_permission_or_a_division_get_no_roster(client, world):
    editor = make_staff("editor_x", roles.EDITOR, [TOWNSHIP_A])
    nowhere = make_staff("clerk_none", roles.HANDLER, [])
    for user in (editor, nowhere):
        client.force_login(user)
        for url in [
            reverse("forms_intake_roster:index"),
            reverse("forms_intake_roster:sheet"),
            reverse("forms_intake_roster:sheet_xlsx"),
            reverse("forms_intake_coverage"),
        ]:
            assert client.get(url).status_code in (302, 403), (user, url)
        assert client.get(entry_urls(world["own"])[0]).status_code == 404


def test_filters_by_village_status_and_visits_and_ignore_bad_values(client, world):
    RosterEntry.objects.filter(pk=world["second"].pk).update(status=Status.REVISIT, visit_count=1)
    client.force_login(world["clerk"])
    index = reverse("forms_intake_roster:index")

    def names(query):
        response = client.get(index + query)
        assert response.status_code == 200
        return {row["name"] for row in response.context["rows"]}

    assert names(f"?village={VILLAGE_A1}") == {"王小明"}
    assert names("?status=revisit") == {"李四光"}
    assert names("?visits=0") == {"王小明"}
    assert names("?status=open") == {"王小明", "李四光"}
    assert names("?village=999&status=nonsense&visits=7&p=banana") == {"王小明", "李四光"}


def test_the_roster_pages_fifty_at_a_time(client, world):
    for _ in range(60):
        roster_entry()
    client.force_login(world["clerk"])
    first = client.get(reverse("forms_intake_roster:index"))
    second = client.get(reverse("forms_intake_roster:index") + "?p=2")
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 12


def _xlsx_text(content):
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)


def test_a_visit_sheet_per_village_in_html_and_xlsx_with_masked_ids_and_space_for_the_outcome(client, world):
    client.force_login(world["clerk"])
    html = client.get(reverse("forms_intake_roster:sheet") + f"?village={VILLAGE_A1}").content.decode()
    assert "王小明" in html and "李四光" not in html
    assert world["own"].id_number_masked in html and world["own"].id_number not in html
    assert html.count('class="write"') == 3
    text = _xlsx_text(client.get(reverse("forms_intake_roster:sheet_xlsx") + f"?village={VILLAGE_A1}").content)
    assert "王小明" in text and world["own"].id_number_masked in text and world["own"].id_number not in text
    assert "李四光" not in text


def test_recording_not_met_through_the_form_plans_a_revisit(client, world):
    client.force_login(world["clerk"])
    url = reverse("forms_intake_roster:entry", args=[world["own"].pk])
    response = client.post(url, {"outcome": "not_met", "seen_visits": 0, "revisit_on": "2026-12-08"})
    assert response.status_code == 302
    entry = RosterEntry.objects.get(pk=world["own"].pk)
    assert (entry.status, entry.visit_count) == (Status.REVISIT, 1)
    assert Visit.objects.get(entry=entry).visited_by == world["clerk"]
    # The same form sent again (a double click, or a second clerk) does not count twice.
    again = client.post(url, {"outcome": "not_met", "seen_visits": 0})
    assert again.status_code == 302 and RosterEntry.objects.get(pk=entry.pk).visit_count == 1


def test_bad_visit_input_gets_a_message_not_an_error(client, world):
    client.force_login(world["clerk"])
    url = reverse("forms_intake_roster:entry", args=[world["own"].pk])
    for data in (
        {"outcome": "refused", "seen_visits": 0},
        {"outcome": "insured_elsewhere", "seen_visits": 0},
        {"outcome": "nonsense", "seen_visits": 0},
        {"seen_visits": "x"},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert RosterEntry.objects.get(pk=world["own"].pk).visit_count == 0


def test_registered_on_the_spot_continues_in_assisted_entry_with_only_the_id_in_the_url(client, world):
    client.force_login(world["clerk"])
    response = client.post(
        reverse("forms_intake_roster:entry", args=[world["own"].pk]), {"outcome": "registered", "seen_visits": 0}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location == reverse("forms_intake_submission:add") + f"?roster={world['own'].pk}"
    own = world["own"]
    for value in (own.name, own.id_number, own.id_number_masked, "13900004444", own.residence_address):
        assert value not in location
    page = client.get(location).content.decode()
    assert own.id_number in page and "王小明" in page  # prefilled server-side


def test_provincial_staff_start_the_comparison_as_a_job_and_clerks_cannot(client, world):
    person(population_import())
    client.force_login(world["clerk"])
    refused = client.post(reverse("forms_intake_roster:compare"))
    assert refused.status_code in (302, 403) and "/registrations/jobs/" not in refused.get("Location", "")
    assert not Job.objects.exists()
    admin = make_staff("province_admin", roles.PROVINCIAL_ADMIN, ["430000"])
    client.force_login(admin)
    assert "重新比对人口数据" in client.get(reverse("forms_intake_roster:index")).content.decode()
    response = client.post(reverse("forms_intake_roster:compare"))
    assert response.status_code == 302 and "/registrations/jobs/" in response["Location"]
    page = client.get(response["Location"])
    assert "人口、参保与登记数据比对" in page.content.decode()  # the job's name on 我的任务
    assert not PopulationRecord.objects.exists()  # the job ran (immediate backend in tests) and consumed them
    assert RosterEntry.objects.count() == 4
