"""The outreach part's verdict rules and generator (bench/verdicts.py, bench/outreach_data.py): no database."""

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import outreach_data  # noqa: E402
from verdicts import OUTREACH_TARGETS, outreach_problems, outreach_verdicts  # noqa: E402

from forms_intake.rules.validators import parse_resident_id  # noqa: E402

EXPECT = {"insured": 90, "registered": 3, "unregistered": 4, "deceased": 2, "moved_out": 1, "insured_rows_bad": 1,
          "invalid_id": 1, "age_impossible": 1, "name_mismatch": 1, "duplicate_insurance": 1, "insured_deceased": 1}


def _good():
    return {
        "rows": 100, "expect": dict(EXPECT), "generate": {"registered_wanted": 3}, "total_seconds": 600,
        "peak_rss_mb": {"population import": 200, "comparison": 300},
        "population": {"state": "done", "rows": 100, "imported": 100, "rejected": 0},
        "insured": {"state": "done", "rows": 100, "imported": 99, "rejected": 1},
        "compare": {"job_state": "done", "roster_entries": 4,
                    "result": {k: EXPECT[k] for k in ("insured", "registered", "unregistered", "deceased",
                                                      "moved_out")},
                    "suspects": {k: EXPECT[k] for k in ("invalid_id", "age_impossible", "name_mismatch",
                                                        "duplicate_insurance", "insured_deceased")}},
        "screens": {"roster_page": {"p50_ms": 100, "errors": 0, "in_scope": 5000},
                    "visit": {"p50_ms": 30, "errors": 0, "requests": 16, "recorded": 16}},
    }


def test_targets_are_the_issues():
    assert OUTREACH_TARGETS == {"total_seconds": 900, "peak_rss_mb": 500, "roster_p50_ms": 150, "visit_p50_ms": 100}


def test_all_met_when_every_stage_found_what_was_planted():
    assert outreach_problems(_good()) == []
    assert outreach_verdicts(_good()) == {"total": True, "memory": True, "roster": True, "visit": True}


@pytest.mark.parametrize(("path", "value"), [
    (("compare", "result", "unregistered"), 5),
    (("compare", "roster_entries"), 3),
    (("compare", "suspects", "duplicate_insurance"), 0),
    (("insured", "rejected"), 0),
    (("population", "state"), "failed"),
    (("compare", "job_state"), "failed"),
    (("generate", "registered_wanted"), 300),
])
def test_a_wrong_count_misses_total_and_memory(path, value):
    result = _good()
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert outreach_problems(result)
    verdicts = outreach_verdicts(result)
    assert not verdicts["total"] and not verdicts["memory"]


def test_slow_or_big_or_erroneous_figures_miss():
    for change, missed in [
        (lambda r: r.update(total_seconds=900), "total"),
        (lambda r: r["peak_rss_mb"].update(comparison=500), "memory"),
        (lambda r: r["screens"]["roster_page"].update(p50_ms=150), "roster"),
        (lambda r: r["screens"]["roster_page"].update(errors=1), "roster"),
        (lambda r: r["screens"]["roster_page"].update(in_scope=4999), "roster"),
        (lambda r: r["screens"]["visit"].update(p50_ms=100), "visit"),
        (lambda r: r["screens"]["visit"].update(recorded=15), "visit"),
    ]:
        result = _good()
        change(result)
        verdicts = outreach_verdicts(result)
        assert not verdicts[missed], missed
        assert sum(not ok for ok in verdicts.values()) == 1


def test_generator_writes_valid_unique_ids_and_the_manifest_counts(tmp_path):
    registered = ["430102199001011234"]
    registered = [registered[0][:17] + outreach_data.check_digit(registered[0][:17])]
    taken_seen = []
    manifest = outreach_data.generate(
        tmp_path, 20_000, ["430102001", "430111002", "431121101"], registered_ids=registered,
        taken=lambda number: taken_seen.append(number) or len(taken_seen) == 1, focus_unregistered=500)
    with open(tmp_path / "population.csv", encoding="utf-8") as handle:
        people = list(csv.reader(handle))[1:]
    with open(tmp_path / "insured.csv", encoding="utf-8") as handle:
        insured = list(csv.reader(handle))[1:]
    assert len(people) == len(insured) == 20_000 == manifest["insured_rows"]
    ids = [row[0] for row in people]
    assert len(set(ids)) == len(ids)
    assert all(parse_resident_id(number) for number in ids)
    assert registered[0] in ids and taken_seen[0] not in ids and manifest["ids_skipped_as_submissions"] == 1
    expect = manifest["expect"]
    assert sum(expect[k] for k in ("insured", "registered", "unregistered", "deceased", "moved_out")) == 20_000
    assert expect["registered"] == 1 and expect["focus_unregistered"] == 500
    assert sum(1 for row in people if row[-1] == "死亡") == expect["deceased"]
    focus = [row for row in people if row[4].startswith("430102001")]
    insured_ids = {row[0] for row in insured}
    assert sum(1 for row in focus if row[0] not in insured_ids and not row[-1]) == 500
