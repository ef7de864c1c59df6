"""Verdicts of the report jobs and of the export's audit trail (bench/verdicts.py, issue 15): pure Python."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from verdicts import TARGETS, backoffice_verdict, export_audit_verdict, report_job_verdict  # noqa: E402

JOB = {"report": "regional", "seconds": 12.5, "state": "done", "download_status": 200, "bytes": 20_000}


def test_the_report_job_target_is_the_issues():
    assert TARGETS["report_job_s"] == 60


def test_a_report_job_is_met_when_done_fast_and_downloaded():
    assert report_job_verdict(JOB, 60)
    assert not report_job_verdict({**JOB, "seconds": 60.0}, 60)
    assert not report_job_verdict({**JOB, "seconds": 75.2}, 60)


def test_a_fast_failed_or_empty_report_job_is_missed():
    assert not report_job_verdict({**JOB, "state": "failed"}, 60)
    assert not report_job_verdict({**JOB, "download_status": 404, "bytes": 0}, 60)
    assert not report_job_verdict({**JOB, "bytes": 0}, 60)
    assert not report_job_verdict({"report": "regional", "missing": "no report job"}, 60)


def test_a_report_job_without_target_only_needs_its_file():
    assert report_job_verdict({**JOB, "seconds": 300.0})
    assert not report_job_verdict({**JOB, "seconds": 300.0, "state": "failed"})


def test_one_export_is_one_audit_entry_and_no_timeline_event():
    export = {"expected_rows": 99_800, "audit_entries": 1, "audit_rows": [99_800], "new_events": 0}
    assert export_audit_verdict(export)
    assert not export_audit_verdict({**export, "audit_entries": 2, "audit_rows": [99_800, 99_800]})
    assert not export_audit_verdict({**export, "audit_entries": 0, "audit_rows": []})
    assert not export_audit_verdict({**export, "new_events": 99_800})  # one event per exported row
    assert not export_audit_verdict({**export, "audit_rows": [None]})  # the entry never got its row count
    assert not export_audit_verdict({"expected_rows": 99_800})  # not measured


def test_the_sorted_queue_has_the_backoffice_target():
    timing = {"check": "queue sorted by working days waiting, province (admin)", "p50_ms": 149.0, "errors": 0}
    assert backoffice_verdict(timing) == (True, 150)
    assert backoffice_verdict({**timing, "p50_ms": 151.0}) == (False, 150)
