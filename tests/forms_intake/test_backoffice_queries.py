"""Query shapes of the back office that keep it fast at a million submissions (issue 6).

The timings themselves are measured by `make bench` (bench/probe.py); these
tests pin the shapes that make them possible, and check that the faster paths
return exactly what the plain ones do, in scope, with the audit intact.
Run them on PostgreSQL too (DATABASE_URL=postgres://…): `statistics.report`
takes its single-query path there.
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forms_intake.backoffice import exports
from forms_intake.models import ExportAudit, Submission, SubmissionEvent, SubmissionLogEntry
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import statistics
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    return {
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "admin": make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]),
    }


def _make_rows(count, **overrides):
    """`count` submissions in township A with distinct, some equal, timestamps (ties test the order)."""
    rows = [make_submission(**overrides) for _ in range(count)]
    base = timezone.now() - timedelta(days=30)
    for index, row in enumerate(rows):
        Submission.objects.filter(pk=row.pk).update(created_at=base + timedelta(minutes=index // 3))
    return rows


def _listed(client, **params):
    response = client.get(reverse("forms_intake_submission:index"), params)
    assert response.status_code == 200
    return response, [row.pk for row in response.context["object_list"]]


def test_pages_cover_the_queue_once_oldest_first_with_the_same_queries_on_any_page(client, world):
    rows = _make_rows(120)
    make_submission(unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)  # out of scope
    client.force_login(world["handler"])
    _listed(client)  # warm caches
    expected = list(Submission.objects.filter(queue_code=TOWNSHIP_A).order_by("created_at", "pk")
                    .values_list("pk", flat=True))
    seen, counts = [], []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response, pks = _listed(client, p=page)
        counts.append(len(queries))
        seen += pks
    assert seen == expected and len(seen) == len(rows)
    assert len(set(counts)) == 1, counts  # page 3 costs what page 1 costs
    # Newest first is the exact reverse.
    reverse_seen = []
    for page in (1, 2, 3):
        reverse_seen += _listed(client, p=page, ordering="-created_at")[1]
    assert reverse_seen == expected[::-1]


def test_state_filter_runs_no_distinct_and_lists_only_that_state(client, world):
    rows = _make_rows(6)
    Submission.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(status=S.CLAIMED)
    client.force_login(world["handler"])
    with CaptureQueriesContext(connection) as queries:
        response, pks = _listed(client, status=S.CLAIMED)
    assert sorted(pks) == sorted([rows[0].pk, rows[1].pk])
    assert response.context["paginator"].count == 2
    submission_sql = [q["sql"] for q in queries.captured_queries if "forms_intake_submission" in q["sql"]]
    assert submission_sql and not any("DISTINCT" in sql.upper() for sql in submission_sql)


def test_the_list_never_reads_encrypted_columns(client, world):
    _make_rows(3)
    client.force_login(world["handler"])
    with CaptureQueriesContext(connection) as queries:
        _listed(client)
    row_queries = [q["sql"] for q in queries.captured_queries if '"forms_intake_submission"."reference"' in q["sql"]]
    assert row_queries
    for column in ("id_number", "phone", "proxy_phone", "proxy_id_number"):
        assert not any(f'"forms_intake_submission"."{column}",' in sql or
                       f'"forms_intake_submission"."{column}" ' in sql for sql in row_queries), column


def test_csv_export_reads_in_chunks_and_records_the_export_once(client, world, monkeypatch):
    rows = _make_rows(7)
    outside = make_submission(unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 3)
    client.force_login(world["handler"])
    response = client.get(reverse("forms_intake_submission:index"), {"export": "csv"})
    assert response.streaming
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    references = {line[0] for line in lines[1:]}
    assert references == {row.reference for row in rows}
    assert outside.reference not in references
    # One audit entry for the export; the exported submissions' timelines are untouched.
    [entry] = ExportAudit.objects.all()
    assert (entry.user, entry.row_count, entry.format, entry.unmasked) == (world["handler"], 7, "csv", False)
    assert not SubmissionEvent.objects.filter(action="export").exists()
    assert not SubmissionLogEntry.objects.filter(action="forms_intake.export").exists()


def test_export_skips_the_listing_context_and_never_counts(client, world):
    _make_rows(4)
    client.force_login(world["handler"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("forms_intake_submission:index"), {"export": "csv"})
        b"".join(response.streaming_content)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # The only count allowed is the bounded one that decides whether the export becomes a job.
    counts = [q["sql"].upper() for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert all(" LIMIT " in count for count in counts), counts
    # Masked export: the ciphertext columns are not even read.
    assert '"forms_intake_submission"."id_number",' not in sql


def test_report_single_query_equals_the_separate_breakdowns(world):
    make_submission(birth_date=date(2015, 5, 1), employment_status="student", gender="F", service_bank="abc")
    make_submission(unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)
    make_submission(unit_type="employer", unit_division="430406")
    registered = make_submission()
    Submission.objects.filter(pk=registered.pk).update(status=S.REGISTERED)
    for prefix, queryset in [("43", Submission.objects.all()),
                             ("430102", Submission.objects.filter(queue_code__startswith="430102"))]:
        divisions, summary = statistics.report(queryset, prefix)
        assert divisions == statistics.by_division(queryset, prefix)
        assert summary == statistics.summary(queryset)
    assert sum(n for _value, _label, n in statistics.report(Submission.objects.all(), "43")[1]["status"]) == 4


def test_report_page_runs_a_constant_number_of_queries(client, world):
    _make_rows(3)
    client.force_login(world["admin"])
    url = reverse("forms_intake_statistics")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _make_rows(9, unit_type="employer", unit_division="430406")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few) == len(more)


def test_dashboard_counts_with_count_star(world):
    _make_rows(2)
    with CaptureQueriesContext(connection) as queries:
        counts, oldest = statistics.state_counts(Submission.objects.filter(queue_code=TOWNSHIP_A))
    assert counts == {S.SUBMITTED: 2} and oldest is not None
    assert "COUNT(*)" in queries.captured_queries[0]["sql"]


def test_the_division_filter_offers_the_scope_indented_and_keeps_the_choice(client, world):
    """The queue's division filter is Django's select: the user's divisions and below, the chosen one selected."""
    _make_rows(2)
    client.force_login(world["admin"])
    response, listed = _listed(client, division=TOWNSHIP_A)
    body = response.content.decode()
    select = re.search(r'<select name="division"[^>]*>(.*?)</select>', body, re.S)
    assert select, "no division filter"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    values = [value for value, _selected, _label in options]
    assert "430000" in values and TOWNSHIP_A in values and TOWNSHIP_B in values
    assert [value for value, selected, _label in options if selected] == [TOWNSHIP_A]
    township = next(label for value, _selected, label in options if value == TOWNSHIP_A)
    assert township.startswith("\u2003\u2003\u2003") and township.endswith(f"({TOWNSHIP_A})")
    assert len(listed) == 2


def test_queue_rows_show_masked_numbers_states_flags_and_a_claim_checkbox(client, world):
    """The queue's cells (Wagtail's column templates): what a handler reads and ticks on each row."""
    open_row, flagged, claimed = _make_rows(3)
    Submission.objects.filter(pk=flagged.pk).update(has_flags=True)
    Submission.objects.filter(pk=claimed.pk).update(status=S.CLAIMED, handler=world["handler"])
    client.force_login(world["handler"])
    response, listed = _listed(client)
    body = response.content.decode()
    assert set(listed) == {open_row.pk, flagged.pk, claimed.pk}
    for row in (open_row, flagged):
        assert (f'<input type="checkbox" name="id" value="{row.pk}" form="bulk-claim-form" '
                f'aria-label="选择 {row.reference}" data-object-id="{row.pk}" data-bulk-action-checkbox') in body
    assert f'value="{claimed.pk}" form="bulk-claim-form"' not in body
    assert body.count('<span class="w-status w-status--label">疑点</span>') == 1
    assert open_row.id_number_masked in body and open_row.id_number not in body
    assert str(S(S.CLAIMED).label) in body
