"""manage.py registration_fingerprint: what the restore drill compares between a primary and its restored copy."""

import io
import json
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import override_settings

from forms_intake.models import Submission
from forms_intake.services.divisions import load_divisions
from tests.test_generate_submissions import DIVISION_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def submissions():
    load_divisions(rows=DIVISION_ROWS)
    call_command("generate_submissions", "40", "--seed", "5", "--workers", "1", stdout=io.StringIO())


def fingerprint(nonce, sample=10):
    out = io.StringIO()
    call_command("registration_fingerprint", "--nonce", nonce, "--sample", str(sample), stdout=out)
    return out.getvalue(), json.loads(out.getvalue())


def test_counts_per_state_and_a_sample_that_decrypts_and_matches_its_hashes(submissions):
    text, result = fingerprint(secrets.token_hex(32))
    states = {state: Submission.objects.filter(status=state).count() for state in result["by_status"]}
    assert result["total"] == 40 and sum(result["by_status"].values()) == 40 and result["by_status"] == states
    assert (result["sample"], result["decrypted"], result["id hashes match"], result["phone hashes match"]) == (
        10, 10, 10, 10)
    # No personal data in what it prints, only the keyed digest.
    for row in Submission.objects.order_by("reference")[:10]:
        assert row.id_number not in text and row.phone not in text


def test_same_nonce_same_fingerprint_another_nonce_another(submissions):
    nonce = secrets.token_hex(32)
    assert fingerprint(nonce)[1]["fingerprint"] == fingerprint(nonce)[1]["fingerprint"]
    assert fingerprint(secrets.token_hex(32))[1]["fingerprint"] != fingerprint(nonce)[1]["fingerprint"]


def test_without_the_kept_key_nothing_decrypts(submissions):
    nonce = secrets.token_hex(32)
    with_key = fingerprint(nonce)[1]
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        without = fingerprint(nonce)[1]
    assert without["decrypted"] == 0 and without["sample"] == 10
    assert without["by_status"] == with_key["by_status"] and without["fingerprint"] != with_key["fingerprint"]


def test_a_short_or_non_hex_nonce_is_refused():
    with pytest.raises(CommandError):
        fingerprint("abcd")
    with pytest.raises(CommandError):
        fingerprint("not hex at all, not hex at all, not hex at all")
