"""The statistics report as a file: every breakdown the page shows, named after the division and the date.

XLSX: one sheet per table of the page (divisions × states and cards issued / collected, with the
divisions that have no registration; then state, employment status, reason, bank, gender and age band, every choice
listed, zeros included). CSV: the same tables one after the other, each under its title, with
the byte-order mark Excel needs (exports.CSV_BOM).
"""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forms_intake.backoffice.exports import CSV_BOM, CSV_CONTENT_TYPE
from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.rules.choices import NotInsuredReason, ServiceBank
from forms_intake.rules.states import SubmissionStatus

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def breakdown_titles():
    """(summary key, title, every choice) of the breakdown tables, in the page's order."""
    return [
        ("status", _("By state"), SubmissionStatus.choices),
        ("employment_status", _("就业状态"), annex2.schema().by_name["employment_status"].labelled_choices),
        ("not_insured_reason", _("未参保原因"), NotInsuredReason.choices),
        ("service_bank", _("社保卡服务银行"), ServiceBank.choices),
        ("gender", _("gender"), Submission._meta.get_field("gender").choices),
    ]


def card_headings():
    """The headings of the division table's card columns (after the states); lazy, for the view's class."""
    return {"cards_issued": gettext_lazy("Cards issued"), "cards_collected": gettext_lazy("Cards collected")}


def tables(division_rows, summary, heading):
    """[(title, header row, rows)] of the report: what the page shows, zeros included."""
    status_labels = [str(label) for _value, label in SubmissionStatus.choices]
    result = [(
        heading,
        [_("division"), _("code"), _("total"), *status_labels, *card_headings().values()],
        [[row.name, row.code, row.total, *[n for _value, n in row.by_status], row.cards_issued, row.cards_collected]
         for row in division_rows],
    )]
    for key, title, choices in breakdown_titles():
        counts = {value: n for value, _label, n in summary.get(key, [])}
        rows = [[str(label), counts.pop(value, 0)] for value, label in choices]
        rows += [[str(value), n] for value, n in counts.items()]  # a value outside today's choices
        result.append((str(title), [str(title), _("registrations")], rows))
    age_title = _("By age band (from the ID number)")
    result.append((age_title, [age_title, _("registrations")], [[label, n] for label, n in summary["age_band"]]))
    return result


def _sheet_title(title, used):
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def xlsx_response(report_tables, filename):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used = set()
    for title, header, rows in report_tables:
        sheet = workbook.create_sheet(title=_sheet_title(title, used))
        sheet.append([str(cell) for cell in header])
        for row in rows:
            sheet.append([cell if isinstance(cell, int) else str(cell) for cell in row])
    output = BytesIO()
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, content_type=XLSX_CONTENT_TYPE, filename=f"{filename}.xlsx")


def csv_response(report_tables, filename):
    buffer = StringIO()
    writer = csv.writer(buffer)
    for index, (title, header, rows) in enumerate(report_tables):
        if index:
            writer.writerow([])
        writer.writerow([str(title)])
        writer.writerow([str(cell) for cell in header])
        writer.writerows([[str(cell) for cell in row] for row in rows])
    response = HttpResponse((CSV_BOM + buffer.getvalue()).encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def filename(division_name, code, day):
    """登记统计-芙蓉区-430102-2026-12-01 (the division's name may hold Chinese: RFC 6266 filename*)."""
    safe = "".join(c for c in str(division_name) if c.isalnum()) or code
    return f"{_('登记统计')}-{safe}-{code}-{day.isoformat()}"

