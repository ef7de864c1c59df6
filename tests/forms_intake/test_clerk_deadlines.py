"""Issue 15, a clerk's working day: working days waiting, the overdue marker, overdue counts per division.

Frozen time around National Day 2026: 25–27 September (中秋) and 1–7 October are holidays,
Sunday 20 September and Saturday 10 October are adjusted working days.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone
from freezegun import freeze_time

from forms_intake.models import Submission
from forms_intake.rules import working_days
from forms_intake.services import deadlines
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

D = datetime.date
MONDAY_AFTER = "2026-10-12 02:00:00"  # 10:00 in Beijing, Monday 12 October 2026


# ---- the rule (no database) ----

def test_the_national_day_holiday_does_not_count_and_the_adjusted_saturday_does():
    assert working_days.working_days_waiting(D(2026, 9, 30), D(2026, 10, 7)) == 0  # all holiday
    assert working_days.working_days_waiting(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert working_days.working_days_waiting(D(2026, 10, 9), D(2026, 10, 10)) == 1  # 调休 Saturday
    assert working_days.working_days_waiting(D(2026, 10, 10), D(2026, 10, 11)) == 0  # Sunday
    assert working_days.working_days_waiting(D(2026, 10, 12), D(2026, 10, 12)) == 0  # the day itself


def test_the_promise_ends_after_ten_working_days_not_ten_weekdays():
    today = D(2026, 10, 12)
    # 21 September: 22–24, 28–30 September, 8, 9, 10 (Saturday) October = 10, and today makes... 10.
    assert working_days.working_days_waiting(D(2026, 9, 21), today) == 10
    assert not working_days.is_overdue(D(2026, 9, 21), today)
    # Sunday 20 September is a working day (调休): the 21st counts, 11 days.
    assert working_days.working_days_waiting(D(2026, 9, 20), today) == 11
    assert working_days.is_overdue(D(2026, 9, 20), today)
    assert working_days.last_day_not_overdue(today) == D(2026, 9, 21)
    # Monday to Friday alone would have called the 21st overdue (15 weekdays).
    weekdays = sum(1 for n in range(1, 22) if (D(2026, 9, 21) + datetime.timedelta(n)).weekday() < 5)
    assert weekdays == 15


def test_after_the_last_year_of_holiday_data_weekends_only_count_and_nothing_fails():
    last = working_days.holiday_data_last_year()
    assert last >= 2026
    after = D(last + 1, 1, 4)
    assert not working_days.holiday_data_covers(after)
    start = D(last + 1, 1, 1)
    expected = sum(1 for n in range(1, (after - start).days + 1) if (start + datetime.timedelta(n)).weekday() < 5)
    assert working_days.working_days_waiting(start, after) == expected
    # Across the boundary: the covered part by the holiday data, the rest Monday to Friday.
    assert working_days.working_days_waiting(D(last, 12, 30), D(last + 1, 1, 11)) > 0
    assert working_days.last_day_not_overdue(D(last + 1, 3, 1)) < D(last + 1, 3, 1)


# ---- the queue and the dashboard ----

def submitted_at(submission, when):
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.make_aware(when))
    return submission


@pytest.fixture
def world(db):
    # Load the URLconf before time is frozen: the API's pydantic schemas cannot be built on freezegun's dates.
    get_resolver().url_patterns  # noqa: B018
    make_divisions()
    overdue = submitted_at(make_submission(name="超期甲"), datetime.datetime(2026, 9, 20, 9, 0))
    on_time = submitted_at(make_submission(name="按期乙"), datetime.datetime(2026, 9, 21, 9, 0))
    registered = submitted_at(make_submission(name="登记丙", status="registered"), datetime.datetime(2026, 9, 1, 9))
    other = submitted_at(make_submission(name="他乡丁", unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B),
                         datetime.datetime(2026, 9, 1, 9, 0))
    return {
        "overdue": overdue, "on_time": on_time, "registered": registered, "other": other,
        "handler": make_staff("handler_d", roles.HANDLER, [TOWNSHIP_A]),
        "county": make_staff("county_d", roles.HANDLER, ["430102"]),
    }


def row_for(page, reference):
    """The queue's table row of one registration."""
    return next(row for row in re.findall(r"<tr.*?</tr>", page, re.S) if reference in row)


@freeze_time(MONDAY_AFTER)
def test_the_queue_opens_on_what_is_waiting_with_days_and_the_overdue_marker(client, world):
    client.force_login(world["handler"])
    page = client.get(reverse("forms_intake_submission:index")).content.decode()
    assert world["overdue"].reference in page and world["on_time"].reference in page
    assert world["registered"].reference not in page  # 已登记 is not mixed in
    assert world["other"].reference not in page  # another township
    overdue_row, on_time_row = row_for(page, world["overdue"].reference), row_for(page, world["on_time"].reference)
    assert "data-overdue" in overdue_row and re.search(r">\s*11\s*<span", overdue_row)
    assert "data-overdue" not in on_time_row and re.search(r">\s*10\s*<", on_time_row)
    # Every state is one untick away: ?status=registered shows the registered one.
    listing = client.get(reverse("forms_intake_submission:index"), {"status": "registered"}).content.decode()
    assert world["registered"].reference in listing


@freeze_time(MONDAY_AFTER)
def test_sorting_by_working_days_waiting_is_an_order_by_on_the_submission_time(client, world):
    client.force_login(world["handler"])
    url = reverse("forms_intake_submission:index")
    most_first = client.get(url, {"ordering": "-waiting"}).content.decode()
    assert most_first.index(world["overdue"].reference) < most_first.index(world["on_time"].reference)
    with CaptureQueriesContext(connection) as queries:
        fewest_first = client.get(url, {"ordering": "waiting"}).content.decode()
    assert fewest_first.index(world["on_time"].reference) < fewest_first.index(world["overdue"].reference)
    listing_sql = [q["sql"] for q in queries.captured_queries if "forms_intake_submission" in q["sql"]
                   and "ORDER BY" in q["sql"]]
    assert any(re.search(r'ORDER BY .*"created_at" DESC', sql) for sql in listing_sql)


@freeze_time(MONDAY_AFTER)
def test_the_overdue_filter_lists_overdue_items_only(client, world):
    client.force_login(world["handler"])
    page = client.get(reverse("forms_intake_submission:index"), {"overdue": "yes"}).content.decode()
    assert world["overdue"].reference in page
    assert world["on_time"].reference not in page and world["registered"].reference not in page


@freeze_time(MONDAY_AFTER)
def test_the_dashboard_counts_overdue_items_per_division_in_scope(client, world):
    client.force_login(world["county"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    table = re.search(r"<table[^>]*data-overdue-by-division.*?</table>", page, re.S).group(0)
    assert "文艺路街道" in table and "五里牌街道" in table  # one each: 超期甲 and 他乡丁
    assert f"division={TOWNSHIP_A}&amp;overdue=yes" in table
    client.force_login(world["handler"])
    table = re.search(r"<table[^>]*data-overdue-by-division.*?</table>",
                      client.get(reverse("wagtailadmin_home")).content.decode(), re.S).group(0)
    assert "文艺路街道" in table and "五里牌街道" not in table
    assert deadlines.overdue_by_division(Submission.objects.filter(queue_code=TOWNSHIP_A), [TOWNSHIP_A]) == [
        {"code": TOWNSHIP_A, "name": "文艺路街道", "n": 1}
    ]


@freeze_time(MONDAY_AFTER)
def test_an_overdue_filter_on_another_division_shows_nothing_of_it(client, world):
    client.force_login(world["handler"])
    page = client.get(reverse("forms_intake_submission:index"), {"overdue": "yes", "division": TOWNSHIP_B})
    assert page.status_code == 200 and world["other"].reference not in page.content.decode()


@pytest.mark.parametrize(("now", "shown"), [("2026-06-01 02:00:00", False), ("2026-12-01 02:00:00", True),
                                             ("2027-01-05 02:00:00", True)])
def test_administrators_are_told_when_the_holiday_data_runs_out(client, world, now, shown):
    admin = make_staff("admin_d", roles.PROVINCIAL_ADMIN, ["430000"])
    with freeze_time(now):
        client.force_login(admin)
        assert ("data-holiday-notice" in client.get(reverse("wagtailadmin_home")).content.decode()) is shown
        client.force_login(world["handler"])  # a clerk cannot upgrade a package: no notice
        assert "data-holiday-notice" not in client.get(reverse("wagtailadmin_home")).content.decode()


@freeze_time(MONDAY_AFTER)
def test_the_dashboards_overdue_counts_are_reused_for_a_few_minutes(client, world, django_assert_max_num_queries):
    from django.db.models import Q

    scope = Submission.objects.filter(Q(queue_code__startswith="430102"))
    first = deadlines.cached_overdue_by_division(scope, ["430102"])
    assert {row["code"]: row["n"] for row in first} == {TOWNSHIP_A: 1, TOWNSHIP_B: 1}
    with django_assert_max_num_queries(0):
        assert deadlines.cached_overdue_by_division(scope, ["430102"]) == first
    # Another scope is its own entry.
    assert deadlines.cached_overdue_by_division(scope.filter(queue_code=TOWNSHIP_A), [TOWNSHIP_A]) == [
        {"code": TOWNSHIP_A, "name": "文艺路街道", "n": 1}]
