"""Issue #14: clear messages, conditionally required labels, the keep-alive check, /favicon.ico."""

from __future__ import annotations

import pytest

from .wizard_support import ADULT_ID, CHILD_ID, employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_a_nul_character_gets_one_plain_message(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="identity")
    response = client.post("/register/step/identity/", step_post("identity", {
        "name": "张\x00三", "id_number": ADULT_ID, "phone": "13812345678"}))
    messages = errors_of(response, "name")
    assert len(messages) == 1 and "空字符串" not in messages[0]


def test_markup_as_a_name_says_what_a_name_may_contain(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="identity")
    response = client.post("/register/step/identity/", step_post("identity", {
        "name": "<script>alert(1)</script>", "id_number": ADULT_ID, "phone": "13812345678"}))
    messages = errors_of(response, "name")
    assert len(messages) == 1 and "数字" not in messages[0] and "digits" not in messages[0]


def test_a_tab_in_the_employer_name_gets_one_error(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="employment")
    response = client.post("/register/step/employment/", step_post("employment", {
        "employment_status": "employed_in_province", "employer_name": "长沙\t科技"}))
    assert len(errors_of(response, "employer_name")) == 1


@pytest.mark.parametrize(("step", "field"), [("employment", "employer_name"), ("unit", "unit_name"),
                                              ("unit", "unit_code"), ("reason", "not_insured_reason_other")])
def test_fields_required_in_some_cases_are_not_labelled_optional(client, registration_site, step, field):
    answers = employed_self_answers()
    run_wizard(client, answers, stop_before=step)
    page = client.get(f"/register/step/{step}/").content.decode()
    label = page[page.index(f'for="id_{step}-{field}"'):]
    label = label[: label.index("</label>")]
    assert "选填" not in label and "optional" not in label


def test_changing_the_id_from_the_review_says_why_a_step_needs_attention(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    client.get("/register/step/identity/?from=review")
    response = client.post("/register/step/identity/", step_post("identity", {
        "name": "张三", "id_number": CHILD_ID, "phone": "13812345678"}))
    target = response["Location"]
    assert "employment" in target
    page = client.get(target)
    assert page.context["form"].errors, "the step shows the error that sent the resident there"


def test_keepalive_reports_the_time_left_without_extending(client, registration_site):
    client.get("/register/step/filer/")
    left = client.get("/register/keepalive/").json()["seconds_left"]
    assert 0 < left <= 7200


def test_every_step_says_until_when_answers_are_kept(client, registration_site):
    page = client.get("/register/step/filer/").content.decode()
    assert "wizard-kept-until" in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
