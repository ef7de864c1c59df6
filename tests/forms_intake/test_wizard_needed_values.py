"""What a step needs from earlier answers (Step.needs) is kept from their last validation, not validated again.

The unit step needs the employment and the address, the employment step the identity's ID number: each of
their pages used to validate those earlier forms again (a form each, the address with its seven division
selects). The values are kept encrypted in the session under the hash of the answers they came from, so a
changed answer is validated afresh and the later step sees the new value.
"""

import collections

import pytest

from forms_intake.models import Submission
from forms_intake.steps import forms as step_forms
from forms_intake.wizard.storage import NEEDED_VALUES_KEY

from .wizard_support import (
    ADULT_ID,
    MOBILE,
    address_answers,
    employed_self_answers,
    proxy_child_answers,
    run_wizard,
    step_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(monkeypatch):
    """Which step forms validate (full_clean), by form class."""
    counts = collections.Counter()
    original = step_forms.StepForm.full_clean

    def counting(self):
        counts[type(self).__name__] += 1
        return original(self)

    monkeypatch.setattr(step_forms.StepForm, "full_clean", counting)
    return counts


def test_the_unit_step_validates_only_itself(client, registration_site, validated):
    run_wizard(client, employed_self_answers(), stop_before="unit")
    validated.clear()
    page = client.get("/register/step/unit/")
    assert page.status_code == 200
    assert page.context["form"].initial["unit_name"] == "长沙市某某科技有限公司"  # the employer, from the kept values
    assert not validated, validated
    answers = dict(employed_self_answers())
    response = client.post("/register/step/unit/", step_post("unit", answers["unit"]))
    assert response.status_code == 302 and response["Location"].endswith("/step/review/")
    assert validated == {"UnitForm": 1}


def test_the_kept_values_are_encrypted_in_the_session(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="unit")
    session = client.session
    stored = [value for key, value in session.items() if key.startswith("wizard_registration")]
    kept = stored[0]["extra_data"][NEEDED_VALUES_KEY]
    assert set(kept) == {"identity", "employment", "address"}
    text = str(stored)
    for plain in (ADULT_ID, MOBILE, "长沙市某某科技有限公司", "八一路社区"):
        assert plain not in text


def test_a_changed_address_reaches_the_unit_step(client, registration_site, validated):
    run_wizard(client, proxy_child_answers(), stop_before="review")
    assert client.get("/register/step/address/?from=review").status_code == 200
    response = client.post("/register/step/address/", step_post("address", address_answers(
        residence_village="五一村")))
    assert response.status_code == 302
    page = client.get("/register/step/unit/")
    assert page.context["form"].initial["unit_name"] == "五一村"


def test_a_changed_employment_reaches_the_unit_step_and_the_record(client, registration_site):
    run_wizard(client, employed_self_answers(), stop_before="review")
    client.get("/register/step/employment/?from=review")
    client.post("/register/step/employment/", step_post("employment", {"employment_status": "unemployed"}))
    page = client.get("/register/step/unit/")
    # Not employed: only the community may register the person, and the default is the residence's village.
    assert [value for value, _label in page.context["form"].fields["unit_type"].choices] == ["community"]
    assert page.context["form"].initial["unit_name"] == "八一路社区"
    client.post("/register/step/unit/", step_post("unit", {"unit_type": "community", "unit_name": ""}))
    client.post("/register/step/review/", {
        "registration-current_step": "review", "review-confirm_true": "on", "review-consent": "on"})
    submission = Submission.objects.get()
    assert submission.employment_status == "unemployed" and submission.unit_name == "八一路社区"
