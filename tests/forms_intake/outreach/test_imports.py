"""Importing insured, population and employer files: formats, checks, error report, replacement."""

import contextlib
import logging

import pytest

from forms_intake.models import DataImport, Employer, InsuredPerson, PopulationRecord
from forms_intake.models.api import employer_name_by_code
from forms_intake.rules import outreach_columns as spec
from forms_intake.rules.personal_data import id_hash
from forms_intake.services import imports

from .conftest import FIXTURES, INSURED_HEADER, csv_bytes, resident_id

pytestmark = pytest.mark.django_db


def import_bytes(data: bytes, kind="insured", source="", name="file.csv"):
    data_import = imports.receive_upload([data], kind=kind, source=source, file_name=name)
    if data_import.state == DataImport.State.QUEUED:
        with contextlib.suppress(imports.ImportRefused):  # recorded on the import
            imports.run_import(data_import)
        data_import.refresh_from_db()
    return data_import


def test_sample_files_import():
    insured = imports.import_file(FIXTURES / "insured_sample.csv", kind="insured")
    population = imports.import_file(FIXTURES / "population_sample_gb18030.csv", kind="population", source="police")
    employers = imports.import_file(FIXTURES / "employer_sample.xlsx", kind="employer")
    assert (insured.state, population.state, employers.state) == ("done", "done", "done")
    assert insured.rows_rejected == 1 and insured.rows_imported == 11
    assert population.rows_rejected == 1 and population.rows_imported == 7
    assert employers.rows_imported == 3 and Employer.objects.count() == 3
    assert InsuredPerson.objects.count() == 11
    assert PopulationRecord.objects.count() == 7


def insured_row(
    number, name="张建国", insurance="企业职工基本养老保险", place="430102001", status="正常参保", employer=""
):
    return [number, name, insurance, place, status, employer]


def test_headers_match_in_english_any_case_spacing_and_order():
    number = resident_id()
    data = csv_bytes(
        [
            ["  STATUS ", "insured_place", "Name", "id number", "Insurance Type", "remark"],
            ["active", "430102001", "张建国", number, "resident_medical", "ignored column"],
        ]
    )
    data_import = import_bytes(data)
    assert data_import.state == "done" and data_import.rows_imported == 1
    person = InsuredPerson.objects.get()
    assert (person.id_number_hash, person.insurance_type, person.status) == (
        id_hash(number),
        "resident_medical",
        "active",
    )


def test_missing_required_column_fails_with_its_name_and_keeps_nothing():
    data_import = import_bytes(csv_bytes([["身份证号码", "姓名", "险种"], [resident_id(), "张建国", "失业保险"]]))
    assert data_import.state == "failed"
    assert "参保地区划代码" in data_import.message and "参保状态" in data_import.message
    assert InsuredPerson.objects.count() == 0


def test_gb18030_file_is_detected():
    data = csv_bytes([INSURED_HEADER, insured_row(resident_id(), name="欧阳娜娜")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    data_import = import_bytes(data)
    assert data_import.state == "done" and data_import.rows_imported == 1


def test_utf8_without_bom():
    data = csv_bytes([INSURED_HEADER, insured_row(resident_id())], encoding="utf-8")
    assert import_bytes(data).rows_imported == 1


def test_an_employer_looked_up_before_its_file_was_imported_is_known_once_it_is(django_capture_on_commit_callbacks):
    # The wizard and the clerk's paper form check a code and name against the registry through a cache:
    # a code first seen as "not in the registry" must not stay unknown after the registry's import.
    code = "91430102MA4L00001F"
    assert employer_name_by_code(code) == ""
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_file(FIXTURES / "employer_sample.xlsx", kind="employer")
    assert employer_name_by_code(code) == "长沙市芙蓉区示例科技有限公司"
    employer = Employer.objects.get(credit_code=code)
    employer.name = "长沙市芙蓉区示例科技股份有限公司"
    employer.save()  # a change outside an import, too
    assert employer_name_by_code(code) == "长沙市芙蓉区示例科技股份有限公司"


def test_xlsx_sample_with_english_headers():
    data_import = imports.import_file(FIXTURES / "employer_sample.xlsx", kind="employer")
    assert data_import.rows_imported == 3 and data_import.rows_rejected == 0
    assert set(Employer.objects.values_list("division_code", flat=True)) == {"430102001", "430103002"}


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (insured_row(resident_id()[:-1] + "X" if not resident_id().endswith("X") else "0"), "id_number", "id_checksum"),
        (insured_row("43010219800230011X"), "id_number", "id_checksum"),
        (insured_row("4301021980031201"), "id_number", "id_format"),
        (insured_row(resident_id(), name="张3"), "name", "name_invalid"),
        (insured_row(resident_id(), insurance="商业保险"), "insurance_type", "insurance_type_unknown"),
        (insured_row(resident_id(), place="43010"), "insured_place", "division_invalid"),
        (insured_row(resident_id(), place="990102001"), "insured_place", "division_invalid"),
        (insured_row(resident_id(), status="正常"), "status", "status_unknown"),
        (insured_row(resident_id(), employer="91430102MA4L00001A"), "employer_code", "employer_code_invalid"),
        (insured_row(resident_id(), name=""), "name", "required"),
    ],
)
def test_each_reason_rejects_the_row_and_keeps_the_others(row, column, reason):
    data_import = import_bytes(csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=5)), row]))
    assert data_import.state == "done"
    assert (data_import.rows_imported, data_import.rows_rejected) == (1, 1)
    assert [3, column, reason] in data_import.errors


def test_impossible_birth_date_in_id_number():
    from stdnum.cn import ric

    body = "43010219800231011"  # 31 February
    number = body + ric.calc_check_digit(body + "0")
    data_import = import_bytes(csv_bytes([INSURED_HEADER, insured_row(number)]))
    assert data_import.errors == [[2, "id_number", "id_birth_date"]]


def test_population_reasons():
    header = ["身份证号码", "姓名", "户籍地区划代码", "居住地区划代码", "联系电话", "人员状态"]
    data = csv_bytes(
        [
            header,
            [resident_id(seq=1), "陈思远", "430102001001", "", "13800000001", ""],
            [resident_id(seq=2), "刘芳", "", "", "", ""],
            [resident_id(seq=3), "杨洋", "430102001", "", "12345", ""],
            [resident_id(seq=4), "周乐", "430102001", "", "", "失踪"],
        ]
    )
    data_import = import_bytes(data, kind="population", source="police")
    assert data_import.rows_imported == 1
    assert data_import.errors == [
        [3, "hukou_division", "division_missing"],
        [4, "phone", "phone_invalid"],
        [5, "life_event", "life_event_unknown"],
    ]
    record = PopulationRecord.objects.get()
    assert record.phone == "+8613800000001" and record.id_number == resident_id(seq=1)


def test_error_report_names_row_column_reason_but_never_the_value():
    sample = imports.import_file(FIXTURES / "population_sample_gb18030.csv", kind="population", source="police")
    report = "".join(imports.error_report_lines(sample))
    assert report.startswith("\ufeff")
    lines = report.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("9,身份证号码 (ID number),")
    assert lines[1].endswith(str(spec.REASONS["id_checksum"]))  # the reason, in the active language
    assert "错号码" not in report and "4301021988101006" not in report


def test_same_content_again_is_a_duplicate_and_changes_nothing():
    first = imports.import_file(FIXTURES / "insured_sample.csv", kind="insured")
    rows = list(InsuredPerson.objects.values_list("pk", flat=True))
    again = imports.import_file(FIXTURES / "insured_sample.csv", kind="insured")
    assert again.state == "duplicate" and again.pk != first.pk
    assert list(InsuredPerson.objects.values_list("pk", flat=True)) == rows
    assert not list(imports.uploads_dir().iterdir())  # no file kept


def test_newer_file_of_the_same_source_replaces_the_older_rows_only():
    other = import_bytes(csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=9))]), source="医保")
    old = import_bytes(
        csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=1)), insured_row(resident_id(seq=2))]), source="企业养老"
    )
    new = import_bytes(csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=3))]), source="企业养老")
    assert new.state == "done"
    assert set(InsuredPerson.objects.values_list("data_import_id", flat=True)) == {other.pk, new.pk}
    old.refresh_from_db()
    assert str(new.pk) in old.message  # "Replaced by import #N", in the active language


def test_failed_import_leaves_the_previous_data(monkeypatch):
    old = import_bytes(csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=1))]))
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    original = imports.Sink.flush
    calls = {"n": 0}

    def flush_then_fail(self):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(self)

    monkeypatch.setattr(imports.Sink, "flush", flush_then_fail)
    rows = [INSURED_HEADER] + [insured_row(resident_id(seq=10 + i)) for i in range(5)]
    data_import = imports.receive_upload([csv_bytes(rows)], kind="insured", source="", file_name="new.csv")
    with pytest.raises(RuntimeError):
        imports.run_import(data_import)
    assert calls["n"] == 2  # the first batch was written, then the second failed
    data_import.refresh_from_db()
    assert data_import.state == "failed" and "disk full" not in data_import.message
    assert list(InsuredPerson.objects.values_list("data_import_id", flat=True)) == [old.pk]
    assert not imports.upload_path(data_import).exists()


def test_killed_import_rows_are_invisible_then_removed_on_the_next_run():
    old = import_bytes(csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=1))]))
    data_import = imports.receive_upload(
        [csv_bytes([INSURED_HEADER, insured_row(resident_id(seq=2))])], kind="insured", source="", file_name="new.csv"
    )
    # What a worker killed mid-way leaves: a running import with some rows of its own.
    DataImport.objects.filter(pk=data_import.pk).update(state="running")
    InsuredPerson.objects.create(
        id_number_hash="partial",
        insurance_type="unemployment",
        insured_place="430102",
        status="active",
        data_import=data_import,
    )
    from forms_intake.services.suspects import current_import_ids

    assert current_import_ids("insured") == [old.pk]
    data_import.refresh_from_db()
    imports.run_import(data_import)
    assert not InsuredPerson.objects.filter(id_number_hash="partial").exists()
    assert list(InsuredPerson.objects.values_list("data_import_id", flat=True)) == [data_import.pk]


def test_no_personal_data_of_the_file_in_logs(caplog):
    caplog.set_level(logging.DEBUG)
    sample = FIXTURES / "insured_sample.csv"
    imports.import_file(sample, kind="insured")
    imports.import_file(FIXTURES / "population_sample_gb18030.csv", kind="population", source="civil_affairs")
    text = caplog.text + "".join(str(record.args) for record in caplog.records)
    for line in sample.read_text(encoding="utf-8-sig").splitlines()[1:]:
        number, name = line.split(",")[:2]
        assert number not in text and name not in text
