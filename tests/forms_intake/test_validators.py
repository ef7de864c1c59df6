"""Unit tests for forms_intake.validators (no database needed)."""

import os
import random
import re
from datetime import date, datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from forms_intake.rules import eligibility, employer_codes, personal_data, reference, validators
from forms_intake.rules.choices import (
    Channel,
    EmploymentStatus,
    NotInsuredReason,
    ProxyRelationship,
    ServiceBank,
)

# Stand-alone runs (pytest -p no:django) need settings before lazy messages
# are rendered; under pytest-django the project settings are used.
if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False)

TODAY = date(2025, 6, 1)
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def make_id(body17: str) -> str:
    """A resident ID number with a correct GB 11643 check digit (computed by stdnum)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def make_id_with_check(prefix14: str, check: str) -> str:
    """An ID number starting with ``prefix14`` whose check digit is ``check``."""
    for seq in range(1000):
        number = make_id(f"{prefix14}{seq:03d}")
        if number[-1] == check:
            return number
    raise AssertionError("no sequence number gives that check digit")


def error_of(func, *args, **kwargs) -> ValidationError:
    """Call ``func`` and return the ValidationError it must raise."""
    with pytest.raises(ValidationError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value


def make_uscc(body17: str) -> str:
    """A unified social credit code with a correct check character (computed by stdnum)."""
    return body17 + uscc.calc_check_digit(body17)


# --------------------------------------------------------------------------
# Resident ID numbers
# --------------------------------------------------------------------------


class TestNormalizeIdNumber:
    def test_strips_spaces_and_uppercases_x(self):
        assert validators.normalize_id_number(" 430102 19900101 001x\u3000") == "43010219900101001X"

    def test_full_width_digits_and_x(self):
        assert validators.normalize_id_number("４３０１０２１９９００１０１００１ｘ") == "43010219900101001X"
        assert validators.normalize_id_number("４３０１０２１９９００１０１００１Ｘ") == "43010219900101001X"

    @pytest.mark.parametrize("value", [None, "", 12345, b"bytes", object()])
    def test_never_raises(self, value):
        assert isinstance(validators.normalize_id_number(value), str)


class TestParseResidentId:
    def test_valid_with_digit_check(self):
        number = make_id_with_check("43010219900307", "5")
        rid = validators.parse_resident_id(number, today=TODAY)
        assert rid.number == number
        assert rid.region_code == "430102"
        assert rid.province_code == "43"
        assert rid.birth_date == date(1990, 3, 7)

    def test_valid_with_x_check(self):
        number = make_id_with_check("43010219900307", "X")
        assert validators.parse_resident_id(number, today=TODAY).number == number

    def test_lower_case_x_accepted(self):
        number = make_id_with_check("43010219900307", "X")
        assert validators.parse_resident_id(number.lower(), today=TODAY).number == number

    def test_full_width_digits_accepted(self):
        number = make_id_with_check("43010219900307", "X")
        assert validators.parse_resident_id(number.translate(FULL_WIDTH), today=TODAY).number == number

    def test_spaces_accepted(self):
        number = make_id("43010219900307001")
        spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
        assert validators.parse_resident_id(spaced, today=TODAY).number == number

    def test_wrong_checksum(self):
        number = make_id("43010219900307001")
        wrong = "0" if number[-1] != "0" else "1"
        assert error_of(validators.parse_resident_id, number[:-1] + wrong, today=TODAY).code == "invalid_checksum"

    def test_impossible_date_with_correct_check_digit(self):
        error = error_of(validators.parse_resident_id, make_id("43010219990230001"), today=TODAY)
        assert error.code == "invalid_birth_date"
        assert error.params["digits"] == "19990230"

    def test_month_13_with_correct_check_digit(self):
        assert (
            error_of(validators.parse_resident_id, make_id("43010219991301001"), today=TODAY).code
            == "invalid_birth_date"
        )

    def test_future_birth_date_with_correct_check_digit(self):
        number = make_id("43010220250602001")
        assert error_of(validators.parse_resident_id, number, today=TODAY).code == "birth_date_in_future"
        # Born today is fine.
        assert validators.parse_resident_id(make_id("43010220250601001"), today=TODAY).birth_date == TODAY

    def test_today_may_be_a_datetime(self):
        number = make_id("43010220250601001")
        assert validators.parse_resident_id(number, today=datetime(2025, 6, 1, 23, 59)).birth_date == TODAY

    def test_birth_before_1900(self):
        assert (
            error_of(validators.parse_resident_id, make_id("43010218991231001"), today=TODAY).code
            == "birth_date_too_early"
        )
        assert validators.parse_resident_id(make_id("43010219000101001"), today=TODAY).birth_date == date(1900, 1, 1)

    def test_unknown_province_with_correct_check_digit(self):
        error = error_of(validators.parse_resident_id, make_id("99010219900101001"), today=TODAY)
        assert error.code == "invalid_province"
        assert error.params["code"] == "99"

    @pytest.mark.parametrize("province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71"])
    def test_all_province_ranges_accepted(self, province):
        assert (
            validators.parse_resident_id(make_id(f"{province}010219900101001"), today=TODAY).province_code == province
        )

    @pytest.mark.parametrize(
        "province", ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70"]
    )
    def test_gaps_between_provinces_rejected(self, province):
        assert (
            error_of(validators.parse_resident_id, make_id(f"{province}010219900101001"), today=TODAY).code
            == "invalid_province"
        )

    def test_historical_county_code_accepted(self):
        # 430122 望城县 became 望城区 (430112) in 2011; numbers keep the old code.
        # stdnum.cn.ric.validate() rejects this number.
        number = make_id("43012220150101002")
        assert not ric.is_valid(number)
        assert validators.parse_resident_id(number, today=TODAY).region_code == "430122"

    def test_invented_county_code_accepted(self):
        # stdnum.cn.ric.validate() raises KeyError here; we must not.
        number = make_id("43990119900101001")
        assert validators.parse_resident_id(number, today=TODAY).region_code == "439901"

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("", "invalid_length"),
            (None, "invalid_length"),
            ("4301021990", "invalid_length"),
            ("4301021990010100111", "invalid_length"),
            ("430102900101001", "obsolete_15_digit"),
            ("43010219900101001Y", "invalid_characters"),
            ("4301021990010100X1", "invalid_characters"),
            ("43010219900101-011", "invalid_characters"),
            ("٤٣٠١٠٢١٩٩٠٠١٠١٠٠١١", "invalid_characters"),  # Arabic-Indic digits
        ],
    )
    def test_bad_format(self, value, code):
        assert error_of(validators.parse_resident_id, value, today=TODAY).code == code

    @pytest.mark.parametrize(("seq", "sex"), [("001", "M"), ("002", "F"), ("019", "M"), ("990", "F")])
    def test_sex_from_17th_digit(self, seq, sex):
        assert validators.parse_resident_id(make_id(f"43010219900101{seq}"), today=TODAY).sex == sex

    def test_age_on(self):
        rid = validators.parse_resident_id(make_id("43010219850601001"), today=TODAY)
        assert rid.age_on(date(2025, 5, 31)) == 39
        assert rid.age_on(date(2025, 6, 1)) == 40
        assert rid.age_on(datetime(2025, 6, 1, 8, 0)) == 40

    def test_age_on_leap_day_birthday(self):
        rid = validators.parse_resident_id(make_id("43010220000229001"), today=TODAY)
        assert rid.age_on(date(2001, 2, 28)) == 0
        assert rid.age_on(date(2001, 3, 1)) == 1
        assert rid.age_on(date(2004, 2, 29)) == 4

    def test_resident_id_is_frozen(self):
        rid = validators.parse_resident_id(make_id("43010219900101001"), today=TODAY)
        with pytest.raises(AttributeError):
            rid.sex = "F"

    def test_messages_are_user_facing(self):
        error = error_of(validators.parse_resident_id, "123", today=TODAY)
        assert error.messages == [str(error.messages[0])]
        assert "18" in error.messages[0]


class TestValidateResidentId:
    def test_returns_normalised_number_with_default_today(self):
        number = make_id("43010219900101001")
        assert validators.validate_resident_id(f" {number.lower()} ") == number

    def test_raises_validation_error(self):
        assert error_of(validators.validate_resident_id, "43010219900101001").code == "invalid_length"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789Xx ０１２３４５６７８９ｘＸ", max_size=25)))
def test_parse_resident_id_only_raises_validation_error_on_text(value):
    try:
        result = validators.parse_resident_id(value, today=TODAY)
    except ValidationError:
        return
    assert isinstance(result, validators.ResidentId)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_parse_resident_id_with_correct_check_digit(body):
    number = make_id(body)
    try:
        result = validators.parse_resident_id(number, today=TODAY)
    except ValidationError as error:
        # The check digit is right, so only the date or province can be wrong.
        assert error.code in {"invalid_birth_date", "birth_date_too_early", "birth_date_in_future", "invalid_province"}
        return
    assert result.number == number
    assert result.birth_date <= TODAY


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------


class TestPersonName:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("张三", "张三"),
            ("  欧阳娜娜 ", "欧阳娜娜"),
            ("张 三", "张三"),
            ("买买提·艾力", "买买提·艾力"),
            ("买买提\u2022艾力", "买买提·艾力"),
            ("买买提\u30fb艾力", "买买提·艾力"),
            ("买买提 · 艾力", "买买提·艾力"),
            ("阿依古丽·买买提·吐尔逊", "阿依古丽·买买提·吐尔逊"),
            ("䶮刘", "䶮刘"),  # Extension A
            ("𠮷田", "𠮷田"),  # Extension B
            ("John Smith", "John Smith"),
            ("John   Smith", "John Smith"),
            ("ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH"),
            ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
            ("José Müller", "José Müller"),
        ],
    )
    def test_valid(self, value, expected):
        assert validators.validate_person_name(value) == expected

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("张3", "digits"),
            ("张三２", "digits"),
            ("John Smith 2", "digits"),
            ("张\x00三", "control_characters"),
            ("张\t三", "control_characters"),
            ("张\u200b三", "control_characters"),  # zero-width space
            ("张\u202e三", "control_characters"),  # right-to-left override
            ("买买提··艾力", "double_dot"),
            ("买买提·•艾力", "double_dot"),
            ("·买买提", "dot_at_end"),
            ("买买提·", "dot_at_end"),
            ("张", "invalid_length"),
            ("", "invalid_length"),
            (None, "invalid_length"),
            ("张" * 41, "invalid_length"),
            ("张John", "mixed_scripts"),
            ("Иван Петров", "invalid_characters"),
            ("张三!", "invalid_characters"),
            ("张三.李四", "invalid_characters"),
            ("Jean--Luc", "invalid_characters"),
            ("-John", "invalid_characters"),
            ("😀😀", "invalid_characters"),
        ],
    )
    def test_invalid(self, value, code):
        assert error_of(validators.validate_person_name, value).code == code

    def test_length_limits(self):
        assert validators.validate_person_name("张" * 40) == "张" * 40
        assert validators.validate_person_name("王五") == "王五"

    @pytest.mark.parametrize("value", [None, 42, object(), "\x00", "·" * 100])
    def test_normalize_never_raises(self, value):
        assert isinstance(validators.normalize_person_name(value), str)


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------


class TestPhone:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("13812345678", "+8613812345678"),
            ("138 1234 5678", "+8613812345678"),
            ("138-1234-5678", "+8613812345678"),
            ("+86 138 1234 5678", "+8613812345678"),
            ("+8613812345678", "+8613812345678"),
            ("008613812345678", "+8613812345678"),
            ("19912345678", "+8619912345678"),
            ("１３８１２３４５６７８", "+8613812345678"),
            ("0731-84567890", "+8673184567890"),
            ("073184567890", "+8673184567890"),
            ("(0731)84567890", "+8673184567890"),
            ("（０７３１）８４５６７８９０", "+8673184567890"),
            ("0731 8456 7890", "+8673184567890"),
            ("0731—84567890", "+8673184567890"),
            ("010-62345678", "+861062345678"),
        ],
    )
    def test_valid(self, value, expected):
        assert validators.normalize_phone(value) == expected
        assert validators.validate_phone(value) == expected

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("", "required"),
            (None, "required"),
            ("12345", "invalid"),
            ("1381234567", "invalid"),
            ("138123456789", "invalid"),
            ("12012345678", "invalid"),
            ("+8612345678901", "invalid"),
            ("84567890", "missing_area_code"),
            ("+85291234567", "not_mainland"),
            ("+14155552671", "not_mainland"),
            ("4001234567", "not_personal"),
            ("138abcd5678", "invalid_characters"),
            ("0731-84567890 ext 12", "invalid_characters"),
        ],
    )
    def test_invalid(self, value, code):
        assert error_of(validators.normalize_phone, value).code == code


# --------------------------------------------------------------------------
# Employer codes
# --------------------------------------------------------------------------


class TestUnifiedSocialCreditCode:
    @pytest.mark.parametrize(
        "body", ["91430102MA4L12345", "12430000006123456", "N2430102MF1234567", "91110000600037341"]
    )
    def test_valid(self, body):
        code = make_uscc(body)
        assert employer_codes.validate_unified_social_credit_code(code) == code

    def test_normalises_case_spaces_and_hyphens(self):
        code = make_uscc("91430102MA4L12345")
        assert employer_codes.validate_unified_social_credit_code(f" {code[:8].lower()}-{code[8:].lower()} ") == code

    def test_known_good(self):
        assert employer_codes.validate_unified_social_credit_code("91110000600037341L") == "91110000600037341L"

    def test_wrong_checksum(self):
        code = make_uscc("91430102MA4L12345")
        wrong = "0" if code[-1] != "0" else "1"
        assert (
            error_of(employer_codes.validate_unified_social_credit_code, code[:-1] + wrong).code == "invalid_checksum"
        )

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("9143010", "invalid_length"),
            ("91430102MA4L1234IX", "invalid_characters"),  # I is not used
            ("914301O2MA4L123456", "invalid_characters"),  # region must be digits
        ],
    )
    def test_bad_format(self, value, code):
        assert error_of(employer_codes.validate_unified_social_credit_code, value).code == code


class TestOrganizationCode:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("D2143569-X", "D2143569X"),  # check 10 -> X
            ("d2143569x", "D2143569X"),
            ("12345678-8", "123456788"),  # 201 mod 11 = 3 -> 8
            ("00000000-0", "000000000"),  # check 11 -> 0
            ("１２３４５６７８－８", "123456788"),
        ],
    )
    def test_valid(self, value, expected):
        assert employer_codes.validate_organization_code(value) == expected

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("D2143569-1", "invalid_checksum"),
            ("12345678-9", "invalid_checksum"),
            ("1234567", "invalid_length"),
            ("1234567#-8", "invalid_characters"),
            ("12345678-A", "invalid_characters"),
        ],
    )
    def test_invalid(self, value, code):
        assert error_of(employer_codes.validate_organization_code, value).code == code


class TestEmployerCode:
    def test_accepts_uscc(self):
        code = make_uscc("91430102MA4L12345")
        assert employer_codes.validate_employer_code(code.lower()) == code

    def test_accepts_organization_code(self):
        assert employer_codes.validate_employer_code("D2143569-X") == "D2143569X"

    def test_rejects_other_lengths(self):
        assert error_of(employer_codes.validate_employer_code, "12345").code == "invalid_length"

    def test_reports_checksum_errors(self):
        assert error_of(employer_codes.validate_employer_code, "D2143569-1").code == "invalid_checksum"

    def test_normalize(self):
        assert employer_codes.normalize_employer_code(" d2143569－x ") == "D2143569X"


# --------------------------------------------------------------------------
# Employment status against age
# --------------------------------------------------------------------------


class TestEmploymentStatusForAge:
    def test_preschool_at_40_mentions_age(self):
        error = error_of(eligibility.check_employment_status_for_age, EmploymentStatus.PRESCHOOL, 40)
        assert error.code == "preschool_age"
        assert error.params["age"] == 40
        assert "40" in error.messages[0]
        assert str(EmploymentStatus.PRESCHOOL.label) in error.messages[0]

    @pytest.mark.parametrize(
        ("status", "age"),
        [
            (EmploymentStatus.PRESCHOOL, 0),
            (EmploymentStatus.PRESCHOOL, 6),
            (EmploymentStatus.STUDENT, 10),
            (EmploymentStatus.STUDENT, 5),
            (EmploymentStatus.STUDENT, 60),
            ("student", 22),
            (EmploymentStatus.EMPLOYED_IN_PROVINCE, 16),
            (EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE, 45),
            (EmploymentStatus.UNEMPLOYED, 30),
            (EmploymentStatus.FREELANCER, 70),
            (EmploymentStatus.PRESCHOOL, None),
        ],
    )
    def test_consistent(self, status, age):
        assert eligibility.check_employment_status_for_age(status, age) is None

    @pytest.mark.parametrize(
        ("status", "age", "code"),
        [
            (EmploymentStatus.PRESCHOOL, 7, "preschool_age"),
            (EmploymentStatus.STUDENT, 4, "student_age"),
            (EmploymentStatus.STUDENT, 61, "student_age"),
            (EmploymentStatus.EMPLOYED_IN_PROVINCE, 15, "working_age"),
            (EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE, 10, "working_age"),
            ("unemployed", 15, "working_age"),
            (EmploymentStatus.FREELANCER, 12, "working_age"),
            ("retired", 70, "invalid_status"),
            (None, 30, "invalid_status"),
        ],
    )
    def test_inconsistent(self, status, age, code):
        assert error_of(eligibility.check_employment_status_for_age, status, age).code == code

    def test_thresholds(self):
        assert (
            eligibility.PRESCHOOL_MAX_AGE,
            eligibility.STUDENT_MIN_AGE,
            eligibility.STUDENT_MAX_AGE,
            eligibility.MIN_WORKING_AGE,
        ) == (7, 5, 60, 16)


# --------------------------------------------------------------------------
# Reference numbers
# --------------------------------------------------------------------------

_REF_CHAR = f"[{reference.REFERENCE_ALPHABET}]"
REFERENCE_FORMAT = re.compile(f"HN-{_REF_CHAR}{{4}}-{_REF_CHAR}{{4}}-{_REF_CHAR}{{3}}")


class TestReferenceNumbers:
    def test_alphabet_has_no_ambiguous_characters(self):
        assert len(set(reference.REFERENCE_ALPHABET)) == len(reference.REFERENCE_ALPHABET) == 30
        assert not set("01OILU") & set(reference.REFERENCE_ALPHABET)

    def test_format_and_round_trip(self):
        for _ in range(200):
            ref = reference.generate_reference_number()
            assert REFERENCE_FORMAT.fullmatch(ref), ref
            assert reference.is_valid_reference_number(ref)
            assert reference.normalize_reference_number(ref) == ref

    def test_lenient_input(self):
        ref = reference.generate_reference_number()
        body = ref.replace("-", "")[2:]
        for typed in [
            ref.lower(),
            f" {ref.replace('-', ' ')} ",
            body,
            body.lower(),
            "hn" + body,
            ref.replace("-", "－"),
        ]:
            assert reference.normalize_reference_number(typed) == ref
            assert reference.is_valid_reference_number(typed)

    def test_every_single_character_typo_detected(self):
        for _ in range(20):
            body = reference.generate_reference_number().replace("-", "")[2:]
            for i, original in enumerate(body):
                for replacement in reference.REFERENCE_ALPHABET.replace(original, ""):
                    typo = body[:i] + replacement + body[i + 1 :]
                    assert not reference.is_valid_reference_number(typo), (body, typo)

    def test_most_adjacent_swaps_detected(self):
        detected = total = 0
        for _ in range(200):
            body = reference.generate_reference_number().replace("-", "")[2:]
            for i in range(len(body) - 1):
                if body[i] != body[i + 1]:
                    total += 1
                    detected += not reference.is_valid_reference_number(
                        body[:i] + body[i + 1] + body[i] + body[i + 2 :]
                    )
        assert detected / total > 0.95

    def test_ambiguous_characters_are_invalid(self):
        ref = reference.generate_reference_number()
        for ch in "0O1IL":
            assert not reference.is_valid_reference_number(ref[:-1] + ch)

    @pytest.mark.parametrize("value", [None, "", "HN", "HN-1234", "garbage!", 12345, object(), "HN-" + "2" * 40])
    def test_garbage_is_invalid_and_safe(self, value):
        assert reference.is_valid_reference_number(value) is False
        assert isinstance(reference.normalize_reference_number(value), str)

    def test_unique_over_10000(self):
        refs = {reference.generate_reference_number() for _ in range(10_000)}
        assert len(refs) == 10_000


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


GARBAGE = [None, "", " ", 0, 12345, object(), b"\xff", "abc", "\x00\x01", "😀" * 50, "1" * 1000, ["x"], "+", "·"]


class TestMasking:
    def test_mask_id_number(self):
        assert personal_data.mask_id_number("43010219900101123X") == "430102********123X"
        assert personal_data.mask_id_number("43010219900101123x") == "430102********123X"
        assert personal_data.mask_id_number("430102900101123") == "430102******123"

    @hypothesis_settings(max_examples=200, deadline=None)
    @given(st.text(alphabet="0123456789", min_size=17, max_size=17))
    def test_mask_id_number_never_shows_birth_digits(self, body):
        number = make_id(body)
        masked = personal_data.mask_id_number(number)
        assert len(masked) == 18
        assert masked[6:14] == "*" * 8
        assert masked[:6] == number[:6] and masked[14:] == number[14:]

    def test_mask_id_number_of_wrong_length_shows_nothing(self):
        assert personal_data.mask_id_number("4301021990010112") == "*" * 16
        assert personal_data.mask_id_number("1" * 100) == "*" * 18

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("13812345678", "138****5678"),
            ("+8613812345678", "138****5678"),
            ("+86 138 1234 5678", "138****5678"),
            ("+8673184567890", "0731-****7890"),
            ("0731-84567890", "0731-****7890"),
            ("+861062345678", "010-****5678"),
            ("07438456789", "0743-****789"),  # 7-digit local number: 3 shown
        ],
    )
    def test_mask_phone(self, value, expected):
        assert personal_data.mask_phone(value) == expected

    def test_mask_phone_of_a_stored_mainland_number_is_what_parsing_it_gives(self):
        # "+861" and 10 digits take a shortcut (imports mask millions); " +861…" goes through phonenumbers.
        rng = random.Random(12)
        for _ in range(300):
            value = "+861" + "".join(rng.choice("0123456789") for _ in range(10))
            assert personal_data.mask_phone(value) == personal_data.mask_phone(" " + value)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("张三", "张*"),
            ("张三丰", "张**"),
            ("欧阳娜娜", "欧**娜"),
            ("买买提·艾力", "买**·*力"),
            ("买买提\u30fb艾力", "买**·*力"),
            ("John Smith", "J*** ****h"),
            ("张", "*"),
        ],
    )
    def test_mask_name(self, value, expected):
        assert personal_data.mask_name(value) == expected

    @pytest.mark.parametrize("value", GARBAGE)
    def test_masks_tolerate_garbage(self, value):
        for mask in (personal_data.mask_id_number, personal_data.mask_phone, personal_data.mask_name):
            assert isinstance(mask(value), str)

    @pytest.mark.parametrize("value", [None, ""])
    def test_masks_of_empty_are_empty(self, value):
        assert (
            personal_data.mask_id_number(value)
            == personal_data.mask_phone(value)
            == personal_data.mask_name(value)
            == ""
        )

    @hypothesis_settings(max_examples=200, deadline=None)
    @given(st.text())
    def test_masks_never_raise(self, value):
        for mask in (personal_data.mask_id_number, personal_data.mask_phone, personal_data.mask_name):
            assert isinstance(mask(value), str)


# --------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------


class TestChoices:
    def test_values(self):
        assert EmploymentStatus.values == [
            "employed_in_province",
            "employed_out_of_province",
            "preschool",
            "student",
            "unemployed",
            "freelancer",
        ]
        assert NotInsuredReason.values == [
            "personal",
            "employer_did_not_enrol",
            "military",
            "abroad",
            "imprisoned",
            "other",
        ]
        assert ServiceBank.values == ["icbc", "abc", "boc", "ccb", "citic", "bocom", "hrxj", "psbc", "rcc", "bocs"]
        assert ProxyRelationship.values == [
            "parent",
            "child",
            "spouse",
            "sibling",
            "grandparent",
            "grandchild",
            "other_relative",
            "other",
        ]
        assert Channel.values == ["online", "counter", "door_to_door"]

    def test_labels_are_the_form_wording(self):
        with translation.override("zh-hans"):
            assert [str(label) for label in ServiceBank.labels] == [
                "工行",
                "农行",
                "中行",
                "建行",
                "中信银行",
                "交通银行",
                "华融湘江银行",
                "邮政银行",
                "农信社",
                "长沙银行",
            ]
            assert str(EmploymentStatus.PRESCHOOL.label) == "学龄前"
            assert str(NotInsuredReason.EMPLOYER_DID_NOT_ENROL.label) == "单位未予参保"
            assert str(ProxyRelationship.GRANDPARENT.label) == "祖父母/外祖父母"
            assert str(Channel.DOOR_TO_DOOR.label) == "入户"
