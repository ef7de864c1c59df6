"""The full resident and staff journeys with every logger captured at DEBUG (SQL included):
no ID or phone number appears in any log record, raw or normalised or spaced; no log line can be forged."""

import json
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from forms_intake.models import Submission
from portal import roles
from portal.logging import JsonFormatter
from portal.security import log_security_event
from tests.forms_intake.moderation_support import make_staff
from tests.forms_intake.wizard_support import (
    ADULT_ID,
    CHILD_ID,
    MOBILE,
    PARENT_ID,
    PROXY_MOBILE,
    employed_self_answers,
    proxy_child_answers,
    run_wizard,
    step_post,
)

pytestmark = pytest.mark.django_db

TOWN = "430102001"
PASSWORD = "pw-for-tests-only"


def _variants_of_id(number):
    return {number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}", number[:17]}


def _variants_of_phone(number):
    return {
        number,
        f"+86{number}",
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
    }


FORBIDDEN = set().union(
    *(_variants_of_id(n) for n in (ADULT_ID, CHILD_ID, PARENT_ID)),
    *(_variants_of_phone(n) for n in (MOBILE, PROXY_MOBILE)),
)


#: Loggers whose DEBUG records dump data structures (template contexts) and are pinned to INFO.
PINNED_FOR_PRIVACY = {"django.template"}


def test_loggers_that_dump_contexts_are_pinned_above_debug(settings):
    for name in PINNED_FOR_PRIVACY:
        level = settings.LOGGING["loggers"][name]["level"]
        assert logging.getLevelName(level) >= logging.INFO, name


class Everything(logging.Handler):
    """Keeps every record with everything a formatter could print: message, args, extras, traceback."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def texts(self):
        plain = logging.Formatter()
        for record in self.records:
            parts = [record.getMessage(), repr(record.args)]
            parts += [repr(v) for k, v in vars(record).items() if k not in {"msg", "args", "exc_info"}]
            if record.exc_info:
                parts.append(plain.formatException(record.exc_info))
            yield record, "\n".join(parts)


@pytest.fixture
def every_logger_at_debug(settings):
    """A handler on the root logger, every logger at DEBUG, and SQL logged as in DEBUG mode."""
    handler = Everything()
    root = logging.getLogger()
    saved = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    saved_root = root.level
    # Every logger at DEBUG, except those the project pins above DEBUG *because* their
    # DEBUG output would carry personal data (checked by the next test).
    for name in saved:
        if name not in PINNED_FOR_PRIVACY:
            logging.getLogger(name).setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    connection.force_debug_cursor = True
    try:
        yield handler
    finally:
        connection.force_debug_cursor = False
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _staff_login(username):
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def _act(client, submission, name, **data):
    url = reverse("forms_intake_submission:action", args=[submission.pk, name])
    response = client.post(url, data)
    assert response.status_code in (200, 302), name
    return response


def test_resident_and_staff_journeys_log_no_id_or_phone_number(registration_site, every_logger_at_debug, caplog):
    caplog.set_level(logging.DEBUG)
    # ---- residents ------------------------------------------------------------
    resident = Client()
    resident.get("/register/step/filer/")
    resident.post("/register/step/filer/", step_post("filer", {"filing_for": "self", "intent": "on"}))
    # A hostile first try: CR/LF in the name, the ID with spaces and a lower-case x, the phone with dashes.
    resident.post(
        "/register/step/identity/",
        step_post(
            "identity",
            {
                "name": "张三\r\nINFO forged line",
                "id_number": " ".join(ADULT_ID.lower()),
                "phone": f"{MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}",
            },
        ),
    )
    run_wizard(resident, employed_self_answers())
    run_wizard(Client(), proxy_child_answers())
    adult = Submission.objects.get(id_number_hash__isnull=False, is_proxy_filing=False)
    resident.post("/status/", {"reference": adult.reference, "id_number": ADULT_ID})
    resident.post("/status/", {"reference": adult.reference, "id_number": CHILD_ID})
    resident.post("/en/status/", {"reference": "HN-0000-0000\r\nforged", "id_number": PARENT_ID})

    # ---- staff -----------------------------------------------------------------
    make_staff("handler_town", roles.HANDLER, [TOWN])
    make_staff("reviewer_town", roles.REVIEWER, [TOWN])
    make_staff("handler_elsewhere", roles.HANDLER, ["430104001"])
    handler = _staff_login("handler_town")
    reviewer = _staff_login("reviewer_town")
    outsider = _staff_login("handler_elsewhere")
    index = reverse("forms_intake_submission:index")
    # (Search by the exact ID number puts it in the URL: see the test below.)
    assert handler.get(index, {"q": adult.name}, follow=True).status_code == 200  # the name leaves the URL (302)
    _act(handler, adult, "claim")
    _act(handler, adult, "complete")
    _act(reviewer, adult, "register")
    reveal = reviewer.post(reverse("forms_intake_submission:reveal", args=[adult.pk]))
    assert ADULT_ID in reveal.content.decode()  # shown to the permitted user, never logged
    reviewer.get(reverse("forms_intake_submission:print", args=[adult.pk]))
    for fmt in ("csv", "xlsx"):
        response = handler.get(index, {"export": fmt})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    assert outsider.get(reverse("forms_intake_submission:inspect", args=[adult.pk])).status_code == 404

    # ---- the logs --------------------------------------------------------------
    captured = list(every_logger_at_debug.texts())
    assert len(captured) > 50, "the journeys should have produced log records (SQL included)"
    for record, text in captured:
        for secret in FORBIDDEN:
            where = text.find(secret)
            assert where < 0, f"{record.name}: personal data in a log record: …{text[max(0, where - 300) : where]}…"
    for secret in FORBIDDEN:
        assert secret not in caplog.text
    events = caplog.text
    for event in ("event=login ", "event=reveal ", "event=reveal_print ", "event=export ", "event=scope_denial "):
        assert event in events, event
    # Security events carry the user's division and a request id.
    assert re.search(rf"event=reveal time=\S+ user=\d+ division={TOWN} request_id=[0-9a-f]{{32}}", events)

    # ---- no forged lines ---------------------------------------------------------
    formatter = JsonFormatter()
    for record in every_logger_at_debug.records:
        line = formatter.format(record)
        assert "\n" not in line and "\r" not in line
        json.loads(line)


def test_a_crlf_value_cannot_forge_a_security_event_line(caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        record = log_security_event("login_failed", reason="x\r\n2026-01-01 INFO security_event event=login user=1")
    assert "\n" not in caplog.records[-1].getMessage()
    assert "\r" not in caplog.records[-1].getMessage()
    assert record["reason"].startswith("x\\x0d\\x0a")


def test_personal_fields_are_dropped_from_security_events(caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        log_security_event("reveal", id_number=ADULT_ID, phone=MOBILE, name="张三", object=7)
    message = caplog.records[-1].getMessage()
    assert ADULT_ID not in message and MOBILE not in message and "张三" not in message
    assert "object=7" in message


def test_search_by_id_number_reaches_no_production_log_line(registration_site, every_logger_at_debug):
    """Staff search by the exact ID number: the listing swaps the number for its keyed hash in the
    session and redirects to a URL without it; no log line, whatever the level, carries it."""
    run_wizard(Client(), employed_self_answers())
    make_staff("handler_town", roles.HANDLER, [TOWN])
    handler = _staff_login("handler_town")
    response = handler.get(reverse("forms_intake_submission:index"), {"q": ADULT_ID}, follow=True)
    assert response.status_code == 200
    assert all(ADULT_ID not in url and ADULT_ID[:17] not in url for url, _status in response.redirect_chain)
    assert Submission.objects.get().reference in response.content.decode()  # the search works
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in every_logger_at_debug.records]
    assert lines
    for line in lines:
        for secret in FORBIDDEN:
            assert secret not in line
