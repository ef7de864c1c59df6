"""Notifications (issue 14): 退回补正, 已登记, 不予登记 and 已发卡 each send one SMS, from the worker, after the commit.

The locmem SMS backend keeps the messages in ``portal.sms.outbox``; the task backend of the tests runs a task
when it is enqueued, so "after the commit" is when pytest-django runs the on-commit callbacks.
"""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from forms_intake.models import Notification, SocialSecurityCard, Submission
from forms_intake.services import notifications, transitions
from portal import roles, sms
from portal.sms.backends.base import BaseSmsBackend
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission
from tests.portal.test_sms_tencent import FakeTencent

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    FlakyBackend.failures_left = 0
    yield
    sms.outbox.clear()


@pytest.fixture
def staff(db):
    make_divisions()
    return {
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A]),
    }


class FlakyBackend(BaseSmsBackend):
    """Refuses ``failures_left`` messages (retryable, like a provider's rate limit), then delivers."""

    failures_left = 0
    permanent = False

    def send(self, message):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            error = sms.SmsError("refused")
            error.code = "InvalidParameterValue.IncorrectPhoneNumber" if self.permanent else "LimitExceeded.Daily"
            error.retryable = not self.permanent
            raise error
        sms.outbox.append(message)


class PermanentBackend(FlakyBackend):
    permanent = True


def _claimed(staff, **values):
    submission = make_submission(phone=PHONE, **values)
    transitions.perform(submission, "claim", staff["handler"])
    return submission


def _after_commit(capture, action):
    with capture(execute=True):
        action()


def test_a_return_sends_one_message_with_the_staff_message_and_the_status_lookup(
        staff, django_capture_on_commit_callbacks, registration_site):
    submission = _claimed(staff)
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "return", staff["handler"], note="请补充门牌号"))
    [message] = sms.outbox
    assert message.to == PHONE
    assert submission.reference in message.body
    assert "需要补正：请补充门牌号" in message.body
    assert "http://testserver/status/" in message.body
    assert (message.template, message.params[1]) == ("returned", "请补充门牌号")
    stored = Notification.objects.get(submission=submission)
    assert (stored.kind, stored.status, stored.attempts) == ("returned", "sent", 1)
    assert stored.sent_at is not None


def test_nothing_is_sent_before_the_commit_and_claims_tell_the_resident_nothing(
        staff, django_capture_on_commit_callbacks):
    submission = make_submission(phone=PHONE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transitions.perform(submission, "claim", staff["handler"])
        transitions.perform(submission, "complete", staff["handler"])
        transitions.perform(submission, "register", staff["reviewer"])
    assert sms.outbox == []  # the request is done; the worker has not been asked yet
    for callback in callbacks:
        callback()
    assert [m.body for m in sms.outbox] == [f"您的参保登记（编号{submission.reference}）已登记。"]


def test_a_rejection_sends_the_reason_in_chinese(staff, django_capture_on_commit_callbacks):
    submission = _claimed(staff)
    _after_commit(django_capture_on_commit_callbacks, lambda: transitions.perform(
        submission, "reject", staff["handler"], reason="duplicate", note="已在长沙县登记"))
    [message] = sms.outbox
    assert "不予登记，原因：重复登记（已在长沙县登记）" in message.body


def test_a_card_reported_by_the_card_system_says_where_to_collect_it(staff, django_capture_on_commit_callbacks):
    submission = _claimed(staff)
    transitions.perform(submission, "complete", staff["handler"])
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "register", staff["reviewer"]))
    assert len(sms.outbox) == 1  # 已登记
    sms.outbox.clear()

    def issue():
        with transaction.atomic():
            SocialSecurityCard.objects.create(
                submission=submission, card_number="A12345678", card_number_masked="*****5678", bank="icbc",
                issued_on=timezone.localdate(), collection_point="芙蓉区文艺路街道社保服务窗口",
                township_code=submission.queue_code)
            transitions.issue_card_by_system(submission, note="card system")

    _after_commit(django_capture_on_commit_callbacks, issue)
    [message] = sms.outbox
    assert "请携带身份证到芙蓉区文艺路街道社保服务窗口领取" in message.body
    assert message.template == "card_issued"


def test_a_change_that_rolls_back_sends_nothing_and_leaves_no_notification(staff, django_capture_on_commit_callbacks):
    submission = _claimed(staff)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")
        raise RuntimeError("something later in the same request failed")
    assert sms.outbox == []
    assert not Notification.objects.filter(submission=submission).exists()
    assert Submission.objects.get(pk=submission.pk).status == "claimed"


def test_a_failed_send_is_recorded_and_retried_later(staff, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.FlakyBackend"
    FlakyBackend.failures_left = 1
    submission = _claimed(staff)
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "return", staff["handler"], note="请补充门牌号"))
    stored = Notification.objects.get(submission=submission)
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "LimitExceeded.Daily")
    assert stored.next_attempt_at > timezone.now()
    assert sms.outbox == []
    assert notifications.send_due()["sent"] == 0  # not due yet
    counts = notifications.send_due(now=timezone.now() + timedelta(hours=1))
    assert counts["sent"] == 1
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 2, "")
    assert len(sms.outbox) == 1


def test_retries_are_bounded_and_a_permanent_refusal_fails_at_once(staff, settings):
    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.FlakyBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    FlakyBackend.failures_left = 10
    submission = _claimed(staff)
    transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")
    later = timezone.now()
    for _ in range(5):
        later += timedelta(days=1)
        notifications.send_due(now=later)
    stored = Notification.objects.get(submission=submission)
    assert (stored.status, stored.attempts) == ("failed", 3)

    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.PermanentBackend"
    FlakyBackend.failures_left = 1
    other = _claimed(staff)
    transitions.perform(other, "reject", staff["handler"], reason="invalid")
    notifications.send_due()
    stored = Notification.objects.get(submission=other)
    assert (stored.status, stored.attempts, stored.last_error) == (
        "failed", 1, "InvalidParameterValue.IncorrectPhoneNumber")
    assert sms.outbox == []


def test_no_personal_data_in_logs_the_notification_row_or_the_staff_text_of_the_sms(
        staff, caplog, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.FlakyBackend"
    FlakyBackend.failures_left = 1
    submission = _claimed(staff, name="李四")
    caplog.set_level(logging.DEBUG)
    note = f"身份证号 {submission.id_number} 与户口簿不一致，请核对"
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "return", staff["handler"], note=note))
    notifications.send_due(now=timezone.now() + timedelta(hours=1))
    assert len(sms.outbox) == 1
    assert submission.id_number not in sms.outbox[0].body  # staff typed it; the SMS masks it
    assert submission.id_number[:6] + "********" + submission.id_number[-4:] in sms.outbox[0].body
    logged = caplog.text
    assert "Notification" in logged  # the attempts are logged…
    for personal in (PHONE, PHONE[3:], submission.id_number, "李四", "户口簿"):
        assert personal not in logged  # …by id, kind and error code only
    row = Notification.objects.filter(submission=submission).values().get()
    assert not any(PHONE[3:] in str(value) or submission.id_number in str(value) for value in row.values())


def test_the_detail_page_shows_which_notifications_went_out_with_the_number_masked(
        client, staff, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.PermanentBackend"
    FlakyBackend.failures_left = 1
    submission = _claimed(staff)
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "return", staff["handler"], note="请补充门牌号"))
    client.force_login(staff["handler"])
    page = client.get(reverse("forms_intake_submission:inspect", args=[submission.pk])).content.decode()
    assert "data-notifications" in page
    assert "139****5678" in page and "13912345678" not in page
    assert "InvalidParameterValue.IncorrectPhoneNumber" in page


def test_the_command_sends_what_is_due(staff):
    submission = _claimed(staff)
    transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")  # no commit: not sent yet
    assert sms.outbox == []
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "sent 1, failed 0"
    assert len(sms.outbox) == 1


def test_a_card_recorded_by_staff_points_to_the_township_counter(staff, django_capture_on_commit_callbacks):
    submission = _claimed(staff)
    transitions.perform(submission, "complete", staff["handler"])
    transitions.perform(submission, "register", staff["reviewer"])
    _after_commit(django_capture_on_commit_callbacks,
                  lambda: transitions.perform(submission, "issue_card", staff["handler"]))
    assert sms.outbox[-1].body.endswith("请携带身份证到您登记所在乡镇（街道）的社保服务窗口领取。")
    assert len(sms.outbox) == 2  # 已登记, then 已发卡


def test_on_a_queue_that_can_defer_the_task_schedules_itself_for_the_next_retry(staff, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SMS_BACKEND = "tests.forms_intake.test_notifications.FlakyBackend"
    FlakyBackend.failures_left = 1
    submission = _claimed(staff)
    transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")
    assert notifications.send_notifications.call() == {"sent": 0, "failed": 1}
    stored = Notification.objects.get(submission=submission)
    [queued] = notifications.send_notifications.get_backend().results
    assert queued.task.run_after == stored.next_attempt_at


def test_through_the_tencent_adapter_the_template_and_its_variables_go_to_the_provider(
        staff, settings, django_capture_on_commit_callbacks):
    fake = FakeTencent()
    try:
        settings.SMS_BACKEND = "portal.sms.backends.tencent.SmsBackend"
        settings.SMS_TENCENT_ENDPOINT = f"http://{fake.host}"
        settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY = "AKIDtest", "secret"
        settings.SMS_TENCENT_SDK_APP_ID, settings.SMS_SIGN_NAME = "1400123456", "湖南社保"
        settings.SMS_TEMPLATES = {"default": "100", "returned": "200", "rejected": "300"}
        fake.answer = (200, {"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit"}]}})
        submission = _claimed(staff)
        _after_commit(django_capture_on_commit_callbacks, lambda: transitions.perform(
            submission, "reject", staff["handler"], reason="already_insured"))
        stored = Notification.objects.get(submission=submission)
        assert (stored.status, stored.last_error) == ("pending", "LimitExceeded.PhoneNumberDailyLimit")
        fake.answer = (200, {"Response": {"SendStatusSet": [{"Code": "Ok"}]}})
        notifications.send_due(now=timezone.now() + timedelta(hours=1))
        stored.refresh_from_db()
        assert stored.status == "sent"
        body = json.loads(fake.requests[-1]["body"])
        assert (body["TemplateId"], body["PhoneNumberSet"]) == ("300", [PHONE])
        assert body["TemplateParamSet"][:2] == [submission.reference, "已参保"]
    finally:
        fake.close()


def test_a_correction_request_corrected_before_it_went_out_is_not_sent(staff):
    submission = _claimed(staff)
    transitions.perform(submission, "return", staff["handler"], note="请补充门牌号")  # not committed: waiting
    transitions.correct(submission, staff["handler"], {"residence_street": "五一路1号"}, note="居民到窗口补正")
    transitions.perform(submission, "resubmit", staff["handler"])
    assert notifications.send_due()["cancelled"] == 1
    assert sms.outbox == []
    assert Notification.objects.get(submission=submission).status == "cancelled"
