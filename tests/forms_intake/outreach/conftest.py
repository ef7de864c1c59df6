"""Fixtures of the outreach import and suspect-record tests: a private jobs directory, files to import."""

import csv
import io
from pathlib import Path

import pytest
from stdnum.cn import ric

FIXTURES = Path(__file__).resolve().parents[3] / "forms_intake" / "fixtures" / "outreach"


@pytest.fixture(autouse=True)
def jobs_dir(settings, tmp_path):
    settings.JOBS_FILES_DIR = str(tmp_path / "jobs")
    return tmp_path / "jobs"


def resident_id(region="430102", birth="19800312", seq=11) -> str:
    """A valid 18-character ID number (correct check digit)."""
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


INSURED_HEADER = ["身份证号码", "姓名", "险种", "参保地区划代码", "参保状态", "单位代码"]
