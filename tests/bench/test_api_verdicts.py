"""The API part's verdict rules (bench/verdicts.py api_verdicts): no database."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from verdicts import API_TARGETS, api_verdicts  # noqa: E402


def _good():
    return {
        "feed": {"records": 20000, "expected": 20000, "errors": 0, "out_of_order": 0, "per_second": 2500},
        "result": {"requests": 40, "errors": 0, "p50_ms": 30.0},
        "lag": {"events": 50, "delivered": 50, "duplicates": 0, "bad_signatures": 0, "post_errors": 0,
                "p95_ms": 1800.0},
    }


def test_targets_are_the_issues_and_ours_for_the_lag():
    assert API_TARGETS == {"feed_per_second": 2000, "result_p50_ms": 50, "lag_p95_ms": 5000}


def test_all_met_when_fast_and_right():
    assert api_verdicts(_good()) == {"feed": True, "result": True, "lag": True}


@pytest.mark.parametrize(("part", "key", "value"), [
    ("feed", "per_second", 1999),
    ("feed", "records", 19999),  # a record missed (or one seen twice and one missed)
    ("feed", "out_of_order", 1),
    ("feed", "errors", 1),
    ("result", "p50_ms", 50.0),
    ("result", "errors", 1),
    ("result", "requests", 0),
    ("lag", "p95_ms", 5000.0),
    ("lag", "delivered", 49),
    ("lag", "duplicates", 1),
    ("lag", "bad_signatures", 1),
    ("lag", "post_errors", 1),
    ("lag", "events", 0),
])
def test_a_slow_figure_or_a_wrong_answer_is_missed(part, key, value):
    result = _good()
    result[part][key] = value
    if (part, key) == ("lag", "events"):
        result["lag"]["delivered"] = 0
    verdicts = api_verdicts(result)
    assert verdicts[part] is False
    assert all(ok for name, ok in verdicts.items() if name != part)


def test_a_part_that_did_not_run_is_missed():
    assert api_verdicts({"feed": {}, "result": {"missing": "only 3 registered submissions"}, "lag": {}}) == {
        "feed": False, "result": False, "lag": False}
