"""The benchmark's verdict rules (bench/verdicts.py): pure Python, no database, no server."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import verdicts  # noqa: E402
from verdicts import (  # noqa: E402
    TARGETS,
    backoffice_verdict,
    check_page,
    count_unexpected,
    export_verdict,
    is_login_page,
    page_marker,
    public_verdict,
    queries_verdict,
    receipt_reference,
    step_of,
    wizard_verdicts,
)

RECEIPT = (
    '<h1>登记已提交</h1><p>您的登记编号<br><strong class="reference" data-reference>HN-7K3M-Q9PX-TW4</strong></p>'
)
EXPIRED = '<h1>您的会话已过期</h1><p><a class="button" href="/register/step/filer/">重新开始</a></p>'


def test_targets_are_the_issues():
    assert TARGETS["cached_vs_static"] == 0.90
    assert TARGETS["memo_vs_static"] == 0.15
    assert TARGETS["cold_vs_static"] == 0.05
    assert TARGETS["max_queries"] == 12


def test_every_mode_has_a_target():
    assert [key for key, *_ in verdicts.MODES] == ["cached", "memo", "cold"]
    for _key, _label, page_cache, memo, target in verdicts.MODES:
        assert target in TARGETS
        assert page_cache in ("0", "1") and memo in ("0", "1")


@pytest.mark.parametrize(("status", "ok"), [(200, True), (204, True), (301, False), (302, False), (404, False),
                                            (500, False), (None, False)])
def test_only_2xx_is_success(status, ok):
    assert verdicts.is_success(status) is ok


def test_count_unexpected_counts_redirects_and_errors_with_json_keys():
    assert count_unexpected({"200": 10, "302": 3, "404": 1, "502": 2}) == 6
    assert count_unexpected({200: 5}) == 0
    assert count_unexpected({}) == 0


def test_page_marker_is_the_escaped_heading():
    assert page_marker("政策问答") == ">政策问答</h1>"
    assert page_marker("Q&A <new>") == ">Q&amp;A &lt;new&gt;</h1>"


def test_check_page_accepts_the_page():
    body = '<h1 id="hero-title">湖南省全民参保登记</h1>'.encode()
    assert check_page(200, "text/html; charset=utf-8", body, page_marker("湖南省全民参保登记")) == []


def test_check_page_refuses_a_redirect_a_404_and_another_page():
    marker = page_marker("政策问答")
    assert check_page(302, "text/html", b"", marker) == ["status 302"]
    assert check_page(404, "text/html", b"<h1>Page not found</h1>", marker) == ["status 404"]
    problems = check_page(200, "text/html", "<h1>页面不存在</h1><nav>政策问答</nav>".encode(), marker)
    assert problems and "marker" in problems[0]
    assert check_page(200, "application/json", ">政策问答</h1>".encode(), marker) == ["content type application/json"]


def test_check_page_for_the_static_file():
    assert check_page(200, "text/css; charset=utf-8", b"body{}", kind="css") == []
    assert check_page(200, "text/html", b"<html>", kind="css") == ["content type text/html"]
    assert check_page(200, "text/css", b"", kind="css") == ["empty body"]
    assert check_page(304, "text/css", b"", kind="css") == ["status 304"]


def test_receipt_reference_only_on_a_receipt():
    assert receipt_reference(RECEIPT.encode()) == "HN-7K3M-Q9PX-TW4"
    assert receipt_reference(EXPIRED) is None
    # A look-alike letter (O, I, L, U, 0, 1) is never generated: not a reference.
    assert receipt_reference(RECEIPT.replace("HN-7K3M", "HN-7K3O")) is None


def test_step_of_reads_the_management_form_whatever_the_attribute_order():
    first = '<input type="hidden" name="registration-current_step" value="identity" id="id_registration-current_step">'
    second = '<input value="review" type="hidden" name="registration-current_step">'
    assert step_of(first) == "identity"
    assert step_of(second.encode()) == "review"
    assert step_of(EXPIRED) is None


def test_login_page_by_url_or_by_form():
    assert is_login_page("/admin/login/?next=/admin/registrations/")
    assert is_login_page("/admin/login/")
    assert not is_login_page("/admin/registrations/")
    assert is_login_page("", b'<form><input name="username"><input name="password" type="password"></form>')
    assert not is_login_page("/admin/", b"<h1>Dashboard</h1>")


def _row(**overrides):
    row = {"page": "home", "mode": "cached", "rps": 3600.0, "vs_static": 0.95, "requests": 36000, "errors": 0,
           "non2xx": 0, "content_problems": []}
    row.update(overrides)
    return row


def test_public_verdict_met_only_when_fast_and_clean():
    assert public_verdict(_row()) == (True, "")
    assert public_verdict(_row(vs_static=0.89))[0] is False
    assert public_verdict(_row(mode="memo", vs_static=0.15))[0] is True
    assert public_verdict(_row(mode="memo", vs_static=0.149))[0] is False
    assert public_verdict(_row(mode="cold", vs_static=0.05))[0] is True
    assert public_verdict(_row(mode="cold", vs_static=0.04))[0] is False


def test_a_fast_redirect_is_not_a_fast_page():
    ok, why = public_verdict(_row(vs_static=1.0, non2xx=36000))
    assert ok is False
    assert "36000 non-2xx" in why


def test_one_socket_error_or_failed_content_check_misses():
    assert public_verdict(_row(errors=1)) == (False, "1 socket errors")
    ok, why = public_verdict(_row(content_problems=["after: status 500"]))
    assert ok is False and "after: status 500" in why


def test_nothing_answered_is_not_met():
    assert public_verdict(_row(requests=0))[0] is False
    assert public_verdict(_row(vs_static=None))[0] is False


def test_the_static_file_has_no_ratio_target_but_must_be_clean():
    assert public_verdict(_row(page="static file", vs_static=1.0)) == (True, "")
    assert public_verdict(_row(page="static file", vs_static=1.0, non2xx=2))[0] is False


def test_queries_warm_and_cold():
    assert queries_verdict(0, 12)
    assert not queries_verdict(1, 13)
    assert not queries_verdict(13, 0)
    assert not queries_verdict(0, None)


def _wizard(**overrides):
    wiz = {"completed": 500, "per_second": 21.0, "p95_ms": 120.0, "failed": 0, "rows_created": 500,
           "references_found": 500}
    wiz.update(overrides)
    return wiz


def test_wizard_all_met():
    assert wizard_verdicts(_wizard()) == {"rate": True, "p95": True, "errors": True, "rows": True}


def test_wizard_failures_miss_every_verdict_but_rows():
    verdict = wizard_verdicts(_wizard(failed=1))
    assert verdict == {"rate": False, "p95": False, "errors": False, "rows": True}


def test_wizard_rows_must_equal_completions():
    assert wizard_verdicts(_wizard(rows_created=499))["rows"] is False
    assert wizard_verdicts(_wizard(rows_created=501))["rows"] is False
    assert wizard_verdicts(_wizard(references_found=499))["rows"] is False
    assert wizard_verdicts(_wizard(rows_created=None))["rows"] is False


def test_wizard_rate_and_latency():
    assert wizard_verdicts(_wizard(per_second=19.9))["rate"] is False
    assert wizard_verdicts(_wizard(p95_ms=200.0))["p95"] is False


def test_backoffice_needs_speed_and_the_expected_screen():
    assert backoffice_verdict({"check": "detail page", "p50_ms": 40.0, "errors": 0}) == (True, 150)
    assert backoffice_verdict({"check": "detail page", "p50_ms": 2.0, "errors": 8})[0] is False
    assert backoffice_verdict({"check": "detail page", "p50_ms": 150.0, "errors": 0})[0] is False
    assert backoffice_verdict({"check": "statistics report, province", "p50_ms": 900.0, "errors": 0}) == (True, 1000)


def test_export_needs_every_row_and_little_memory():
    export = {"status": 200, "rows": 89499, "expected_rows": 89499, "peak_rss_mb": 169}
    assert export_verdict(export)
    assert not export_verdict({**export, "rows": 10})
    assert not export_verdict({**export, "status": 302})
    assert not export_verdict({**export, "peak_rss_mb": 300})
