"""Rate limits on the public forms, hammered through the real views, on local memory and on Redis.

Each test counts in a cache of its own, whatever the suite's cache is (with REDIS_URL set, as in the
PostgreSQL pass of .ci/run, the default cache is a Redis database that other test runs on the same
machine may share and empty), on the limiter's clock stopped inside one window (see test_ratelimit.py).
"""

import pytest

from forms_intake.models import Submission
from forms_intake.wizard import status as status_module
from tests.forms_intake.wizard_support import ADULT_ID, employed_self_answers, make_id, run_wizard

from .test_ratelimit import fixed_clock, use_limiter_cache  # noqa: F401 - fixed_clock is a fixture

pytestmark = pytest.mark.django_db

WRONG_PAIR = {"reference": "HN-0000-0000", "id_number": ADULT_ID}


@pytest.fixture(params=["locmem", "redis"])
def limiter_cache(request, settings, fixed_clock):  # noqa: F811 - the fixture imported above
    """The counters on real local memory or on Redis (a key prefix of its own), on a stopped clock."""
    cache = use_limiter_cache(settings, request.param)
    yield request.param
    cache.clear()


def _lookup(client, data, base="/status/", addr="203.0.113.10"):
    return client.post(base, data, REMOTE_ADDR=addr)


def test_status_lookup_is_limited_per_client(client, registration_site, limiter_cache):
    limit = status_module.CLIENT_LIMIT
    statuses = [
        _lookup(client, {"reference": "HN-0000-0000", "id_number": make_id(sequence=f"{n:03d}")}).status_code
        for n in range(limit)
    ]
    assert set(statuses) == {200}
    refused = _lookup(client, WRONG_PAIR)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(status_module.WINDOW_SECONDS)
    assert 'lang="zh-hans"' in refused.content.decode()
    # Another client is not affected.
    assert _lookup(client, WRONG_PAIR, addr="203.0.113.11").status_code == 200


def test_status_lookup_is_limited_per_id_number_across_clients(client, registration_site, limiter_cache):
    limit = status_module.ID_LIMIT
    for n in range(limit):
        assert _lookup(client, WRONG_PAIR, addr=f"198.51.100.{n + 1}").status_code == 200
    assert _lookup(client, WRONG_PAIR, addr="198.51.100.200").status_code == 429
    # A different ID number from that client still works.
    other = {"reference": "HN-0000-0000", "id_number": make_id(sequence="999")}
    assert _lookup(client, other, addr="198.51.100.200").status_code == 200


def test_the_429_page_in_english(client, registration_site, limiter_cache):
    for _ in range(status_module.CLIENT_LIMIT):
        _lookup(client, WRONG_PAIR, base="/en/status/", addr="203.0.113.50")
    refused = _lookup(client, WRONG_PAIR, base="/en/status/", addr="203.0.113.50")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert 'lang="en"' in body
    assert "Too many attempts" in body
    assert "no-store" in refused["Cache-Control"]
    # Nothing the resident typed is echoed back on the 429 page.
    assert ADULT_ID not in body


def test_a_refused_lookup_does_not_reveal_whether_the_pair_exists(client, registration_site, limiter_cache):
    run_wizard(client, employed_self_answers())
    submission = Submission.objects.get()
    good = {"reference": submission.reference, "id_number": ADULT_ID}
    for _ in range(status_module.ID_LIMIT):
        _lookup(client, WRONG_PAIR, addr="192.0.2.9")
    # Limited for this ID now: even the right pair gets the same 429 as a wrong one.
    assert _lookup(client, good, addr="192.0.2.99").status_code == 429


def test_final_submit_is_limited_per_client_and_keeps_the_answers(
    client, registration_site, limiter_cache, monkeypatch
):
    from forms_intake.wizard import view as wizard

    monkeypatch.setattr(wizard, "SUBMIT_LIMIT", 3)  # the real limit (30 an hour) works the same way
    review = {"registration-current_step": "review", "review-confirm_true": "on", "review-consent": "on"}
    for n in range(3):
        answers = employed_self_answers()
        answers[1][1]["id_number"] = make_id(sequence=f"{n + 100:03d}")
        response = run_wizard(client, answers, stop_before="review")
        assert client.post("/register/step/review/", review, REMOTE_ADDR="203.0.113.70").status_code == 302
    assert Submission.objects.count() == 3

    answers = employed_self_answers()
    answers[1][1]["id_number"] = make_id(sequence="200")
    run_wizard(client, answers, stop_before="review")
    refused = client.post("/register/step/review/", review, REMOTE_ADDR="203.0.113.70")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(wizard.SUBMIT_WINDOW_SECONDS)
    assert Submission.objects.count() == 3
    # The answers are kept: from another connection (or later) the same review submits.
    response = client.post("/register/step/review/", review, REMOTE_ADDR="203.0.113.71")
    assert response.status_code == 302
    assert Submission.objects.count() == 4


def test_the_receipts_pdf_is_limited_with_a_page_that_says_the_registration_is_kept(
    client, registration_site, settings, fixed_clock, monkeypatch  # noqa: F811 - the fixture imported above
):
    from forms_intake import pages

    use_limiter_cache(settings, "locmem")
    monkeypatch.setattr(pages, "PDF_FORM_LIMIT", 2)
    run_wizard(client, employed_self_answers(), base="/en/register/")
    reference = Submission.objects.get().reference
    downloads = [client.get("/en/register/done/pdf/") for _ in range(2)]
    assert [(r.status_code, r["Content-Type"]) for r in downloads] == [(200, "application/pdf")] * 2
    refused = client.get("/en/register/done/pdf/")
    assert refused.status_code == 429 and refused["Retry-After"] == str(pages.PDF_WINDOW_SECONDS)
    assert "no-store" in refused["Cache-Control"]
    page = refused.content.decode()
    assert "Too many downloads" in page and "Your registration is stored" in page and 'lang="en"' in page
    assert 'href="/en/register/done/print/"' in page and reference not in page
    # The print view is not limited: the form can still be printed from the browser.
    assert client.get("/en/register/done/print/").status_code == 200
    # From another address the same registration is still paused: the limit counts per registration too.
    assert client.get("/en/register/done/pdf/", REMOTE_ADDR="198.51.100.7").status_code == 429
