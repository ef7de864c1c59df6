"""The registration wizard end to end through Django's test client.

Covers the formtools pitfalls of the issue: conditional steps, Previous
keeping input, GET never resetting, review/change round trips, final
revalidation, double submits, session expiry and a failing final save.
"""

from unittest import mock

import pytest
from django.db import DatabaseError

from forms_intake.models import Submission

from .wizard_support import (
    ADULT_ID,
    STUDENT_ID,
    address_answers,
    employed_self_answers,
    proxy_child_answers,
    run_wizard,
    step_post,
)

pytestmark = pytest.mark.django_db


def answers_until(answers, step):
    return [(s, d) for s, d in answers if s != step][: [s for s, _d in answers].index(step)]


def post(client, step, data, base="/register/"):
    return client.post(f"{base}step/{step}/", step_post(step, data))


def test_employed_resident_for_themself_gets_a_receipt_and_one_record(client, registration_site):
    response = run_wizard(client, employed_self_answers())
    assert response["Location"] == "/register/done/"
    submission = Submission.objects.get()
    assert submission.channel == "online"
    assert submission.employment_status == "employed_in_province"
    assert submission.employer_division.code == "430102001"
    assert submission.unit_type == "employer" and submission.unit_code == "91430100MA4L16JX8F"
    assert submission.unit_division_id == "430102001"
    assert submission.is_proxy_filing is False and submission.proxy_name == ""
    assert submission.id_number == ADULT_ID and submission.gender == "M"
    assert submission.id_number_masked == "430102********" + ADULT_ID[-4:]
    assert submission.phone == "+8613812345678" and submission.phone_masked == "138****5678"
    assert submission.queue_code == "430102001"
    receipt = client.get("/register/done/")
    assert submission.reference in receipt.content.decode()
    assert "温馨提示：本次登记后" in receipt.content.decode()


def test_a_parent_files_for_a_preschool_child_as_proxy(client, registration_site):
    run_wizard(client, proxy_child_answers())
    submission = Submission.objects.get()
    assert submission.is_proxy_filing
    assert submission.proxy_name == "李大明" and submission.proxy_relationship == "parent"
    assert submission.proxy_phone == "+8613987654321"
    assert submission.proxy_id_number_masked.endswith(submission.proxy_id_number[-4:])
    assert submission.employer_division is None
    assert submission.unit_type == "community" and submission.unit_name == "八一路社区"


def test_self_filing_skips_the_proxy_step_and_counts_only_the_steps_that_apply(client, registration_site):
    client.get("/register/step/filer/")
    response = post(client, "filer", {"filing_for": "self", "intent": "on"})
    assert response["Location"] == "/register/step/identity/"
    page = client.get("/register/step/identity/")
    # No proxy step; the workplace step only counts once the resident says they are employed.
    assert page.context["step_number"] == 2 and page.context["step_count"] == 7
    assert "Step 2 of 7" in page.content.decode() or "第 2 步，共 7 步" in page.content.decode()
    assert client.get("/register/step/proxy/")["Location"] == "/register/step/identity/"
    post(client, "identity", employed_self_answers()[1][1])
    post(client, "employment", employed_self_answers()[2][1])
    assert client.get("/register/step/address/").context["step_count"] == 8


def test_a_student_skips_the_workplace_step(client, registration_site):
    answers = employed_self_answers()
    answers[1] = ("identity", {"name": "王同学", "id_number": STUDENT_ID, "phone": "13800001111"})
    answers[2] = ("employment", {"employment_status": "student"})
    client.get("/register/step/filer/")
    for step, data in answers[:3]:
        post(client, step, data)
    response = post(client, "address", address_answers())
    assert response["Location"] == "/register/step/reason/"
    assert client.get("/register/step/reason/").context["step_count"] == 7


def test_previous_keeps_what_was_typed_without_validating(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="employment")
    response = post(client, "employment", {"employment_status": "employed_in_province", "employer_name": ""})
    assert response.status_code == 200  # employer name missing
    response = client.post(
        "/register/step/employment/",
        {**step_post("employment", {"employment_status": "employed_in_province", "employer_name": ""}),
         "wizard_goto_step": "identity"},
    )
    assert response["Location"] == "/register/step/identity/"
    back = client.get("/register/step/employment/")
    assert 'value="employed_in_province" required aria-invalid' not in back.content.decode()
    assert back.context["form"].data["employment-employment_status"] == "employed_in_province"
    assert not back.context["form"].errors, "a step revisited after Previous shows no errors"


def test_a_get_or_a_second_tab_never_resets_progress(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="address")
    client.get("/register/")
    client.get("/register/step/filer/")
    client.get("/register/step/identity/")
    page = client.get("/register/step/employment/")
    assert page.context["form"].data["employment-employer_name"] == "长沙市某某科技有限公司"
    identity = client.get("/register/step/identity/")
    assert identity.context["form"].data["identity-name"] == "张三"


def test_start_again_clears_the_answers(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="address")
    # Every step page offers it, in its language, through a confirmation page (issue #14).
    assert 'href="/register/restart/"' in client.get("/register/step/address/").content.decode()
    assert 'href="/en/register/restart/"' in client.get("/en/register/step/address/").content.decode()
    response = client.post("/register/", {"restart": "1"})
    assert response["Location"] == "/register/step/filer/"
    assert client.get("/register/step/filer/").context["form"].data == {}
    # Nothing answered any more, so later steps send the resident back to the first.
    assert client.get("/register/step/identity/")["Location"] == "/register/step/filer/"


def test_change_from_the_review_returns_to_the_review(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    review = client.get("/register/step/review/")
    assert '/register/step/identity/?from=review' in review.content.decode()
    client.get("/register/step/identity/?from=review")
    response = post(client, "identity", {"name": "张三丰", "id_number": ADULT_ID, "phone": "13812345678"})
    assert response["Location"] == "/register/step/review/"
    assert "张三丰" in client.get("/register/step/review/").content.decode()


def test_a_change_that_adds_a_step_goes_through_it_before_the_review(client, registration_site):
    answers = proxy_child_answers()
    answers[1] = ("identity", {"name": "李大姐", "id_number": ADULT_ID, "phone": "13812345678"})
    answers[3] = ("employment", {"employment_status": "unemployed"})
    run_wizard(client, answers, stop_before="review")
    client.get("/register/step/employment/?from=review")
    response = post(client, "employment", {"employment_status": "employed_in_province", "employer_name": "某公司"})
    assert response["Location"] == "/register/step/workplace/"


def test_final_revalidation_after_a_change_sends_the_resident_to_the_failing_step(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    # The ID now belongs to a child: 已就业 no longer fits, which only the employment step can say.
    client.get("/register/step/identity/?from=review")
    child = proxy_child_answers()[1][1]["id_number"]
    post(client, "identity", {"name": "张三", "id_number": child, "phone": "13812345678"})
    response = post(client, "review", {"confirm_true": "on", "consent": "on"})
    assert response["Location"] == "/register/step/employment/"
    page = client.get("/register/step/employment/")
    assert page.context["form"].errors["employment_status"]
    assert Submission.objects.count() == 0


def test_stale_answers_of_a_step_that_no_longer_applies_are_ignored(client, registration_site):
    run_wizard(client, proxy_child_answers(), stop_before="review")
    client.get("/register/step/filer/?from=review")
    post(client, "filer", {"filing_for": "self", "intent": "on"})
    post(client, "review", {"confirm_true": "on", "consent": "on"})
    submission = Submission.objects.get()
    assert not submission.is_proxy_filing
    assert submission.proxy_name == "" and submission.proxy_id_number == ""


def test_double_submit_creates_one_record_and_back_shows_the_receipt(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    first = post(client, "review", {"confirm_true": "on", "consent": "on"})
    second = post(client, "review", {"confirm_true": "on", "consent": "on"})
    assert first["Location"] == second["Location"] == "/register/done/"
    assert Submission.objects.count() == 1
    assert client.get("/register/step/review/")["Location"] == "/register/done/"


def test_concurrent_double_submit_with_the_same_session_creates_one_record(client, registration_site):
    """Two requests that both read the session before either saved it share one idempotency key."""
    run_wizard(client, employed_self_answers(), stop_before="review")
    session_before = dict(client.session.items())
    post(client, "review", {"confirm_true": "on", "consent": "on"})
    # Replay the second click with the session as it was before the first finished.
    session = client.session
    for key, value in session_before.items():
        session[key] = value
    session.save()
    response = post(client, "review", {"confirm_true": "on", "consent": "on"})
    assert response["Location"] == "/register/done/"
    assert Submission.objects.count() == 1


def test_an_expired_session_shows_the_expired_page_not_an_error(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="address")
    client.session.flush()
    client.cookies.clear()
    response = post(client, "address", address_answers())
    assert response.status_code == 200
    assert response.templates[0].name == "forms_intake/session_expired.html"
    assert client.get("/register/step/reason/").templates[0].name == "forms_intake/session_expired.html"
    assert client.get("/register/done/").templates[0].name == "forms_intake/session_expired.html"
    assert client.get("/register/expired/").status_code == 200


def test_keepalive_extends_the_session_and_needs_post(client, registration_site):
    client.get("/register/step/filer/")
    assert client.put("/register/keepalive/").status_code == 405
    assert client.post("/register/keepalive/").json()["ok"] is True
    # A GET only says how long the answers are kept (issue #14: an idle tab asks before leaving).
    assert client.get("/register/keepalive/").json()["seconds_left"] > 0


def test_a_failed_final_save_shows_503_and_keeps_the_answers_for_a_retry(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    original_save = Submission.save
    calls = {"n": 0}

    def failing_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise DatabaseError("database is locked")
        return original_save(self, *args, **kwargs)

    with mock.patch.object(Submission, "save", failing_once):
        failed = post(client, "review", {"confirm_true": "on", "consent": "on"})
        assert failed.status_code == 503
        assert Submission.objects.count() == 0
        assert client.get("/register/step/identity/").context["form"].data["identity-name"] == "张三"
        retried = post(client, "review", {"confirm_true": "on", "consent": "on"})
    assert retried["Location"] == "/register/done/"
    assert Submission.objects.count() == 1


def test_after_submitting_the_answers_are_gone_from_the_session(client, registration_site):
    run_wizard(client, employed_self_answers())
    assert "wizard_registration" not in client.session or not client.session["wizard_registration"]["step_data"]


def test_the_printable_form_is_only_for_the_session_that_submitted(client, registration_site, django_user_model):
    from django.test import Client

    run_wizard(client, employed_self_answers())
    printable = client.get("/register/done/print/").content.decode()
    submission = Submission.objects.get()
    expected = (
        submission.reference, "张三", ADULT_ID, "138 1234 5678", "长沙市某某科技有限公司", "91430100MA4L16JX8F",
        # Division and village names without the level word that follows them (芙蓉 县（市、区）).
        "八一路", "八一路12号", "文艺路", "芙蓉", "工行", "单位未予参保", "经办人签名", "校核人签名",
    )
    for text in expected:
        assert text in printable, text
    stranger = Client()
    other = stranger.get("/register/done/print/")
    assert submission.reference not in other.content.decode()
    assert ADULT_ID not in other.content.decode()


def test_a_second_submission_for_the_same_id_is_accepted_and_flagged(client, registration_site):
    from django.test import Client

    run_wizard(client, employed_self_answers())
    second = Client()
    response = run_wizard(second, employed_self_answers())
    assert response["Location"] == "/register/done/"
    first, later = Submission.objects.order_by("id")
    assert later.flag_duplicate_id and later.has_flags
    receipt = second.get("/register/done/").content.decode()
    assert first.reference not in receipt


def test_the_english_wizard_works_the_same(client, registration_site):
    response = run_wizard(client, employed_self_answers(), base="/en/register/")
    assert response["Location"] == "/en/register/done/"
    assert "Registration submitted" in client.get("/en/register/done/").content.decode()


def test_update_the_lists_stores_the_choice_and_offers_the_next_level_without_errors(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="address")
    data = step_post("address", {"hukou_province": "430000", "residence_province": "110000"})
    data["wizard_refresh"] = "1"
    response = client.post("/register/step/address/", data)
    assert response["Location"] == "/register/step/address/"
    page = client.get("/register/step/address/")
    form = page.context["form"]
    assert "430100" in dict(form.fields["hukou_city"].choices)
    assert list(dict(form.fields["residence_city"].choices)) == ["", "110000"]  # 北京市: 市辖区 only
    assert not form.errors
    assert 'role="alert"' not in page.content.decode()
