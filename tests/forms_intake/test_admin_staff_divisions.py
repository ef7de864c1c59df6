"""Provincial administrators assign staff to divisions in the admin; others cannot."""

import pytest
from django.urls import reverse

from forms_intake.models import StaffDivision
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    make_divisions()
    return {
        "admin": make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]),
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "newcomer": make_staff("newcomer", roles.HANDLER, []),
    }


def test_provincial_admin_assigns_a_township_by_its_code(client, people):
    client.force_login(people["admin"])
    url = reverse("forms_intake_staffdivision:add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"user": people["newcomer"].pk, "division": TOWNSHIP_A})
    assert response.status_code == 302
    assert StaffDivision.objects.filter(user=people["newcomer"], division_id=TOWNSHIP_A).exists()


def test_unknown_division_codes_are_refused(client, people):
    client.force_login(people["admin"])
    response = client.post(reverse("forms_intake_staffdivision:add"), {"user": people["newcomer"].pk,
                                                                          "division": "999999"})
    assert response.status_code == 200
    assert not StaffDivision.objects.filter(user=people["newcomer"]).exists()


def test_handlers_cannot_change_assignments(client, people):
    client.force_login(people["handler"])
    response = client.post(reverse("forms_intake_staffdivision:add"), {"user": people["handler"].pk,
                                                                          "division": "430000"})
    assert response.status_code in (302, 403)
    assert not StaffDivision.objects.filter(user=people["handler"], division_id="430000").exists()
