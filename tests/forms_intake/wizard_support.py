"""Helpers for the registration wizard tests: a small division table, the pages, valid answers."""

from __future__ import annotations

import os
from unittest import mock

from django.core.management import call_command
from stdnum.cn import ric

from forms_intake.services import divisions as division_module

# Hunan, Beijing (a municipality) and Guangdong's 东莞 (townships straight under a city).
_SUBSET_PREFIXES = ("43", "11", "4419", "440000", "42")


def subset_rows():
    return [row for row in division_module._dataset_rows() if row[1].startswith(_SUBSET_PREFIXES)]


def load_test_site():
    """Seed the registration and status pages (and a division subset) without the other apps' pages."""
    from forms_intake.seed import seed_registration

    rows = subset_rows()
    with (
        mock.patch("home.seed_content.EXTRA_STEPS", [seed_registration]),
        mock.patch("forms_intake.seed.load_divisions", lambda: division_module.load_divisions(rows)),
    ):
        call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def make_id(region="430102", birth="19900101", sequence="123"):
    """A valid 18-character ID number for the given region, birth date and sequence."""
    body = f"{region}{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 characters


ADULT_ID = make_id(birth="19900101", sequence="123")  # male, born 1990
CHILD_ID = make_id(birth="20220601", sequence="124")  # female, born 2022
PARENT_ID = make_id(region="430103", birth="19920315", sequence="225")
STUDENT_ID = make_id(region="430104", birth="20080101", sequence="331")
MOBILE = "13812345678"
PROXY_MOBILE = "13987654321"

# Divisions used in the answers (all in the subset above).
HUNAN, CHANGSHA, FURONG = "430000", "430100", "430102"
FURONG_TOWN = "430102001"  # 文艺路街道


def step_post(step, data):
    """POST data for one wizard step: the management form plus prefixed fields."""
    payload = {"registration-current_step": step}
    payload.update({f"{step}-{key}": value for key, value in data.items()})
    return payload


def address_answers(**overrides):
    data = {
        "hukou_province": HUNAN, "hukou_city": CHANGSHA, "hukou_county": FURONG,
        "residence_province": HUNAN, "residence_city": CHANGSHA, "residence_county": FURONG,
        "residence_town": FURONG_TOWN, "residence_village": "八一路社区", "residence_street": "八一路12号",
    }
    data.update(overrides)
    return data


def employed_self_answers():
    """Every step's answers for an employed resident registering themself."""
    return [
        ("filer", {"filing_for": "self", "intent": "on"}),
        ("identity", {"name": "张三", "id_number": ADULT_ID, "phone": MOBILE}),
        ("employment", {"employment_status": "employed_in_province", "employer_name": "长沙市某某科技有限公司"}),
        ("address", address_answers()),
        ("workplace", {"employer_province": HUNAN, "employer_city": CHANGSHA, "employer_county": FURONG,
                       "employer_town": FURONG_TOWN, "employer_village": ""}),
        ("reason", {"not_insured_reason": "employer_did_not_enrol", "service_bank": "icbc"}),
        ("unit", {"unit_type": "employer", "unit_name": "长沙市某某科技有限公司", "unit_code": "91430100MA4L16JX8F"}),
        ("review", {"confirm_true": "on", "consent": "on"}),
    ]


def proxy_child_answers():
    """Every step's answers for a parent registering a preschool child."""
    return [
        ("filer", {"filing_for": "other", "intent": "on"}),
        ("identity", {"name": "李小明", "id_number": CHILD_ID, "phone": MOBILE}),
        ("proxy", {"proxy_name": "李大明", "proxy_phone": PROXY_MOBILE, "proxy_id_number": PARENT_ID,
                   "proxy_relationship": "parent"}),
        ("employment", {"employment_status": "preschool"}),
        ("address", address_answers()),
        ("reason", {"not_insured_reason": "personal", "service_bank": "bocs"}),
        ("unit", {"unit_type": "community", "unit_name": ""}),
        ("review", {"confirm_true": "on", "consent": "on"}),
    ]


def run_wizard(client, answers, base="/register/", stop_before=None):
    """Start the wizard and post each step; returns the last response."""
    client.get(f"{base}step/filer/")
    response = None
    for step, data in answers:
        if step == stop_before:
            break
        response = client.post(f"{base}step/{step}/", step_post(step, data))
        assert response.status_code in (200, 302), (step, response.status_code)
        if response.status_code == 200:
            raise AssertionError(f"step {step} did not validate: {response.context['form'].errors.as_json()}")
    return response
