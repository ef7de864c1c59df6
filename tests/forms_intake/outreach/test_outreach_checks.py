"""The fast paths of the import's cell checks (rules/outreach_checks.py) and batched encryption.

Each fast path must give exactly what the wizard's own rule gives, on many values, and must actually
be taken for the common values (that is the speed-up); crypto.encrypt_many must write Fernet tokens
that decrypt like any other.
"""

import base64
import random
from datetime import date

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from forms_intake.rules import crypto
from forms_intake.rules import outreach_checks as checks
from forms_intake.rules import outreach_columns as spec
from forms_intake.rules.validators import normalize_phone, parse_resident_id, validate_person_name

TODAY = date(2026, 12, 1)


def _slow(function, value, reason, **kwargs):
    try:
        return function(value, **kwargs), None
    except ValidationError:
        return None, reason


def _slow_id(value):
    try:
        return parse_resident_id(value, today=TODAY), None
    except ValidationError as exc:
        if exc.code == "invalid_checksum":
            return None, "id_checksum"
        if exc.code in {"invalid_birth_date", "birth_date_too_early", "birth_date_in_future"}:
            return None, "id_birth_date"
        return None, "id_format"


def _no_slow_path(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the fast path should have answered")

    for name in ("normalize_phone", "validate_person_name", "parse_resident_id"):
        monkeypatch.setattr(checks, name, refuse)


def test_mobile_fast_path_agrees_with_phonenumbers_on_every_five_digit_prefix():
    rng = random.Random(7)
    numbers = [f"{prefix}{rng.randrange(10**6):06d}" for prefix in range(10000, 20000)]
    numbers += ["13800000000", "19999999999", "17951234567", "12593123456", "10086123456", "14000000000"]
    for number in numbers:
        assert checks.check_phone(number) == _slow(normalize_phone, number, "phone_invalid"), number


def test_other_phone_forms_still_go_through_phonenumbers():
    for text in (
        "0731-84567890",
        "+86 138 1234 5678",
        "008613812345678",
        "(0731)84567890",
        "84567890",
        "4008123456",
        "1381234567",
        "138123456789",
        "+85291234567",
    ):
        assert checks.check_phone(text) == _slow(normalize_phone, text, "phone_invalid"), text


def test_common_values_take_the_fast_path(monkeypatch):
    _no_slow_path(monkeypatch)
    number = "430102198003120112"
    number = number[:17] + ric.calc_check_digit(number)
    resident, reason = checks.check_id_number(number, TODAY)
    assert reason is None and resident.birth_date == date(1980, 3, 12) and resident.region_code == "430102"
    assert checks.check_name("王小明") == ("王小明", None)
    assert checks.check_name("买买提·艾力") == ("买买提·艾力", None)
    assert checks.check_phone("13812345678") == ("+8613812345678", None)


def test_chinese_name_fast_path_agrees_with_the_wizard():
    rng = random.Random(3)
    names = ["".join(chr(rng.randrange(0x4E00, 0xA000)) for _ in range(rng.randrange(1, 45))) for _ in range(3000)]
    names += ["".join(chr(rng.randrange(0x3400, 0x4DC0)) for _ in range(3)) for _ in range(200)]
    names += [
        "张",
        "张三",
        "买买提·艾力",
        "·张三",
        "张三·",
        "张··三",
        "张 三",
        "张三1",
        "Zhang San",
        "张San",
        "艾力•买买提",
        "𠀀𠀁",
        "张\u200b三",
        "王" * 40,
        "王" * 41,
        "阿卜杜·热合曼·买买提",
    ]
    for name in names:
        assert checks.check_name(name) == _slow(validate_person_name, name, "name_invalid"), name


def test_id_fast_path_agrees_with_the_wizard():
    rng = random.Random(5)
    values = []
    for _ in range(5000):
        province = rng.choice(["43", "11", "83", "00", "99", "20"])
        year = rng.choice([1899, 1900, 1950, 1980, 2000, 2024, 2026, 2027])
        month, day = rng.randrange(0, 14), rng.randrange(0, 32)
        body = f"{province}0102{year:04d}{month:02d}{day:02d}{rng.randrange(1000):03d}"
        check = ric.calc_check_digit(body + "0") if rng.random() < 0.8 else rng.choice("0123456789X")
        values.append(body + check)
    values += [
        "43010220261201001" + ric.calc_check_digit("430102202612010010"),  # born today
        "43010220261202001" + ric.calc_check_digit("430102202612020010"),  # tomorrow
        "43010219000229001" + ric.calc_check_digit("430102190002290010"),  # 1900 is not a leap year
        "43010219800312011",
        "4301021980031201123",
        "43010219800312011x",
        "430102800312011",
    ]
    for value in values:
        assert checks.check_id_number(value, TODAY) == _slow_id(value), value


def test_row_check_still_reports_each_bad_cell():
    cells = {
        "id_number": "430102198003120119",
        "name": "张1",
        "hukou_division": "4301",
        "phone": "12345",
        "life_event": "?",
    }
    _clean, problems = spec.check_row(spec.POPULATION, cells, TODAY)
    assert dict(problems) == {
        "id_number": "id_checksum",
        "name": "name_invalid",
        "hukou_division": "division_invalid",
        "phone": "phone_invalid",
        "life_event": "life_event_unknown",
    }


def test_encrypt_many_writes_fernet_tokens_that_decrypt(settings):
    values = ["430102198003120112", "", None, "+8613812345678", "430102198003120112", "长沙市岳麓区 1 号"]
    tokens = crypto.encrypt_many(values)
    assert tokens[1] == "" and tokens[2] is None
    assert [crypto.decrypt(t) for t in tokens] == values
    assert tokens[0] != tokens[4]  # a fresh IV per value
    primary = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    assert primary.decrypt(tokens[5].encode()).decode() == values[5]
    assert (
        abs(primary.extract_timestamp(tokens[0].encode()) - primary.extract_timestamp(crypto.encrypt("x").encode())) < 5
    )


def test_encrypt_many_uses_the_newest_key(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    [token] = crypto.encrypt_many(["430102198003120112"])
    assert Fernet(new).decrypt(token.encode()) == b"430102198003120112"
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(Exception, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_encrypt_many_gives_byte_for_byte_the_cbc_of_each_value_with_its_own_iv(settings, monkeypatch):
    # Values of 0 to 3 blocks, mixed, so that the batch's block positions hold different values.
    values = ["430102198003120112", "+8613812345678", "", "x" * 40, "长沙市岳麓区 1 号", "a" * 16, None, "y"]
    randomness = bytes(range(256))[: 16 * 6]
    monkeypatch.setattr(crypto.os, "urandom", lambda size: randomness[:size])
    tokens = crypto.encrypt_many(values)
    raw = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])
    ivs = iter(randomness[i : i + 16] for i in range(0, len(randomness), 16))
    for value, token in zip(values, tokens, strict=True):
        if value in ("", None):
            assert token == value
            continue
        iv = next(ivs)
        padder = PKCS7(128).padder()
        padded = padder.update(value.encode()) + padder.finalize()
        encryptor = Cipher(algorithms.AES(raw[16:]), modes.CBC(iv)).encryptor()
        expected = encryptor.update(padded) + encryptor.finalize()
        body = base64.urlsafe_b64decode(token)[:-32]
        assert body[9:25] == iv and body[25:] == expected
        assert crypto.decrypt(token) == value
