"""The submission tally (SubmissionTally, kept by PostgreSQL triggers) and what reads it.

The statistics report and the queue's item count read the tally above township level
on PostgreSQL (statistics.py, views_admin.py). These tests check that it always equals
a fresh count of the rows, whatever writes them, and that the report and the queue say
exactly what counting the rows says. Run them with DATABASE_URL=postgres://…: on SQLite
the tally is not kept and the pages count rows (the page tests pass there too).
"""

import io
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear, Left
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forms_intake.models import Submission, SubmissionTally
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import retention, statistics, transitions
from forms_intake.services.scope import prefix_q
from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    build_submission,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the tally is kept by PostgreSQL triggers (run with DATABASE_URL)"
)


def fresh_tally():
    """{(county, dimension, value): n} counted from the rows, as the triggers should have it."""
    rows = Submission.objects.annotate(county=Left("queue_code", 6), birth_year=ExtractYear("birth_date"))
    counted = {}
    for field in (*statistics.TALLY_FIELDS, "birth_year"):
        for row in rows.values("county", field).annotate(n=Count("*")).order_by():
            counted[(row["county"], field, str(row[field]))] = row["n"]
    return counted


def kept_tally():
    return {
        (row.county, row.dimension, row.value): row.n for row in SubmissionTally.objects.all() if row.n
    }


@pytest.fixture
def world(db):
    make_divisions()
    return {
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A]),
        "admin": make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]),
    }


@needs_postgres
def test_the_tally_equals_a_fresh_count_after_every_kind_of_write(world):
    rows = [make_submission() for _ in range(3)]
    rows.append(make_submission(unit_type="employer", unit_division="430406", gender="F",
                                birth_date=date(2015, 5, 1), employment_status="student"))
    assert kept_tally() == fresh_tally() and fresh_tally()

    submission = rows[0]
    for name, user in (("claim", world["handler"]), ("complete", world["handler"]), ("register", world["reviewer"])):
        transitions.perform(submission, name, user)
    assert kept_tally() == fresh_tally()

    # A correction that changes the ID number changes the birth date (year) and gender.
    other = rows[1]
    transitions.perform(other, "claim", world["handler"])
    transitions.correct(other, world["handler"], {"id_number": make_id_number(born="19600101", sequence=222),
                                                  "service_bank": "ccb"})
    assert kept_tally() == fresh_tally()

    transitions.reroute(rows[2], world["admin"], "430406", note="moved")  # another county
    retention.anonymise([rows[3].pk])  # the birth date becomes 1 January of its year
    assert kept_tally() == fresh_tally()

    Submission.objects.filter(pk__in=[r.pk for r in rows]).update(status=S.REJECTED)  # many rows at once
    Submission.objects.bulk_create([build_submission(queue_code=TOWNSHIP_B) for _ in range(5)])
    Submission.objects.filter(pk=rows[1].pk).delete()
    assert kept_tally() == fresh_tally()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's foreign keys are checked at commit
        cursor.execute("TRUNCATE forms_intake_submission CASCADE")
    assert kept_tally() == {}


@needs_postgres
def test_a_bulk_load_by_copy_is_tallied():
    from django.core.management import call_command

    from forms_intake.services.divisions import load_divisions
    from tests.test_generate_submissions import DIVISION_ROWS

    load_divisions(rows=DIVISION_ROWS)
    call_command("generate_submissions", "300", "--workers", "1", "--batch-size", "120", stdout=io.StringIO())
    assert Submission.objects.count() == 300
    assert kept_tally() == fresh_tally()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_in_one_county_neither_deadlock_nor_lose_counts(world):
    """Registrations and transitions at the same time update the same tally rows."""
    waiting = [make_submission() for _ in range(8)]
    world["handler"].has_perm(transitions.CLAIM)  # warm the shared user's permission cache
    barrier = threading.Barrier(8)
    errors = []

    def work(index):
        try:
            barrier.wait(timeout=30)
            make_submission(residence_division=TOWNSHIP_B, unit_division=TOWNSHIP_B)
            transitions.perform(Submission.objects.get(pk=waiting[index].pk), "claim", world["handler"])
            make_submission()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Submission.objects.count() == 24
    assert kept_tally() == fresh_tally()


# Band boundaries in the first and second half of the year, on and around 29 February.
TODAYS = [None, date(2026, 1, 1), date(2026, 3, 1), date(2024, 2, 29), date(2026, 7, 3), date(2026, 12, 31)]


def _people():
    """Births on both sides of every band boundary of TODAYS, in two cities, in several states."""
    births = [date(1966, 3, 1), date(1966, 2, 28), date(1990, 7, 3), date(1990, 7, 4), date(2008, 12, 31),
              date(2009, 1, 1), date(2019, 2, 28), date(2019, 3, 1), date(2026, 1, 1), date(1940, 6, 1),
              date(2017, 2, 28), date(2000, 2, 29), date(1985, 3, 15)]
    made = []
    for index, born in enumerate(births):
        place = {} if index % 3 else {"unit_type": "employer", "unit_division": "430406"}
        made.append(make_submission(birth_date=born, gender="MF"[index % 2], service_bank=("icbc", "ccb")[index % 2],
                                    **place))
    made.append(make_submission(residence_division=TOWNSHIP_B, unit_division=TOWNSHIP_B))
    Submission.objects.filter(pk__in=[s.pk for s in made[::4]]).update(status=S.REGISTERED)
    return made


@needs_postgres
@pytest.mark.parametrize("today", TODAYS)
def test_the_report_from_the_tally_equals_counting_the_rows(world, today):
    _people()
    cases = [
        ("43", ["43"]),  # the province: its cities
        ("4301", ["4301"]),  # a city: its counties
        ("43", ["4301", "4304"]),  # two cities' staff see the province level
        ("4301", ["430102"]),  # a county's staff at city level
    ]
    for parent, prefixes in cases:
        scope = None
        for prefix in prefixes:
            scope = prefix_q(prefix) if scope is None else scope | prefix_q(prefix)
        queryset = Submission.objects.filter(scope).filter(prefix_q(parent))
        with CaptureQueriesContext(connection) as queries:
            from_tally = statistics.report(queryset, parent, today, prefixes=prefixes)
        assert any("forms_intake_submissiontally" in q["sql"] for q in queries.captured_queries)
        assert from_tally == statistics.report(queryset, parent, today)  # one pass over the rows
        assert from_tally[0] == statistics.by_division(queryset, parent)
        separate = statistics.summary(queryset)
        separate["age_band"] = statistics.by_age_band(queryset, today)
        assert from_tally[1] == separate


def test_scope_prefixes_are_the_scope_under_the_drill_down():
    assert statistics.scope_prefixes(None, "4301") == ["4301"]
    assert statistics.scope_prefixes(["43"], "430100") == ["4301"]
    assert statistics.scope_prefixes(["4301", "4304"], "43") == ["4301", "4304"]
    assert statistics.scope_prefixes(["430102001", "430406"], "43") == ["430102001", "430406"]
    assert statistics.scope_prefixes(["4301"], "4304") == []


def _report_rows(client, **params):
    response = client.get(reverse("forms_intake_statistics"), params)
    assert response.status_code == 200
    return {row.prefix: row.total for row in response.context["object_list"]}, response.context["summary"]


def test_report_page_with_and_without_a_date_filter(client, world):
    _people()
    client.force_login(world["admin"])
    rows, summary = _report_rows(client)
    assert rows == {"4301": 9, "4304": 5}
    assert sum(n for _label, n in summary["age_band"]) == 14
    assert _report_rows(client, division="430100")[0] == {"430102": 9, "430104": 0}  # 岳麓区 listed with zero
    # A date filter is not a set of prefixes: the rows are counted (the same figures here).
    assert _report_rows(client, created_at_from="2000-01-01", created_at_to="2999-01-01")[0] == rows
    assert _report_rows(client, created_at_from="2999-01-01")[0] == {"4301": 0, "4304": 0}  # listed, zero


def test_dashboard_counts_and_oldest_waiting_item_equal_counting_the_rows(client, world):
    made = _people()
    now = timezone.now()
    for days, submission in zip((90, 60, 30, 10), made, strict=False):  # the oldest one is registered
        Submission.objects.filter(pk=submission.pk).update(created_at=now - timedelta(days=days))
    Submission.objects.filter(pk=made[2].pk).update(status=S.AWAITING_REVIEW)
    for prefixes in (["43"], ["4301"], ["430102"], ["4304"], ["4301", "4304"], [""]):
        scope = Q()
        for prefix in prefixes:
            scope |= prefix_q(prefix)
        queryset = Submission.objects.filter(scope)
        assert statistics.state_counts(queryset, prefixes=prefixes) == statistics.state_counts(queryset)
    client.force_login(world["admin"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.context["oldest_days"] == 60  # the 90-day-old one is registered
    assert {value: n for value, _label, n in response.context["rows"]}[S.REGISTERED] == 4


def _queue_count(client, **params):
    response = client.get(reverse("forms_intake_submission:index"), params)
    assert response.status_code == 200
    return response.context["paginator"].count, len(response.context["object_list"])


def test_queue_counts_equal_the_rows_listed_with_any_filter(client, world):
    made = _people()
    transitions.perform(made[1], "claim", world["admin"])
    client.force_login(world["admin"])
    assert _queue_count(client) == (10, 10)  # the queue opens on what is waiting (not the 4 registered)
    assert _queue_count(client, status=list(S.values)) == (14, 14)
    assert _queue_count(client, status=S.REGISTERED) == (4, 4)
    assert _queue_count(client, status=[S.REGISTERED, S.CLAIMED]) == (5, 5)
    assert _queue_count(client, division="430400") == (5, 5)
    assert _queue_count(client, division="430400", status=S.REGISTERED) == (2, 2)
    assert _queue_count(client, division=TOWNSHIP_B) == (1, 1)
    assert _queue_count(client, channel="counter") == (0, 0)  # a filter the tally does not know
    assert _queue_count(client, q=made[0].reference) == (1, 1)
    assert _queue_count(client, division="440100") == (14, 14)  # not a choice: filters ignored, as listed
    handler = world["handler"]
    client.force_login(handler)
    assert _queue_count(client) == (6, 6)  # township staff: the rows are counted (waiting ones)
    assert _queue_count(client, status=list(S.values)) == (8, 8)
    mine = client.get(reverse("forms_intake_submission:mine"))
    assert mine.context["paginator"].count == 0


def test_queue_count_reads_the_tally_above_township_level(client, world):
    _people()
    client.force_login(world["admin"])
    with CaptureQueriesContext(connection) as queries:
        _queue_count(client, status=S.SUBMITTED)
    row_counts = [q["sql"] for q in queries.captured_queries
                  if "COUNT(" in q["sql"].upper() and 'FROM "forms_intake_submission" ' in q["sql"]]
    if connection.vendor == "postgresql":
        assert row_counts == []
    else:
        assert len(row_counts) == 1  # SQLite: no tally, the rows are counted


@needs_postgres
def test_rebuild_command_recounts_a_tally_that_bypassed_the_triggers(world):
    from io import StringIO

    from django.core.management import call_command

    for i in range(5):
        make_submission(id_number=make_id_number(sequence=400 + i))
    SubmissionTally.objects.update(n=0)  # what a restore without the triggers would leave
    assert kept_tally() != fresh_tally()
    out = StringIO()
    call_command("rebuild_submission_tally", stdout=out)
    assert kept_tally() == fresh_tally() and fresh_tally()
    assert "tally rows:" in out.getvalue()
