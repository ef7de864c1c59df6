"""Generated and hostile requests to every endpoint: never a 500, and every answer matches the OpenAPI schema.

The schema is the API's own ``/api/v1/openapi.json``; each answer's status must be one the operation
declares, and its JSON body is validated against the declared schema (JSON Schema 2020-12, which OpenAPI
3.1 uses) with ``jsonschema``.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from forms_intake.models import Submission

from .support import TOWN_B, auth, make_client, register

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "", "0", "-1", "9" * 30, "HN-0000-0000-000", "' OR 1=1 --", "\x00", "%00", "../../etc/passwd",
        "<script>alert(1)</script>", "０１２", "𝟘𝟙𝟚", "HN-HCSN-AY3G-DFT\n", " " * 3, "null", "[]", "{}",
    ]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
ENROLMENT_BODIES = st.fixed_dictionaries({}, optional={
    "outcome": st.sampled_from(["enrolled", "insured_elsewhere", "refused"]) | HOSTILE_TEXT,
    "insurance_type": st.sampled_from(["resident_pension", "employee_medical"]) | HOSTILE_TEXT | st.none(),
    "enrolled_on": st.sampled_from(["2025-01-31", "2025-02-30", "0000-00-00"]) | HOSTILE_TEXT | st.none(),
    "reason": HOSTILE_TEXT | st.none(),
    "extra": JSON_VALUES,
})
CARD_BODIES = st.fixed_dictionaries({}, optional={
    "card_number": st.from_regex(r"[0-9A-Z]{6,24}", fullmatch=True) | HOSTILE_TEXT,
    "bank": st.sampled_from(["icbc", "bocs", "ICBC"]) | HOSTILE_TEXT,
    "issued_on": st.dates().map(str) | HOSTILE_TEXT,
    "collection_point": HOSTILE_TEXT,
})
RAW_BODIES = st.one_of(st.binary(max_size=60), st.sampled_from([b"{", b"[]", b"null", b"\xff\xfe", b'{"outcome":']))


@pytest.fixture
def world(db):
    for cache in caches.all():
        cache.clear()
    mine = register(registered=True)
    theirs = register(TOWN_B, registered=True)
    _c, token = make_client(can_report_results=True, can_see_personal_data=True, rate_limit_per_minute=100000)
    _r, read_only = make_client("只读系统", rate_limit_per_minute=100000)
    spec = Client().get("/api/v1/openapi.json").json()
    return {"mine": mine.reference, "theirs": theirs.reference, "tokens": [token, read_only, "hnsi_wrong", ""],
            "spec": spec}


def check(world, response, path, method):
    """The status is declared for the operation and the body matches its schema; never a 500."""
    assert response.status_code < 500, response.content[:300]
    operation = world["spec"]["paths"][path][method]
    declared = operation["responses"]
    assert str(response.status_code) in declared, (path, method, response.status_code, response.content[:200])
    schema = declared[str(response.status_code)]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": world["spec"]["components"]}).validate(response.json())


def headers(token):
    return auth(token) if token else {}


def test_the_openapi_schema_is_valid_json_schema_and_lists_every_endpoint(world):
    spec = world["spec"]
    assert spec["openapi"].startswith("3.")
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert set(spec["paths"]) == {
        "/api/v1/submissions/feed", "/api/v1/submissions/{reference}", "/api/v1/submissions/{reference}/enrolment",
        "/api/v1/submissions/{reference}/card", "/api/v1/employers/{code}",
    }
    # The record's fields are the Annex 2 schema's, described by the form's wording.
    fields = spec["components"]["schemas"]["SubmissionFields"]["properties"]
    assert fields["id_number"]["description"].startswith("身份证号码")


settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_
@given(token=st.integers(0, 3), after=HOSTILE_TEXT | st.integers(-5, 2**70).map(str), limit=HOSTILE_TEXT)
def test_feed_with_generated_parameters(client, world, token, after, limit):
    response = client.get("/api/v1/submissions/feed", {"after": after, "limit": limit},
                          **headers(world["tokens"][token]))
    check(world, response, "/api/v1/submissions/feed", "get")


@settings_
@given(token=st.integers(0, 3), reference=HOSTILE_TEXT | st.sampled_from(["mine", "theirs"]))
def test_submission_by_generated_reference(client, world, token, reference):
    reference = world.get(reference, reference) if reference in ("mine", "theirs") else reference
    response = client.get("/api/v1/submissions/" + _quote(reference), **headers(world["tokens"][token]))
    check(world, response, "/api/v1/submissions/{reference}", "get")


@settings_
@given(token=st.integers(0, 3), which=st.sampled_from(["mine", "theirs", "HN-0000-0000-000"]),
       kind=st.sampled_from(["enrolment", "card"]), data=st.data())
def test_results_with_generated_bodies(client, world, token, which, kind, data):
    reference = world.get(which, which)
    if data.draw(st.booleans()):
        body = data.draw(ENROLMENT_BODIES if kind == "enrolment" else CARD_BODIES)
        payload = json.dumps(body)
    else:
        payload = data.draw(RAW_BODIES)
    response = client.post(f"/api/v1/submissions/{reference}/{kind}", payload, content_type="application/json",
                           **headers(world["tokens"][token]))
    check(world, response, f"/api/v1/submissions/{{reference}}/{kind}", "post")
    if which == "theirs":  # another county's: refused, whatever the body, and left as it was
        assert response.status_code in (400, 401, 403, 404, 422)
        assert Submission.objects.get(reference=reference).status == "registered"


@settings_
@given(code=HOSTILE_TEXT | st.sampled_from(["91430100MA4L16JX8F", "MA4L16JX8", "91430100MA4L16JX8G"]))
def test_employer_lookup_with_generated_codes(client, world, code):
    for cache in caches.all():
        cache.clear()
    response = client.get("/api/v1/employers/" + _quote(code))
    if response.status_code == 404 and not response.get("Content-Type", "").startswith("application/json"):
        return
    check(world, response, "/api/v1/employers/{code}", "get")


def _quote(text):
    return quote(text, safe="")


@pytest.mark.parametrize("path", ["submissions/0/0", "submissions/feed/", "nothing-here"])
def test_a_path_the_api_does_not_have_is_a_json_404_not_a_redirect(client, world, path):
    response = client.get("/api/v1/" + path, **headers(world["tokens"][0]))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
