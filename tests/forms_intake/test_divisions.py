"""Division loading and the cascading address choices (province → city → county → town)."""

import pytest

from forms_intake.models import Division
from forms_intake.services import divisions
from forms_intake.steps.forms import AddressForm

from .wizard_support import CHANGSHA, FURONG, FURONG_TOWN, HUNAN, address_answers, subset_rows

pytestmark = pytest.mark.django_db


def test_load_divisions_loads_every_level_once_and_a_second_run_writes_nothing():
    first = divisions.load_divisions()
    assert first["created"] == first["total"] > 40000
    assert Division.objects.filter(level=1).count() == 33
    assert Division.objects.get(code="430102").parent_id == "430100"
    second = divisions.load_divisions()
    assert second["created"] == second["updated"] == 0


def test_load_divisions_updates_a_renamed_division():
    rows = subset_rows()
    divisions.load_divisions(rows)
    renamed = [[lvl, code, parent, "新名称" if code == FURONG else name] for lvl, code, parent, name in rows]
    counts = divisions.load_divisions(renamed)
    assert counts == {"created": 0, "updated": 1, "total": len(rows)}
    assert Division.objects.get(code=FURONG).name == "新名称"


@pytest.fixture
def loaded():
    divisions.load_divisions(subset_rows())


def codes(options):
    return [o.code for o in options]


def test_a_province_offers_its_cities(loaded):
    options = divisions.child_options("city", HUNAN)
    assert CHANGSHA in codes(options)
    assert HUNAN not in codes(options), "Hunan has no county directly under the province"


def test_a_municipality_offers_one_pass_through_city_then_its_districts(loaded):
    cities = divisions.child_options("city", "110000")
    assert codes(cities) == ["110000"]
    assert "110101" in codes(divisions.child_options("county", "110000"))


def test_a_province_with_direct_counties_offers_them_beside_its_cities(loaded):
    cities = divisions.child_options("city", "420000")
    assert "420100" in codes(cities) and "420000" in codes(cities)
    assert "429004" in codes(divisions.child_options("county", "420000"))  # 仙桃市


def test_a_city_without_counties_offers_a_pass_through_county_then_its_towns(loaded):
    counties = divisions.child_options("county", "441900")  # 东莞市
    assert codes(counties) == ["441900"]
    assert divisions.child_options("town", "441900")


def test_path_codes_lead_back_to_the_same_selects(loaded):
    town = Division.objects.get(code=FURONG_TOWN)
    assert divisions.path_codes(town) == {"province": HUNAN, "city": CHANGSHA, "county": FURONG, "town": FURONG_TOWN}
    beijing_district = Division.objects.get(code="110101")
    assert divisions.path_codes(beijing_district)["city"] == "110000"
    assert divisions.display_path(town) == "湖南省 长沙市 芙蓉区 文艺路街道"


def _address_form(**overrides):
    data = {f"address-{k}": v for k, v in address_answers(**overrides).items()}
    return AddressForm(data=data, prefix="address")


def test_address_form_resolves_the_deepest_division(loaded):
    form = _address_form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hukou_division"].code == FURONG
    assert form.cleaned_data["residence_division"].code == FURONG_TOWN


def test_a_county_outside_the_chosen_city_is_refused(loaded):
    form = _address_form(hukou_county="430202")  # 株洲市荷塘区, not in 长沙市
    assert not form.is_valid()
    assert "hukou_county" in form.errors


def test_a_town_outside_the_chosen_county_is_refused(loaded):
    form = _address_form(residence_town="430103001")
    assert not form.is_valid()
    assert "residence_town" in form.errors


def test_a_missing_town_is_an_error_beside_the_town_select(loaded):
    form = _address_form(residence_town="")
    assert not form.is_valid()
    assert list(form.errors) == ["residence_town"]


def test_beijing_addresses_go_through_the_pass_through_city(loaded):
    town = divisions.child_options("town", "110101")[0].code
    form = _address_form(
        hukou_province="110000", hukou_city="110000", hukou_county="110101",
        residence_province="110000", residence_city="110000", residence_county="110101", residence_town=town,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["residence_division"].code == town


def test_the_next_select_offers_the_children_of_the_submitted_choice(loaded):
    form = AddressForm(data={"address-hukou_province": HUNAN}, prefix="address")
    city_codes = [code for code, _label in form.fields["hukou_city"].choices]
    assert CHANGSHA in city_codes
    assert [c for c, _label in form.fields["hukou_county"].choices] == [""], "no county before a city is chosen"


def test_divisions_endpoint_returns_children_and_refuses_junk(client, registration_site):
    response = client.get("/register/divisions/", {"level": "city", "parent": HUNAN})
    assert response.status_code == 200
    assert {"code": CHANGSHA, "name": "长沙市"} in response.json()["options"]
    assert client.get("/register/divisions/", {"level": "town", "parent": "<script>"}).status_code == 404
    assert client.get("/register/divisions/", {"level": "planet", "parent": HUNAN}).status_code == 404


def test_the_division_index_sees_new_and_renamed_divisions_at_once(loaded):
    assert divisions.child_options("county", CHANGSHA)  # the index is built now
    Division.objects.create(code="430199", name="新设区", level=3, parent_id=CHANGSHA)
    assert "430199" in codes(divisions.child_options("county", CHANGSHA))
    rows = subset_rows()
    divisions.load_divisions([[lvl, code, parent, "新名称" if code == FURONG else name]
                              for lvl, code, parent, name in rows])
    assert divisions.display_path(divisions.get(FURONG_TOWN)) == "湖南省 长沙市 新名称 文艺路街道"


def test_a_division_from_the_index_needs_no_query(loaded, django_assert_num_queries):
    divisions.index()
    with django_assert_num_queries(0):
        town = divisions.get(FURONG_TOWN)
        assert divisions.display_path(town) == "湖南省 长沙市 芙蓉区 文艺路街道"
        assert divisions.path_codes(town)["county"] == FURONG
        assert codes(divisions.child_options("town", FURONG))
    assert town == Division.objects.get(code=FURONG_TOWN)
    assert divisions.get("999999") is None
