"""Key rotation: `rotate_field_keys` re-encrypts every encrypted column with the newest key."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from forms_intake.management.commands.rotate_field_keys import encrypted_columns
from forms_intake.models import Submission
from tests.forms_intake.moderation_support import make_divisions, make_id_number, make_submission

OLD = "m2Wz8Hc8m5pFxr0P6mZq1aV3oJ0cY3n0hR9kq4bT1uE="
NEW = Fernet.generate_key().decode()
ENCRYPTED = ["id_number", "phone", "proxy_phone", "proxy_id_number"]


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, proxy_phone, proxy_id_number FROM forms_intake_submission WHERE id = %s", [pk]
        )
        return dict(zip(ENCRYPTED, cursor.fetchone(), strict=True))


def _rotate(*args):
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def submissions(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    make_divisions()
    plain = []
    for n in range(5):
        proxy = n % 2 == 0
        submission = make_submission(
            id_number=make_id_number(sequence=200 + n),
            phone=f"+86139{n:08d}",
            is_proxy_filing=proxy,
            proxy_name="李四" if proxy else "",
            proxy_phone="+8613700000001" if proxy else "",
            proxy_id_number=make_id_number(sequence=300 + n) if proxy else "",
        )
        plain.append({field: getattr(submission, field) for field in ["pk", *ENCRYPTED]})
    return plain


def test_every_encrypted_column_is_found():
    columns = {(model._meta.db_table, column) for model, column in encrypted_columns()}
    assert {("forms_intake_submission", name) for name in ENCRYPTED} <= columns


def test_rows_written_with_the_old_key_are_readable_with_only_the_new_key_after_rotation(submissions, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    output = _rotate("--batch-size", "2")  # several batches
    # 5 ID + 5 phone + 3 proxy phones + 3 proxy IDs; empty optional values stay empty.
    assert "Total: 16 re-encrypted, 0 unchanged, 0 failed." in output

    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    for expected in submissions:
        submission = Submission.objects.get(pk=expected["pk"])
        for field in ENCRYPTED:
            assert getattr(submission, field) == expected[field]
        raw = _raw(expected["pk"])
        for field in ENCRYPTED:
            if expected[field]:
                with pytest.raises(InvalidToken):
                    Fernet(OLD.encode()).decrypt(raw[field].encode())
                assert Fernet(NEW.encode()).decrypt(raw[field].encode()).decode() == expected[field]
            else:
                assert raw[field] == ""


def test_rotation_is_idempotent(submissions, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    _rotate()
    after_first = [_raw(s["pk"]) for s in submissions]
    output = _rotate()
    assert "Total: 0 re-encrypted, 16 unchanged, 0 failed." in output
    assert [_raw(s["pk"]) for s in submissions] == after_first


def test_dry_run_changes_nothing(submissions, settings):
    before = [_raw(s["pk"]) for s in submissions]
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert "Total: 16 would be re-encrypted" in _rotate("--dry-run")
    assert [_raw(s["pk"]) for s in submissions] == before


def test_output_holds_counts_only(submissions, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    output = _rotate()
    for row in submissions:
        for field in ENCRYPTED:
            if row[field]:
                assert row[field] not in output
                assert row[field].lstrip("+86") not in output
    assert OLD not in output and NEW not in output


def test_values_no_configured_key_can_read_make_the_command_fail_without_touching_them(submissions, settings):
    stranger = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is missing
    before = _raw(submissions[0]["pk"])
    with pytest.raises(CommandError, match="cannot be decrypted"):
        _rotate()
    assert _raw(submissions[0]["pk"]) == before
    settings.FIELD_ENCRYPTION_KEYS = [stranger, NEW, OLD]
    assert "16 re-encrypted" in _rotate()
