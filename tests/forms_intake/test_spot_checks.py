"""Spot checks (issue 15, seed items 20-21): a reproducible draw per division, reviewers from outside the
division, findings per sampled registration, and the evaluation report's error rate with its Wilson interval."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from forms_intake.models import SpotCheck, SpotCheckItem
from forms_intake.rules import spot_checks as rules
from forms_intake.rules.states import SubmissionStatus as S
from forms_intake.services import spot_checks as service
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission


def zh(message, **values):
    """A message as the Chinese admin shows it (the catalogues may or may not translate it yet)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


# --------------------------------------------------------------------------- pure rules


def test_the_draw_is_reproducible_and_depends_on_the_set_only():
    ids = list(range(1, 501))
    first = rules.draw_sample(ids, 20, seed=42)
    assert first == rules.draw_sample(list(reversed(ids)), 20, seed=42)
    assert len(set(first)) == 20 and set(first) <= set(ids)
    assert first != rules.draw_sample(ids, 20, seed=43)
    assert sorted(rules.draw_sample([3, 1, 2], 10, seed=1)) == [1, 2, 3]  # never more than the population


def test_wilson_interval_matches_the_textbook_values():
    low, high = rules.wilson_interval(5, 100)
    assert round(low, 4) == 0.0215 and round(high, 4) == 0.1118
    low, high = rules.wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    assert rules.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        rules.wilson_interval(3, 2)


def test_outside_means_neither_in_above_nor_below():
    assert rules.overlaps("430102", ["430102001"])  # below
    assert rules.overlaps("430102", ["4301"])  # above
    assert rules.overlaps("430102", None)  # unrestricted
    assert not rules.overlaps("430102", ["430406", "4401"])


# --------------------------------------------------------------------------- the world

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    subs = [make_submission(status=S.REGISTERED, queue_code=TOWNSHIP_A) for _ in range(12)]
    subs += [make_submission(status=S.CARD_ISSUED, queue_code="430102002") for _ in range(3)]
    make_submission(status=S.SUBMITTED, queue_code=TOWNSHIP_A)  # not registered: never sampled
    make_submission(status=S.REGISTERED, queue_code="430406")  # another county
    province = make_staff("province", roles.PROVINCIAL_ADMIN, ["430000"])
    city = make_staff("hengyang", roles.REVIEWER, ["430400"])  # a city administrator of 衡阳
    city.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_spotcheck", "view_spotcheck", "assign_spotcheck"])
    )
    return {
        "subs": subs,
        "province": province,
        "city": city,
        "inside": make_staff("inside", roles.REVIEWER, [TOWNSHIP_A]),
        "above": make_staff("above", roles.REVIEWER, ["430100"]),
        "outside": make_staff("outside", roles.REVIEWER, ["430406"]),
        "outside2": make_staff("outside2", roles.REVIEWER, ["440106"]),
        "handler": make_staff("handler", roles.HANDLER, [TOWNSHIP_A]),
    }


def _draw(client, user, code="430102", size=6, seed=2026):
    client.force_login(user)
    return client.post(
        reverse("forms_intake_spotcheck:add"),
        {"division_code": code, "sample_size": size, "seed": seed, "note": "2017年抽查"},
    )


@pytest.mark.django_db
def test_a_provincial_administrator_draws_a_recorded_reproducible_sample(client, world):
    response = _draw(client, world["province"])
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{check.pk}/")
    assert (check.division_id, check.sample_size, check.seed, check.population_count) == ("430102", 6, 2026, 15)
    sampled = list(check.items.values_list("submission__queue_code", "submission__status"))
    assert len(sampled) == 6
    assert all(code.startswith("430102") and status in (S.REGISTERED, S.CARD_ISSUED) for code, status in sampled)
    assert service.redraw_ids(check) == [i.submission_id for i in check.items.order_by("position")]
    entry = ModelLogEntry.objects.get(action="forms_intake.spot_check_draw")
    assert entry.user == world["province"] and entry.data["seed"] == 2026
    report = client.get(response["Location"]).content.decode()
    assert 'data-figure="seed">2026<' in report and 'data-figure="sampled">6<' in report
    assert 'data-figure="reproducible">' in report
    history = client.get(reverse("forms_intake_spotcheck:history", args=[check.pk]))
    assert history.status_code == 200 and "province" in history.content.decode()


@pytest.mark.django_db
def test_bad_draws_get_clear_messages(client, world):
    body = _draw(client, world["province"], size=0).content.decode()
    assert "errorlist" in body or "error-message" in body
    body = _draw(client, world["province"], code="abc").content.decode()
    assert zh("This is not a division within your own divisions.") in body
    body = _draw(client, world["province"], code="430104").content.decode()  # no registered submission there
    assert zh("%(division)s has no registered submissions to sample.", division="岳麓区") in body
    assert not SpotCheck.objects.exists()


@pytest.mark.django_db
def test_a_city_administrator_draws_only_in_the_city_and_sees_only_its_checks(client, world):
    assert zh("This is not a division within your own divisions.") in _draw(client, world["city"]).content.decode()
    assert _draw(client, world["city"], code="430406", size=1).status_code == 302
    _draw(client, world["province"])
    theirs = SpotCheck.objects.get(division_id="430102")
    client.force_login(world["city"])
    listing = client.get(reverse("forms_intake_spotcheck:index")).content.decode()
    rows = re.search(r"<tbody>(.*?)</tbody>", listing, re.S).group(1)
    assert "雁峰区" in rows and "芙蓉区" not in rows
    for name in ("inspect", "history"):
        assert client.get(reverse(f"forms_intake_spotcheck:{name}", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("forms_intake_spotcheck:assign", args=[theirs.pk]), {"reviewer": [world["outside2"].pk]}
    )
    assert response.status_code == 404
    assert not theirs.items.exclude(reviewer=None).exists()


@pytest.mark.django_db
def test_staff_without_the_permissions_get_nothing(client, world):
    _draw(client, world["province"])
    check = SpotCheck.objects.get()
    for user in (world["handler"], world["outside"]):
        client.force_login(user)
        for name, args in (("index", []), ("add", []), ("inspect", [check.pk]), ("history", [check.pk])):
            response = client.get(reverse(f"forms_intake_spotcheck:{name}", args=args))
            assert response.status_code in (302, 403, 404), (user, name)
            assert "2017年抽查" not in response.content.decode()
        assert client.post(
            reverse("forms_intake_spotcheck:add"), {"division_code": "430102", "sample_size": 2}
        ).status_code in (302, 403)
    assert SpotCheck.objects.count() == 1
    client.force_login(world["province"])
    for name in ("edit", "delete"):
        assert client.post(reverse(f"forms_intake_spotcheck:{name}", args=[check.pk])).status_code in (302, 403)
    assert SpotCheck.objects.filter(pk=check.pk).exists()


@pytest.mark.django_db
def test_items_go_only_to_reviewers_outside_the_division(client, world):
    _draw(client, world["province"])
    check = SpotCheck.objects.get()
    report = client.get(reverse("forms_intake_spotcheck:inspect", args=[check.pk])).content.decode()
    offered = set(re.findall(r'name="reviewer" value="(\d+)"', report))
    assert offered == {str(world["outside"].pk), str(world["outside2"].pk), str(world["city"].pk)}
    url = reverse("forms_intake_spotcheck:assign", args=[check.pk])
    client.post(url, {"reviewer": [world["inside"].pk, world["outside"].pk]})
    assert not check.items.exclude(reviewer=None).exists()
    client.post(url, {"reviewer": [world["outside"].pk, world["outside2"].pk]})
    counts = sorted(check.items.values_list("reviewer__username", flat=True))
    assert counts == ["outside"] * 3 + ["outside2"] * 3
    assert ModelLogEntry.objects.filter(action="forms_intake.spot_check_assign").count() == 1


@pytest.mark.django_db
def test_findings_and_the_evaluation_report(client, world):
    _draw(client, world["province"], size=4)
    check = SpotCheck.objects.get()
    client.post(reverse("forms_intake_spotcheck:assign", args=[check.pk]), {"reviewer": [world["outside"].pk]})
    items = list(check.items.order_by("position"))
    client.force_login(world["outside"])
    mine = client.get(reverse("forms_intake_spotcheck:mine")).content.decode()
    assert all(i.reference in mine for i in items)
    page = client.get(reverse("forms_intake_spotcheck:finding", args=[items[0].pk])).content.decode()
    submission = items[0].submission
    assert submission.id_number_masked in page and submission.id_number not in page and submission.phone not in page
    url = reverse("forms_intake_spotcheck:finding", args=[items[0].pk])
    # An error without its field or note is refused with a message, not a 500.
    body = client.post(url, {"result": "error", "error_field": "", "note": ""}).content.decode()
    assert zh("Choose the field that is in error.") in body
    response = client.post(url, {"result": "error", "error_field": "service_bank", "note": "银行与纸质表不符"})
    assert response.status_code == 302
    assert response["Location"] == reverse("forms_intake_spotcheck:finding", args=[items[1].pk])  # the next one
    for item in items[1:]:
        client.post(reverse("forms_intake_spotcheck:finding", args=[item.pk]), {"result": "correct", "note": ""})
    assert check.items.filter(result=SpotCheckItem.Result.ERROR, error_field="service_bank").count() == 1
    assert ModelLogEntry.objects.filter(action="forms_intake.spot_check_finding").count() == 4
    assert "银行与纸质表不符" not in str(list(ModelLogEntry.objects.values_list("data", flat=True)))
    # Another reviewer, and the administrator who drew it, cannot open or answer the item.
    for other in (world["outside2"], world["province"]):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"result": "correct"}).status_code == 404
    client.force_login(world["province"])
    report = client.get(reverse("forms_intake_spotcheck:inspect", args=[check.pk])).content.decode()
    low, high = rules.wilson_interval(1, 4)
    assert 'data-figure="rate">25.0 %<' in report
    assert f"{low * 100:.1f} % – {high * 100:.1f} %" in report
    listing = client.get(reverse("forms_intake_spotcheck:index")).content.decode()
    assert "25.0 %" in listing and "4 / 4" in listing
