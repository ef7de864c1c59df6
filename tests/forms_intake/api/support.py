"""Submissions in two counties and API clients for the API tests."""

from __future__ import annotations

import itertools

from forms_intake.models import ApiClient, Division, Submission
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import outbox
from forms_intake.services.submissions import create_submission

from ..moderation_support import make_divisions, make_id_number

#: 芙蓉区 (county A) and 岳麓区 (county B), one township each.
COUNTY_A, TOWN_A = "430102", "430102001"
COUNTY_B, TOWN_B = "430104", "430104001"

_sequence = itertools.count(1)


def answers(town=TOWN_A, **overrides):
    """Valid answers of a resident of ``town`` (a community unit there), each with its own ID and phone."""
    n = next(_sequence)
    county = town[:6]
    values = {
        "name": "张三", "id_number": make_id_number(region=county, sequence=n % 999),
        "phone": f"+86139{n:08d}", "employment_status": "unemployed", "hukou_division": county,
        "residence_division": town, "residence_village": "韶山路社区", "residence_street": "韶山路1号",
        "not_insured_reason": "personal", "service_bank": "icbc", "unit_type": "community",
        "unit_name": "韶山路社区", "unit_division": town,
    }
    values.update(overrides)
    return values


def register(town=TOWN_A, *, registered=False, **overrides) -> Submission:
    """Store a submission the way the wizard does (with its outbox event); optionally mark it 已登记."""
    make_divisions()
    submission, _created = create_submission(answers(town, **overrides))
    if registered:
        Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.REGISTERED)
        submission.status = SubmissionStatus.REGISTERED
        outbox.record_change(submission, "register", from_status="awaiting_review", to_status="registered")
    return submission


def make_client(name="社保经办系统", divisions=(COUNTY_A,), **flags) -> tuple[ApiClient, str]:
    """An API client for ``divisions`` with the given permission flags; returns (client, token)."""
    make_divisions()
    client = ApiClient(name=name, **flags)
    token = client.set_new_token()
    client.save()
    client.divisions.set(Division.objects.filter(code__in=divisions))
    return client, token


def auth(token):
    """The header the test client sends."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
