"""The column specification of imported files (insured persons, population, employers) and row checks.

Declared once: the import (services/imports.py), the error report and docs/outreach-data.md all read
``SPECS``. Columns are matched by header name, Chinese or English, ignoring case, spaces, underscores
and full-width forms; their order does not matter and unknown columns are ignored. Each row is checked
with the wizard's own rules (``parse_resident_id``, ``validate_person_name``, ``validate_employer_code``,
``normalize_phone``, with the fast paths of rules/outreach_checks.py for common well-formed values); a failed
check yields a *reason code*, never the value, so that error reports and logs carry no personal data.

Pure: no database, no file access.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from forms_intake.rules import outreach_checks as checks
from forms_intake.rules.text import to_text
from forms_intake.rules.validators import normalize_id_number

INSURED, POPULATION, EMPLOYER = "insured", "population", "employer"

# Labels and codes of models/outreach.py choices, repeated here so that rules stay free of models;
# tests/forms_intake/outreach/test_imports_columns.py checks that both agree.
INSURANCE_TYPES = {
    "employee_pension": "企业职工基本养老保险",
    "resident_pension": "城乡居民基本养老保险",
    "public_pension": "机关事业单位养老保险",
    "employee_medical": "职工基本医疗保险",
    "resident_medical": "城乡居民基本医疗保险",
    "unemployment": "失业保险",
    "work_injury": "工伤保险",
}
INSURED_STATUSES = {"active": "正常参保", "suspended": "暂停缴费", "terminated": "终止参保"}
LIFE_EVENTS = {"deceased": "死亡", "moved_out": "迁出"}

#: Reason code → what the error report says (never the value itself).
REASONS = {
    "required": _("This column is required and is empty."),
    "id_format": _("Not an 18-character resident ID number (17 digits and a digit or X, valid province code)."),
    "id_checksum": _("The ID number's check digit does not match the other digits."),
    "id_birth_date": _("The ID number's date of birth is not a real date, is before 1900 or is in the future."),
    "name_invalid": _("Not a valid name (2–40 Chinese characters or Latin letters)."),
    "division_invalid": _("Not a division code (6, 9 or 12 digits starting with a province code)."),
    "insurance_type_unknown": _("Unknown insurance type: use one of the labels or codes of the specification."),
    "status_unknown": _("Unknown insurance status: use one of the labels or codes of the specification."),
    "life_event_unknown": _("Unknown life event: leave empty, or use 死亡 / 迁出 (deceased / moved_out)."),
    "employer_code_invalid": _("Not a valid unified social credit code (18) or organization code (9)."),
    "phone_invalid": _("Not a valid mainland China mobile or landline number."),
    "too_long": _("Longer than 200 characters."),
    "division_missing": _("Neither the hukou nor the residence division code is given."),
}


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str
    zh: str
    en: str
    check: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


_ID = Column(
    "id_number",
    "身份证号码",
    "ID number",
    "id_number",
    True,
    ("公民身份号码", "身份证号"),
    "18-character resident ID number; checked like the wizard (check digit, birth date).",
)
_NAME = Column("name", "姓名", "Name", "name", True, (), "2–40 Chinese characters or Latin letters.")

SPECS: dict[str, tuple[Column, ...]] = {
    INSURED: (
        _ID,
        _NAME,
        Column(
            "insurance_type",
            "险种",
            "Insurance type",
            "insurance_type",
            True,
            ("险种类型",),
            "A label or code of the insurance types table.",
        ),
        Column(
            "insured_place",
            "参保地区划代码",
            "Insured place",
            "division",
            True,
            ("参保地",),
            "Division code of the insured place (6, 9 or 12 digits).",
        ),
        Column("status", "参保状态", "Status", "insured_status", True, (), "A label or code of the status table."),
        Column(
            "employer_code",
            "单位代码",
            "Employer code",
            "employer_code",
            False,
            ("统一社会信用代码", "Credit code"),
            "The employer's credit code or organization code, if any.",
        ),
    ),
    POPULATION: (
        _ID,
        _NAME,
        Column(
            "hukou_division",
            "户籍地区划代码",
            "Hukou division",
            "division",
            False,
            (),
            "Division code of the hukou (household registration); this or the residence code is needed.",
        ),
        Column("hukou_address", "户籍地址", "Hukou address", "text", False, (), "Up to 200 characters."),
        Column(
            "residence_division",
            "居住地区划代码",
            "Residence division",
            "division",
            False,
            (),
            "Division code where the person lives (6, 9 or 12 digits).",
        ),
        Column("residence_address", "居住地址", "Residence address", "text", False, (), "Up to 200 characters."),
        Column("phone", "联系电话", "Phone", "phone", False, ("手机号码",), "Mobile or landline with area code."),
        Column(
            "life_event",
            "人员状态",
            "Life event",
            "life_event",
            False,
            (),
            "Civil affairs: 死亡 (deceased) or 迁出 (moved_out); empty otherwise.",
        ),
    ),
    EMPLOYER: (
        Column(
            "employer_code",
            "单位代码",
            "Employer code",
            "employer_code",
            True,
            ("统一社会信用代码", "组织机构代码", "Credit code", "Organization code"),
            "18-character unified social credit code or 9-character organization code.",
        ),
        Column("name", "单位名称", "Employer name", "text_required", True, ("Name",), "Up to 200 characters."),
        Column(
            "division_code",
            "所在地区划代码",
            "Division",
            "division",
            False,
            ("所在地",),
            "Division code of the employer's address (routes its suspect records).",
        ),
    ),
}


def normalize_header(value) -> str:
    """A header as compared: full-width folded (NFKC), case-folded, without spaces, underscores or BOM."""
    text = unicodedata.normalize("NFKC", to_text(value)).replace("\ufeff", "").casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "_-")


class HeaderError(ValueError):
    """The header row lacks a required column or names one twice (the file cannot be imported)."""

    def __init__(self, missing=(), repeated=()):
        self.missing = tuple(missing)
        self.repeated = tuple(repeated)
        super().__init__(f"missing={self.missing} repeated={self.repeated}")


def match_headers(kind: str, headers) -> dict[str, int]:
    """Map column keys to positions in ``headers``; raises HeaderError naming what is wrong."""
    names = {normalize_header(name): column for column in SPECS[kind] for name in column.headers}
    positions: dict[str, int] = {}
    repeated = []
    for index, header in enumerate(headers):
        column = names.get(normalize_header(header))
        if column is None:
            continue
        if column.key in positions:
            repeated.append(column)
            continue
        positions[column.key] = index
    missing = [column for column in SPECS[kind] if column.required and column.key not in positions]
    if missing or repeated:
        raise HeaderError(missing, repeated)
    return positions


def column_label(kind: str, key: str) -> str:
    """ "身份证号码 (ID number)": how a column is named in error reports."""
    for column in SPECS[kind]:
        if column.key == key:
            return f"{column.zh} ({column.en})"
    return key


_CHECKS = {
    "id_number": checks.check_id_number,
    "name": checks.check_name,
    "division": checks.check_division,
    "insurance_type": checks.choice_check(INSURANCE_TYPES, "insurance_type_unknown"),
    "insured_status": checks.choice_check(INSURED_STATUSES, "status_unknown"),
    "life_event": checks.choice_check(LIFE_EVENTS, "life_event_unknown"),
    "employer_code": checks.check_employer_code,
    "phone": checks.check_phone,
    "text": checks.check_text,
    "text_required": checks.check_text,
}
#: Per kind: (key, check function, required, is the ID number) in column order.
_ROW_PLANS = {
    kind: tuple((c.key, _CHECKS[c.check], c.required, c.check == "id_number") for c in columns)
    for kind, columns in SPECS.items()
}
check_id_number = checks.check_id_number


def check_row(kind: str, cells: dict[str, str], today: date):
    """Check one row given as {column key: cell text}; returns (clean values, [(column key, reason)]).

    The clean value of ``id_number`` is a ``ResidentId``; ``id_number_raw`` keeps the normalised
    number as typed (a suspect record of an invalid ID number needs it).
    """
    clean: dict = {}
    errors: list[tuple[str, str]] = []
    for key, check, required, is_id in _ROW_PLANS[kind]:
        value = cells.get(key, "")
        value = (value if type(value) is str else to_text(value)).strip()
        if is_id:
            value = normalize_id_number(value)
            clean["id_number_raw"] = value
        if not value:
            clean[key] = ""
            if required:
                errors.append((key, "required"))
            continue
        result, reason = check(value, today)
        clean[key] = result
        if reason:
            errors.append((key, reason))
    if kind == POPULATION and not errors and not (clean["hukou_division"] or clean["residence_division"]):
        errors.append(("hukou_division", "division_missing"))
    return clean, errors
