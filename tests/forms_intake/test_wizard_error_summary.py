"""The error summary names the group of an address field: 户口所在地 or 常住所在地, not just 县（市、区）."""

import re

import pytest
from django.utils import translation

from .wizard_support import address_answers, employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db


def _summary(response):
    body = response.content.decode()
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert match, "no error summary"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", match.group(0), re.S)]


def _address_with(client, base="/register/", **overrides):
    run_wizard(client, employed_self_answers(), base=base, stop_before="address")
    return client.post(f"{base}step/address/", step_post("address", address_answers(**overrides)))


def test_summary_says_which_address_a_missing_county_belongs_to(client, registration_site):
    response = _address_with(client, hukou_county="", residence_town="")
    assert response.status_code == 200
    items = _summary(response)
    assert any(item.startswith("户口所在地 县（市、区）:") for item in items), items
    assert any(item.startswith("常住所在地 镇（街道）:") for item in items), items
    # The summary links to the field it names.
    assert 'href="#id_address-hukou_county"' in response.content.decode()


def test_summary_names_the_group_in_english(client, registration_site):
    with translation.override("en"):
        response = _address_with(client, base="/en/register/", hukou_county="")
    items = _summary(response)
    hukou = translation.gettext  # the English of the schema's label, as the page shows it
    with translation.override("en"):
        expected = f"{hukou('户口所在地')}, {hukou('县（市、区）')}:"
    assert any(item.startswith(expected) for item in items), (expected, items)
