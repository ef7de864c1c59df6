"""The regional statistical analysis report (seed item 19, 分行政区域撰写全民参保登记情况统计分析报告) as an XLSX job.

For one division (within the user's divisions): registrations by state, employment status, reason for not
being insured, service bank, gender and age band (forms_intake/services/statistics.py), the trend by week,
the divisions one level down (zero rows included), and a generated summary paragraph in Chinese and in
English. Built by a background job (portal/jobs) so that a province-wide report never runs in a request;
the file is encrypted at rest like every job's file, and only the user who started it downloads it.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django_tasks import task
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from weasyprint import HTML

from forms_intake.models import Division
from forms_intake.rules.crypto import get_fernet
from forms_intake.rules.routing import scope_prefix
from forms_intake.rules.states import SubmissionStatus
from forms_intake.rules.text import current_date
from forms_intake.services import statistics
from forms_intake.services.pdf import StaticOnlyFetcher
from forms_intake.services.scope import prefix_q, scoped_submissions, user_divisions
from portal.jobs import files, runner

KIND = "regional_report"
VIEW_PERMISSION = "forms_intake.view_submission"
REGISTERED = (SubmissionStatus.REGISTERED, SubmissionStatus.CARD_ISSUED)
FORMATS = ("xlsx", "pdf")
BREAKDOWNS = (
    ("按状态", "status"),
    ("就业状态", "employment_status"),
    ("未参保原因", "not_insured_reason"),
    ("服务银行", "service_bank"),
    ("性别", "gender"),
)
WEEKS = 12


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trend(queryset, today: date, weeks: int = WEEKS):
    """[(Monday of the week, registrations received that week)] for the last ``weeks`` weeks, oldest first.

    Counted per day in SQL (Beijing dates, the site's time zone) and summed per week here, the same on
    PostgreSQL and SQLite.
    """
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    per_day = (
        queryset.filter(created_at__date__gte=first)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for row in per_day:
        counts[_week_start(row["day"])] += row["n"]
    return sorted(counts.items())


def figures(queryset, division, today: date | None = None):
    """Everything the report shows, as plain data (``queryset``: the division's submissions, already scoped)."""
    today = today or current_date()
    prefix = scope_prefix(division.code)
    divisions = statistics.with_zero_divisions(statistics.by_division(queryset, prefix), prefix)
    result = statistics.summary(queryset)
    total = sum(n for _value, _label, n in result["status"])
    registered = sum(n for value, _label, n in result["status"] if value in REGISTERED)
    return {
        "division": {"code": division.code, "name": division.name},
        "date": today,
        "total": total,
        "registered": registered,
        "summary": result,
        "weeks": weekly_trend(queryset, today),
        "divisions": divisions,
    }


def _share(n, total):
    return f"{n * 100 / total:.1f}" if total else "0.0"


def summary_paragraphs(data):
    """(Chinese, English) summary paragraphs of the figures, generated from them (no free text)."""
    name, total, registered = data["division"]["name"], data["total"], data["registered"]
    day = data["date"]
    if not total:
        return (
            f"截至{day.year}年{day.month}月{day.day}日，{name}尚无全民参保登记记录。",
            f"As of {day:%Y-%m-%d}, {name} has no registrations yet.",
        )
    summary = data["summary"]
    zh = [
        f"截至{day.year}年{day.month}月{day.day}日，{name}共收到全民参保登记{total}人，"
        f"其中已登记（含已发卡）{registered}人，占{_share(registered, total)}%。"
    ]
    en = [
        f"As of {day:%Y-%m-%d}, {name} has received {total} registrations, of which {registered} "
        f"({_share(registered, total)} %) are registered (card issued included)."
    ]
    for field, zh_label, en_label in (
        ("employment_status", "就业状态以", "The most frequent employment status is"),
        ("not_insured_reason", "未参保原因以", "The most frequent reason for not being insured is"),
        ("service_bank", "服务银行以", "The most chosen service bank is"),
    ):
        rows = summary.get(field) or []
        if rows:
            _value, label, n = rows[0]
            zh.append(f"{zh_label}“{label}”为最多（{n}人，占{_share(n, total)}%）。")
            en.append(f"{en_label} “{label}” ({n}, {_share(n, total)} %).")
    bands = [(label, n) for label, n in summary.get("age_band", []) if n]
    if bands:
        label, n = max(bands, key=lambda band: band[1])
        zh.append(f"年龄以{label}岁为主（{n}人）。")
        en.append(f"The largest age band is {label} ({n}).")
    weeks = data["weeks"]
    if len(weeks) >= 2:
        (_w1, before), (_w2, last) = weeks[-2], weeks[-1]
        trend_zh = "持平" if last == before else ("增加" if last > before else "减少")
        trend_en = "the same as" if last == before else ("more than" if last > before else "fewer than")
        zh.append(f"本周新增登记{last}人，较上周（{before}人）{trend_zh}。")
        en.append(f"This week {last} registrations arrived, {trend_en} the week before ({before}).")
    empty = [row["name"] for row in data["divisions"] if not row["total"]]
    if empty:
        zh.append(f"尚无登记的下级区划：{'、'.join(empty[:10])}{'等' if len(empty) > 10 else ''}。")
        en.append(
            f"Divisions with no registration yet: {', '.join(empty[:10])}{' and others' if len(empty) > 10 else ''}."
        )
    return "".join(zh), " ".join(en)


def write_workbook(data, out):
    """The report as an XLSX workbook: the summary sheet first, then one sheet per breakdown."""
    zh, en = summary_paragraphs(data)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "摘要"
    name = data["division"]["name"]
    sheet.append([f"{name}全民参保登记情况统计分析报告"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"区划代码 {data['division']['code']}", f"统计日期 {data['date']:%Y-%m-%d}"])
    sheet.append([zh])
    sheet.append([en])
    sheet.append(["登记总数", data["total"]])
    sheet.append(["已登记（含已发卡）", data["registered"]])
    for row in (3, 4):
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100
    for title, field in (
        ("按状态", "status"),
        ("就业状态", "employment_status"),
        ("未参保原因", "not_insured_reason"),
        ("服务银行", "service_bank"),
        ("性别", "gender"),
    ):
        ws = workbook.create_sheet(title)
        ws.append([title, "人数", "占比（%）"])
        for _value, label, n in data["summary"][field]:
            ws.append([str(label), n, float(_share(n, data["total"]))])
    ws = workbook.create_sheet("年龄段")
    ws.append(["年龄段", "人数"])
    for label, n in data["summary"]["age_band"]:
        ws.append([label, n])
    ws = workbook.create_sheet("每周趋势")
    ws.append(["周（周一）", "新增登记"])
    for week, n in data["weeks"]:
        ws.append([week, n])
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd"
    ws = workbook.create_sheet("下级区划")
    states = list(SubmissionStatus)
    ws.append(["区划代码", "区划名称", "合计", *[str(state.label) for state in states]])
    for row in data["divisions"]:
        ws.append([row["code"], row["name"], row["total"], *[row.get(state.value, 0) for state in states]])
    workbook.save(out)


def breakdown_tables(data):
    """[(heading, [(label, n, share %)])] of every breakdown, as the PDF shows them (the summary report too)."""
    total = data["total"]
    breakdowns = [
        (title, [(str(label), n, _share(n, total)) for _value, label, n in data["summary"][field]])
        for title, field in BREAKDOWNS
    ]
    breakdowns.append(("年龄段", [(label, n, _share(n, total)) for label, n in data["summary"]["age_band"]]))
    return breakdowns


def write_pdf(data):
    """The report as PDF bytes (A4, WeasyPrint, offline: the template names no external file)."""
    zh, en = summary_paragraphs(data)
    breakdowns = breakdown_tables(data)
    html = render_to_string(
        "forms_intake/regional_report_pdf.html",
        {
            "title": f"{data['division']['name']}全民参保登记情况统计分析报告",
            "data": data,
            "zh": zh,
            "en": en,
            "breakdowns": breakdowns,
        },
    )
    return render_pdf(html)


def render_pdf(html):
    """PDF bytes of a report's HTML (A4, WeasyPrint, offline: nothing outside the static files is fetched)."""
    base_url = "http://localhost/"
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url)).write_pdf()


def write_encrypted_report(context, data, write_pdf, write_workbook):
    """Write the report of ``data`` in the job's format (PDF or XLSX), encrypted, to the job's part file.
    Returns (part path, file format)."""
    file_format = context.params.get("format", "xlsx")
    if file_format == "pdf":
        content = write_pdf(data)
    else:
        file_format, buffer = "xlsx", BytesIO()
        write_workbook(data, buffer)
        content = buffer.getvalue()
    part = context.part_path()
    with files.encrypted_writer(part, get_fernet()) as out:
        out.write(content)
    return part, file_format


# --------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------


def report_divisions(user):
    """The divisions the user may report on: their own and everything below (none without the permission)."""
    if not user.has_perm(VIEW_PERMISSION):
        return Division.objects.none()
    return user_divisions(user)


def start(user, division, file_format="xlsx"):
    """Start (or join the running) report job of ``division`` for ``user``; returns (job, created)."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    params = {"division": division.code, "format": file_format}
    return runner.start(build_regional_report, user=user, kind=KIND, params=params, message=division.name)


def _build(context):
    user = context.job.user
    code = context.params.get("division", "")
    division = report_divisions(user).filter(code=code).first() if user is not None and user.is_active else None
    if division is None:
        raise runner.JobRefused("This division is not within your divisions.")
    context.progress(0, message=division.name, force=True)
    queryset = scoped_submissions(user).filter(prefix_q(scope_prefix(division.code)))
    data = figures(queryset, division)
    part, file_format = write_encrypted_report(context, data, write_pdf, write_workbook)
    # ASCII only: the download sends it in a Content-Disposition header as it is.
    filename = f"regional-report-{division.code}-{data['date']:%Y%m%d}.{file_format}"
    return {
        "file": part,
        "suffix": f".{file_format}.enc",
        "filename": filename,
        "format": file_format,
        "rows": data["total"],
    }


@task()
def build_regional_report(job_id):
    """Task: build the regional report of job ``job_id`` (its division is in the Job row)."""
    return runner.run(job_id, _build)
