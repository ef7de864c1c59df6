"""Importing insured, population and employer files: formats, checks, error report, replacement."""

import logging

import pytest

from forms_intake.models import DataImport, Employer, InsuredPerson, PopulationRecord
from forms_intake.rules.personal_data import id_hash
from forms_intake.services import imports

from .conftest import FIXTURES, INSURED_HEADER, csv_bytes, resident_id

pytestmark = pytest.mark.django_db


def import_bytes(data: bytes, kind="insured", source="", name="file.csv"):
    data_import = imports.receive_upload([data], kind=kind, source=source, file_name=name)
    if data_import.state == DataImport.State.QUEUED:
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
