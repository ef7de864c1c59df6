"""The report (bench/report.py) renders a run's results as the markdown committed beside them."""

import json
import sys
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"
sys.path.insert(0, str(RESULTS.parent))

import report  # noqa: E402


@pytest.mark.parametrize("run", ["20261203-110710", "20261203-111102", "20261203-111324"])
def test_a_committed_run_renders_as_its_committed_table(run):
    results = json.loads((RESULTS / f"{run}.json").read_text())
    assert report.render(results) == (RESULTS / f"{run}.md").read_text()


def test_the_wizard_table_says_whether_phone_verification_was_on():
    results = json.loads((RESULTS / "20261203-111324.json").read_text())
    assert "**off**" in report.render(results)
    results["environment"]["phone_verification"] = True
    assert "**on**" in report.render(results)
