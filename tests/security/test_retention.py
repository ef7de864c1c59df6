"""Retention and purge: time frozen on both sides of each limit; personal data gone everywhere it lived."""

import os
import time
from datetime import date, datetime, timedelta
from importlib import import_module
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from freezegun import freeze_time

from forms_intake.models import Submission, SubmissionEvent, SubmissionLogEntry
from forms_intake.services import audit, retention
from forms_intake.wizard.status import lookup_status
from tests.forms_intake.moderation_support import make_divisions, make_id_number, make_submission

START = "2026-01-10 08:00:00"
ID_NUMBERS = {
    state: make_id_number(sequence=400 + n)
    for n, state in enumerate(["rejected", "returned", "registered", "submitted"])
}


def _at(days, hours=0):
    return (datetime.fromisoformat(START) + timedelta(days=days, hours=hours)).isoformat()


def _purge():
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    return out.getvalue()


@pytest.fixture
def records(db):
    """One submission per state, each with a timeline note, corrections and a Wagtail log entry."""
    with freeze_time(START):
        make_divisions()
        made = {}
        for state, id_number in ID_NUMBERS.items():
            submission = make_submission(
                id_number=id_number,
                name=f"王{state}",
                phone="+8613812345678",
                is_proxy_filing=True,
                proxy_name="王父",
                proxy_phone="+8613900001111",
                proxy_id_number=make_id_number(sequence=500),
                proxy_relationship="父子",
                residence_street="解放西路12号",
                resident_message="请补充户口本首页" if state == "returned" else "",
            )
            submission.status = state
            submission.save()
            audit.record(
                submission,
                "correct",
                note="电话打错了，改为 13812345678",
                changes={"name": ["王五", f"王{state}"]},
            )
            made[state] = submission
    return made


def test_nothing_is_purged_before_the_limit(records):
    with freeze_time(_at(180, hours=-1)):
        output = _purge()
    assert "submissions_anonymised: 0" in output
    for state, submission in records.items():
        fresh = Submission.objects.get(pk=submission.pk)
        assert fresh.id_number == ID_NUMBERS[state]
        assert fresh.name == f"王{state}"


def test_rejected_submission_is_anonymised_after_its_limit_everywhere(records):
    rejected = records["rejected"]
    with freeze_time(_at(180, hours=1)):
        output = _purge()
    assert "submissions_anonymised: 1" in output

    fresh = Submission.objects.get(pk=rejected.pk)
    for field in [
        "name",
        "id_number",
        "id_number_hash",
        "id_number_masked",
        "phone",
        "phone_hash",
        "phone_masked",
        "proxy_name",
        "proxy_phone",
        "proxy_id_number",
        "proxy_id_number_hash",
        "proxy_relationship",
        "residence_street",
    ]:
        assert getattr(fresh, field) == "", field
    # Statistics keep their counts: state, division, reason and the birth year stay.
    assert fresh.status == "rejected"
    assert fresh.queue_code == rejected.queue_code
    assert fresh.birth_date == date(rejected.birth_date.year, 1, 1)
    # The timeline and Wagtail's log keep what happened, not the personal details.
    events = SubmissionEvent.objects.filter(submission=rejected)
    assert events.exists()
    assert all(event.note == "" and event.changes == {} for event in events)
    entries = SubmissionLogEntry.objects.filter(submission_id=rejected.pk)
    assert entries.exists()
    assert all(entry.data == {} for entry in entries)
    # The resident's status lookup no longer finds it (the same answer as a wrong pair).
    assert lookup_status(rejected.reference, ID_NUMBERS["rejected"]) is None

    # Everything else is untouched.
    for state in ["returned", "registered", "submitted"]:
        other = Submission.objects.get(pk=records[state].pk)
        assert other.id_number == ID_NUMBERS[state]
        assert SubmissionEvent.objects.filter(submission=other).exclude(note="").exists()


def test_returned_submission_has_its_own_limit(records):
    with freeze_time(_at(365, hours=-1)):
        _purge()
    assert Submission.objects.get(pk=records["returned"].pk).id_number == ID_NUMBERS["returned"]
    with freeze_time(_at(365, hours=1)):
        _purge()
    assert Submission.objects.get(pk=records["returned"].pk).id_number == ""


def test_registered_and_open_records_are_kept_for_ever(records):
    with freeze_time(_at(3650)):
        _purge()
    assert Submission.objects.get(pk=records["registered"].pk).id_number == ID_NUMBERS["registered"]
    assert Submission.objects.get(pk=records["submitted"].pk).id_number == ID_NUMBERS["submitted"]


def test_purge_is_idempotent_and_prints_counts_only(records):
    with freeze_time(_at(400)):
        first = _purge()
        second = _purge()
    assert "submissions_anonymised: 2" in first
    assert "submissions_anonymised: 0" in second
    assert "submissions_due: 0" in second
    for text in (first, second):
        for state, id_number in ID_NUMBERS.items():
            assert id_number not in text
            assert f"王{state}" not in text
        assert "13812345678" not in text


def test_purge_logs_a_security_event_with_counts(records, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="portal.security"), freeze_time(_at(400)):
        _purge()
    assert "event=purge" in caplog.text
    assert "submissions_anonymised=2" in caplog.text
    assert ID_NUMBERS["rejected"] not in caplog.text


def test_a_change_restarts_the_clock(records):
    with freeze_time(_at(100)):
        records["rejected"].resident_message = ""
        records["rejected"].save()  # e.g. a re-opened case
    with freeze_time(_at(181)):
        _purge()
    assert Submission.objects.get(pk=records["rejected"].pk).id_number == ID_NUMBERS["rejected"]
    with freeze_time(_at(281)):
        _purge()
    assert Submission.objects.get(pk=records["rejected"].pk).id_number == ""


def test_policy_cannot_purge_registered_records(settings):
    settings.RETENTION_DAYS = {"registered": 30}
    with pytest.raises(ImproperlyConfigured):
        retention.retention_days()
    settings.RETENTION_DAYS = {"abandoned": 30}
    with pytest.raises(ImproperlyConfigured):
        retention.retention_days()


def test_configured_days_are_used(records, settings):
    settings.RETENTION_DAYS = {"rejected": 30}
    with freeze_time(_at(29)):
        _purge()
    assert Submission.objects.get(pk=records["rejected"].pk).id_number == ID_NUMBERS["rejected"]
    with freeze_time(_at(31)):
        _purge()
    assert Submission.objects.get(pk=records["rejected"].pk).id_number == ""
    # "returned" is no longer in the policy: kept.
    with freeze_time(_at(3000)):
        _purge()
    assert Submission.objects.get(pk=records["returned"].pk).id_number == ID_NUMBERS["returned"]


def test_login_records_are_deleted_after_their_limit(db, settings):
    settings.RETENTION_LOGIN_RECORD_DAYS = 90
    with freeze_time(START):
        AccessAttempt.objects.create(username="handler", ip_address="192.0.2.1", user_agent="x", failures_since_start=1)
        AccessLog.objects.create(username="handler", ip_address="192.0.2.1", user_agent="x")
    with freeze_time(_at(89)):
        _purge()
    assert AccessAttempt.objects.count() == 1 and AccessLog.objects.count() == 1
    with freeze_time(_at(91)):
        output = _purge()
    assert AccessAttempt.objects.count() == 0 and AccessLog.objects.count() == 0
    assert "login_records_deleted: 2" in output


def test_abandoned_wizard_drafts_expire_with_their_session(db, settings):
    store_class = import_module(django_settings.SESSION_ENGINE).SessionStore
    with freeze_time(START):
        draft = store_class()
        draft["wizard_registration_wizard"] = {"step": "identity", "step_data": {"identity": {"x": "encrypted"}}}
        draft.set_expiry(settings.SESSION_COOKIE_AGE)
        draft.create()
        key = draft.session_key
    with freeze_time(_at(0, hours=1)):
        _purge()
    assert Session.objects.filter(session_key=key).exists()
    with freeze_time(_at(0, hours=3)):
        _purge()
    assert not Session.objects.filter(session_key=key).exists()


def test_old_export_files_are_deleted(db, settings, tmp_path):
    settings.RETENTION_EXPORT_DIRS = [str(tmp_path)]
    settings.RETENTION_EXPORT_DAYS = 7
    old, new = tmp_path / "queue-old.xlsx", tmp_path / "queue-new.csv"
    old.write_text("x")
    new.write_text("y")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    output = _purge()
    assert not old.exists()
    assert new.exists()
    assert "export_files_deleted: 1" in output
