"""Hostile and malformed input: field errors or 400, never a 500; text stored as typed, escaped on output."""

import pytest

from forms_intake.models import Submission

from .wizard_support import ADULT_ID, address_answers, employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_identity(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="identity")
    return client


@pytest.mark.parametrize(
    "name",
    ["张" * 10_000, "张\x00三", "张\u202e三", "<script>alert(1)</script>", "", "   ", "张三" * 30],
)
def test_bad_names_are_field_errors(at_identity, name):
    data = step_post("identity", {"name": name, "id_number": ADULT_ID, "phone": "13812345678"})
    response = at_identity.post("/register/step/identity/", data)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert 'href="#id_identity-name"' in response.content.decode()


@pytest.mark.parametrize("id_number", ["4" * 5000, "43010219900101123\x00", "'; DROP TABLE x; --", "４３０１０２"])
def test_bad_id_numbers_are_field_errors(at_identity, id_number):
    data = step_post("identity", {"name": "张三", "id_number": id_number, "phone": "13812345678"})
    response = at_identity.post("/register/step/identity/", data)
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors


def test_several_values_for_one_field_use_the_last_and_never_crash(at_identity):
    data = step_post("identity", {"id_number": ADULT_ID, "phone": "13812345678"})
    data["identity-name"] = ["张三", "李四"]
    response = at_identity.post("/register/step/identity/", data)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "overrides",
    [
        {"hukou_province": "999999"},
        {"hukou_city": "<b>x</b>"},
        {"residence_town": "4" * 500},
        {"residence_village": "x" * 61},
        {"residence_village": "八一\x07路"},
    ],
)
def test_bad_addresses_are_field_errors(client, registration_site, overrides):
    run_wizard(client, employed_self_answers(), stop_before="address")
    response = client.post("/register/step/address/", step_post("address", address_answers(**overrides)))
    assert response.status_code == 200
    assert response.context["form"].errors


def test_html_is_stored_as_typed_and_escaped_on_every_page(client, registration_site):
    answers = employed_self_answers()
    answers[3] = ("address", address_answers(residence_street="<script>alert('x')</script>&amp;"))
    run_wizard(client, answers, stop_before="review")
    review = client.get("/register/step/review/").content.decode()
    assert "<script>alert('x')</script>" not in review
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;amp;" in review
    client.post("/register/step/review/", step_post("review", {"confirm_true": "on", "consent": "on"}))
    assert Submission.objects.get().residence_street == "<script>alert('x')</script>&amp;"
    printable = client.get("/register/done/print/").content.decode()
    assert "<script>alert" not in printable


def test_missing_management_form_is_a_400(at_identity):
    response = at_identity.post("/register/step/identity/", {"identity-name": "张三"})
    assert response.status_code == 400


@pytest.mark.parametrize("forged", ["../../admin", "done", "proxy", "workplace", "x" * 5000, "review"])
def test_forged_step_names_in_the_management_form_are_a_400(at_identity, forged):
    data = step_post("identity", {"name": "张三", "id_number": ADULT_ID, "phone": "13812345678"})
    data["registration-current_step"] = forged
    response = at_identity.post("/register/step/identity/", data)
    assert response.status_code == 400


@pytest.mark.parametrize("forged", ["nope", "proxy", "done", "review"])
def test_forged_step_urls_redirect_to_the_current_step(at_identity, forged):
    response = at_identity.get(f"/register/step/{forged}/")
    assert response.status_code == 302
    assert response["Location"] == "/register/step/identity/"


def test_a_null_byte_in_the_step_url_is_not_found(at_identity):
    assert at_identity.get("/register/step/%00/").status_code == 404


def test_a_forged_previous_target_never_crashes(at_identity):
    data = step_post("identity", {"name": "张三", "id_number": ADULT_ID, "phone": "13812345678"})
    data["wizard_goto_step"] = "../../etc/passwd"
    response = at_identity.post("/register/step/identity/", data)
    assert response.status_code in (200, 302)


def test_other_methods_are_refused(at_identity):
    assert at_identity.put("/register/step/identity/").status_code == 405
