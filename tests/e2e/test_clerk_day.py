"""Browser test of a clerk's working day (issue 15): a handler processes five registrations in a row,
each action leading to the next item of the same filtered list; the last is rejected through the
confirmation page (not a pop-up) and the clerk is back on the list."""

import codecs
import csv
import datetime
import io
import pathlib
import re

import pytest
from django.utils import timezone

from forms_intake.models import Submission
from portal import roles
from tests.e2e.admin_session import admin_login
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.e2e


def _do(page, action):
    page.locator(f"form[action$='/{action}/'] button[type='submit']").click()
    page.wait_for_load_state("domcontentloaded")


def test_a_handler_processes_five_registrations_in_a_row_with_next(transactional_db, live_server, browser):
    make_divisions()
    start = timezone.now() - datetime.timedelta(days=2)
    items = []
    for n in range(5):
        item = make_submission(name=f"陈{n}")
        Submission.objects.filter(pk=item.pk).update(created_at=start + datetime.timedelta(minutes=n))
        items.append(item)
    # Not in the list: another township's, and one already registered.
    make_submission(name="外乡", unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)
    make_submission(name="已办", status="registered")
    make_staff("clerk_e2e", roles.HANDLER, [TOWNSHIP_A], first_name="刘经办")

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    base = live_server.url
    admin_login(page, base, "clerk_e2e")

    page.goto(base + "/admin/registrations/?status=submitted")
    page.get_by_role("link", name=items[0].reference).click()
    for index, item in enumerate(items):
        page.wait_for_url(re.compile(rf".*/admin/registrations/inspect/{item.pk}/$"))
        assert item.reference in page.content()
        _do(page, "claim")  # stays on the item
        assert page.url.endswith(f"/inspect/{item.pk}/")
        if index < len(items) - 1:
            _do(page, "complete")  # send for review: the next item opens
            continue
        page.select_option("select[name='reason']", "other")
        page.fill("textarea[id='note-reject']", "本人已在外省参保")
        _do(page, "reject")
        assert page.locator("[data-confirm-action='reject']").is_visible()
        assert "本人已在外省参保" in page.content()
        page.get_by_role("button", name=re.compile("不予登记|Do not register")).click()
        page.wait_for_url(re.compile(r".*/admin/registrations/\?status=submitted$"))
    statuses = [Submission.objects.get(pk=item.pk).status for item in items]
    assert statuses == ["awaiting_review"] * 4 + ["rejected"]

    # The day's list as a CSV file, from the header's 操作 menu, read as Excel on a Chinese Windows reads it:
    # a UTF-8 byte-order mark (without one Excel falls back to cp936 and garbles the Chinese), labels not codes.
    page.goto(base + "/admin/registrations/?status=awaiting_review")
    page.get_by_role("button", name="操作").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    raw = pathlib.Path(download.path()).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert "姓名" in header and "状态" in header
    names = {row[header.index("姓名")] for row in body}
    assert names == {f"陈{n}" for n in range(4)}  # the four sent for review, and nothing of township B
    assert {row[header.index("状态")] for row in body} == {"待校核"}
    for row in body:  # no full ID number in a handler's export
        assert not any(re.fullmatch(r"\d{17}[\dX]", cell) for cell in row)


def test_the_paper_forms_divisions_cascade_and_the_employer_name_fills_in(transactional_db, live_server, browser):
    from django.urls import reverse
    from playwright.sync_api import expect

    from forms_intake.models import DataImport, Employer

    make_divisions()
    make_staff("entry_e2e", roles.HANDLER, [TOWNSHIP_A], first_name="何录入")
    data_import = DataImport.objects.create(kind="employer", file_name="employers.csv", sha256="0" * 64)
    Employer.objects.create(credit_code="91430100MA4L16JX8F", organization_code="123456788",
                            name="长沙市某某科技有限公司", division_code="430102", data_import=data_import)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    base = live_server.url
    admin_login(page, base, "entry_e2e")
    page.goto(base + reverse("forms_intake_submission:add"))
    url_before = page.url
    # Each select is filled from the one above, without a reload (select_option waits for the option).
    for level, code in zip(["province", "city", "county", "town"], ["430000", "430100", "430102", TOWNSHIP_A],
                           strict=True):
        page.select_option(f"select[name='address-residence_{level}']", code, timeout=5000)
    assert page.url == url_before
    assert page.locator("select[name='address-residence_town']").input_value() == TOWNSHIP_A
    assert not page.locator("[data-division-refresh]").first.is_visible()  # the no-JS hint is hidden
    assert page.locator("button[name='refresh']").is_visible()  # still needed for the proxy and workplace parts
    # Issue 13: typing the employer's code fills in its registered name (the wizard's employer_lookup.js and the
    # public /api/v1/employers/ endpoint); the paper form may abbreviate it in the employment box.
    page.check("input[name='employment-employment_status'][value='employed_in_province']")
    page.fill("input[name='employment-employer_name']", "某某科技")
    with page.expect_navigation(wait_until="load"):  # the script listens once the new page has loaded
        page.locator("button[name='refresh']").click()
    page.fill("input[name='unit-unit_name']", "")
    page.fill("input[name='unit-unit_code']", "91430100MA4L16JX8F")
    expect(page.locator("input[name='unit-unit_name']")).to_have_value("长沙市某某科技有限公司")
    assert not errors, errors


def test_the_overdue_marker_counts_the_national_day_holiday(transactional_db, live_server, browser, settings):
    """Monday 12 October 2026: submitted Monday 21 September has waited 10 working days (the holidays of
    25–27 September and 1–7 October do not count, the adjusted Sunday 20 and Saturday 10 do): on time.
    Submitted on Sunday 20 September (a working day): 11, overdue. Monday to Friday alone would say 15."""
    from django.urls import get_resolver
    from freezegun import freeze_time

    get_resolver().url_patterns  # noqa: B018 - the URLconf (and the API's schemas) loaded before time is frozen
    make_divisions()
    on_time = make_submission(name="按期")
    overdue = make_submission(name="超期")
    for item, day in ((on_time, 21), (overdue, 20)):
        Submission.objects.filter(pk=item.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2026, 9, day, 10, 0)))
    make_staff("late_e2e", roles.HANDLER, [TOWNSHIP_A], first_name="周经办")
    # The session cookie must not carry a frozen expiry date that the browser's real clock has passed.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with freeze_time("2026-10-12 02:00:00", tick=True):
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
        base = live_server.url
        admin_login(page, base, "late_e2e")
        page.goto(base + "/admin/registrations/?ordering=-waiting")
        late_row = page.locator("tr", has_text=overdue.reference)
        on_time_row = page.locator("tr", has_text=on_time.reference)
        assert late_row.locator("[data-overdue]").is_visible()
        assert re.search(r"\b11\b", late_row.inner_text())
        assert on_time_row.locator("[data-overdue]").count() == 0
        assert re.search(r"\b10\b", on_time_row.inner_text())
        # Most days waiting first, and the dashboard counts the one overdue item of the township.
        rows = page.locator("tbody tr").all_inner_texts()
        assert overdue.reference in rows[0] and on_time.reference in rows[1]
        page.goto(base + "/admin/")
        assert "文艺路街道" in page.locator("[data-overdue-by-division]").inner_text()
