"""The back office as staff use it: detail page, reveal, actions over HTTP, corrections, re-routing."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from forms_intake.models import Submission, SubmissionEvent, SubmissionLogEntry
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import audit, transitions
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db

FOUR_EYES = transitions._("The reviewer must be a different person from the handler.")


@pytest.fixture
def world(db):
    make_divisions()
    return {
        "submission": make_submission(name="王小明"),
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A], first_name="李经办"),
        "handler2": make_staff("handler_a2", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A], first_name="赵校核"),
        "admin": make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]),
    }


def _inspect(client, submission):
    return client.get(reverse("forms_intake_submission:inspect", args=[submission.pk]))


def _act(client, submission, name, **data):
    return client.post(reverse("forms_intake_submission:action", args=[submission.pk, name]), data, follow=True)


def test_detail_page_shows_every_annex_2_field_with_the_id_masked(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    content = _inspect(client, submission).content.decode()
    for text in ("王小明", submission.id_number_masked, submission.phone_masked, "芙蓉区", "文艺路街道", "韶山路社区",
                 "工行", "未就业", "个人未参保", submission.reference):
        assert text in content, text
    assert submission.id_number not in content
    assert submission.phone not in content


def test_reveal_shows_the_full_id_once_and_is_recorded(client, world):
    submission = world["submission"]
    client.force_login(world["reviewer"])
    url = reverse("forms_intake_submission:reveal", args=[submission.pk])
    assert client.get(url).status_code == 302  # never on GET
    response = client.post(url)
    assert submission.id_number in response.content.decode()
    event = SubmissionEvent.objects.get(submission=submission, action="reveal")
    assert event.user == world["reviewer"]
    assert SubmissionLogEntry.objects.filter(submission=submission, action="forms_intake.reveal").exists()
    assert submission.id_number not in _inspect(client, submission).content.decode()


def test_reveal_needs_the_permission(client, world):
    world["handler"].groups.clear()
    world["handler"].user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_submission", "claim_submission"])
    )
    client.force_login(world["handler"])
    response = client.post(reverse("forms_intake_submission:reveal", args=[world["submission"].pk]))
    # Wagtail answers PermissionDenied with a redirect to the dashboard and a message.
    assert response.status_code in (302, 403)
    assert world["submission"].id_number not in response.content.decode()
    assert not SubmissionEvent.objects.filter(action="reveal").exists()


def test_claim_complete_and_review_through_the_admin(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    assert reverse("forms_intake_submission:action", args=[submission.pk, "claim"]) in _inspect(
        client, submission
    ).content.decode()
    _act(client, submission, "claim")
    _act(client, submission, "complete")
    assert Submission.objects.get(pk=submission.pk).status == S.AWAITING_REVIEW
    # A handler cannot review, even by posting directly.
    _act(client, submission, "register")
    assert Submission.objects.get(pk=submission.pk).status == S.AWAITING_REVIEW
    client.force_login(world["reviewer"])
    _act(client, submission, "register")
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.REGISTERED
    assert (stored.handler, stored.reviewer) == (world["handler"], world["reviewer"])
    timeline = _inspect(client, submission).content.decode()
    assert "李经办" in timeline and "赵校核" in timeline


def test_four_eyes_over_http_for_a_user_holding_both_roles(client, world):
    submission = world["submission"]
    client.force_login(world["admin"])
    _act(client, submission, "claim")
    _act(client, submission, "complete")
    page = _inspect(client, submission).content.decode()
    assert reverse("forms_intake_submission:action", args=[submission.pk, "register"]) not in page
    response = _act(client, submission, "register")
    with translation.override("zh-hans"):
        assert str(FOUR_EYES) in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == S.AWAITING_REVIEW


def test_a_lost_claim_race_shows_a_clear_message(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    _act(client, submission, "claim")
    client.force_login(world["handler2"])
    response = _act(client, submission, "claim")
    assert Submission.objects.get(pk=submission.pk).handler == world["handler"]
    with translation.override("zh-hans"):
        assert str(transitions.Conflict().message) in response.content.decode() or "“" in response.content.decode()


def test_return_message_and_rejection_reason_are_required(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    _act(client, submission, "claim")
    # confirmed: past the confirmation page (test_clerk_next.py)
    _act(client, submission, "return", note="", confirmed="yes")
    assert Submission.objects.get(pk=submission.pk).status == S.CLAIMED
    _act(client, submission, "reject", reason="other", note="", confirmed="yes")
    assert Submission.objects.get(pk=submission.pk).status == S.CLAIMED
    _act(client, submission, "reject", reason="duplicate", confirmed="yes")
    assert Submission.objects.get(pk=submission.pk).status == S.REJECTED


def test_correction_after_registration_shows_before_and_after(client, world):
    submission = world["submission"]
    Submission.objects.filter(pk=submission.pk).update(status=S.REGISTERED, handler=world["handler"])
    client.force_login(world["handler2"])
    url = reverse("forms_intake_submission:edit", args=[submission.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "王晓明", "id_number": "", "phone": "13911112222", "employment_status": "unemployed",
        "employer_name": "", "residence_village": "韶山路社区", "residence_street": "1号",
        "not_insured_reason": "personal", "not_insured_reason_other": "", "service_bank": "icbc",
        "unit_name": "韶山路社区", "unit_code": "", "note": "居民来电更正",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    stored = Submission.objects.get(pk=submission.pk)
    # A correction after 已登记 goes back through a reviewer (transitions.correct).
    assert stored.name == "王晓明" and stored.phone == "+8613911112222" and stored.status == S.AWAITING_REVIEW
    page = _inspect(client, submission).content.decode()
    assert "王小明" in page and "王晓明" in page and "139****2222" in page
    assert "13911112222" not in page


def test_correction_validates_like_the_wizard(client, world):
    submission = world["submission"]
    Submission.objects.filter(pk=submission.pk).update(status=S.REGISTERED)
    client.force_login(world["handler"])
    response = client.post(
        reverse("forms_intake_submission:edit", args=[submission.pk]),
        {"name": "王1", "id_number": "430102198503151234", "phone": "123", "employment_status": "preschool",
         "not_insured_reason": "other", "service_bank": "icbc", "note": "x"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "id_number", "phone", "employment_status", "not_insured_reason_other"} <= set(errors)
    assert Submission.objects.get(pk=submission.pk).name == "王小明"


def test_reroute_by_the_provincial_administrator(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    assert client.get(reverse("forms_intake_submission:reroute", args=[submission.pk])).status_code in (302, 403)
    client.force_login(world["admin"])
    response = client.post(
        reverse("forms_intake_submission:reroute", args=[submission.pk]), {"queue_code": TOWNSHIP_B, "note": "地址错误"}
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).queue_code == TOWNSHIP_B
    # Now outside the township-A handler's scope.
    client.force_login(world["handler"])
    assert _inspect(client, submission).status_code == 404


def test_my_items_lists_only_what_i_claimed(client, world):
    mine = world["submission"]
    other = make_submission()
    client.force_login(world["handler"])
    _act(client, mine, "claim")
    response = client.get(reverse("forms_intake_submission:mine"))
    assert list(response.context["object_list"]) == [mine]
    assert other.reference not in response.content.decode()


@pytest.mark.parametrize("rows", [10, 50])
def test_queue_list_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries, rows):
    for _ in range(rows - 1):
        make_submission()
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"))  # warm caches (content types, permissions)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("forms_intake_submission:index"))
    assert len(response.context["object_list"]) == rows


def test_queue_is_oldest_first_and_filters_by_flag_and_status(client, world):
    first = world["submission"]
    flagged = make_submission(birth_date=date(2020, 1, 1), employment_status="freelancer")
    assert flagged.has_flags
    client.force_login(world["handler"])
    listing = list(client.get(reverse("forms_intake_submission:index")).context["object_list"])
    assert listing == [first, flagged]
    response = client.get(reverse("forms_intake_submission:index"), {"flag": "flag_age_status"})
    assert list(response.context["object_list"]) == [flagged]
    response = client.get(reverse("forms_intake_submission:index"), {"status": "claimed"})
    assert list(response.context["object_list"]) == []


def test_printed_form_shows_both_staff_names_and_is_recorded(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    _act(client, submission, "claim")
    _act(client, submission, "complete")
    client.force_login(world["reviewer"])
    _act(client, submission, "register")
    content = client.get(reverse("forms_intake_submission:print", args=[submission.pk])).content.decode()
    assert "李经办" in content and "赵校核" in content
    assert SubmissionEvent.objects.filter(submission=submission, action="print", user=world["reviewer"]).exists()


def test_wagtail_history_view_lists_the_moderation_steps(client, world):
    submission = world["submission"]
    client.force_login(world["handler"])
    _act(client, submission, "claim")
    response = client.get(reverse("forms_intake_submission:history", args=[submission.pk]))
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert str(audit.ACTION_LABELS["claim"]) in response.content.decode()
