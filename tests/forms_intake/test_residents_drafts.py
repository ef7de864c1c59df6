"""Issue #14: one draft per tab, stale pages, restart with confirmation, another family member."""

from __future__ import annotations

import re

import pytest

from forms_intake.models import Submission

from .wizard_support import (
    ADULT_ID,
    CHILD_ID,
    FURONG,
    FURONG_TOWN,
    employed_self_answers,
    proxy_child_answers,
    step_post,
)

pytestmark = pytest.mark.django_db


def start_draft(client):
    """Press "Start now" on the introduction: the URL of the new draft's first step."""
    response = client.post("/register/", {"start": "1"})
    assert response.status_code == 302
    assert re.search(r"/register/step/filer/\?draft=[\w-]+$", response["Location"])
    return response["Location"].split("?draft=")[1]


def post_step(client, draft, step, data):
    return client.post(f"/register/step/{step}/?draft={draft}", step_post(step, data))


def test_two_tabs_are_two_drafts_and_two_correct_records(client, registration_site):
    tab1, tab2 = start_draft(client), start_draft(client)
    assert tab1 != tab2
    first, second = employed_self_answers(), proxy_child_answers()
    # Interleaved, as two tabs would be.
    for (step1, data1), (step2, data2) in zip(first, second, strict=False):
        assert post_step(client, tab1, step1, data1).status_code == 302
        assert post_step(client, tab2, step2, data2).status_code == 302
    for step, data in second[len(first):]:
        assert post_step(client, tab2, step, data).status_code == 302
    # The second tab opened empty: its identity page never showed the first person's answers.
    assert Submission.objects.count() == 2
    adult = Submission.objects.get(id_number_hash__isnull=False, name="张三")
    child = Submission.objects.get(name="李小明")
    assert adult.id_number == ADULT_ID and not adult.is_proxy_filing
    assert child.id_number == CHILD_ID and child.is_proxy_filing and child.proxy_name == "李大明"


def test_a_new_tab_does_not_show_another_drafts_answers(client, registration_site):
    tab1 = start_draft(client)
    for step, data in employed_self_answers()[:2]:
        post_step(client, tab1, step, data)
    tab2 = start_draft(client)
    post_step(client, tab2, "filer", {"filing_for": "self", "intent": "on"})
    page = client.get(f"/register/step/identity/?draft={tab2}").content.decode()
    assert "张三" not in page and ADULT_ID not in page
    page = client.get(f"/register/step/identity/?draft={tab1}").content.decode()
    assert "张三" in page


def test_links_and_redirects_keep_the_draft(client, registration_site):
    tab = start_draft(client)
    response = post_step(client, tab, "filer", {"filing_for": "self", "intent": "on"})
    assert response["Location"] == f"/register/step/identity/?draft={tab}"
    page = client.get(response["Location"]).content.decode()
    assert f"/register/restart/?draft={tab}" in page


def test_the_reviews_change_links_keep_the_draft_and_come_back_to_the_review(client, registration_site):
    tab = start_draft(client)
    for step, data in employed_self_answers():
        if step == "review":
            break
        post_step(client, tab, step, data)
    review = client.get(f"/register/step/review/?draft={tab}").content.decode()
    change = f"/register/step/identity/?from=review&amp;draft={tab}"
    assert change in review
    client.get(change.replace("&amp;", "&"))
    data = dict(employed_self_answers())["identity"] | {"name": "张三丰"}
    response = post_step(client, tab, "identity", data)
    assert response["Location"] == f"/register/step/review/?draft={tab}"
    assert "张三丰" in client.get(response["Location"]).content.decode()


def test_a_stale_step_gets_the_site_page_and_keeps_what_was_typed(client, registration_site):
    tab = start_draft(client)
    post_step(client, tab, "filer", {"filing_for": "other", "intent": "on"})
    post_step(client, tab, "identity", {"name": "李小明", "id_number": CHILD_ID, "phone": "13812345678"})
    # Another tab (same draft) switches to "for myself": the proxy page of the first tab is stale.
    post_step(client, tab, "filer", {"filing_for": "self", "intent": "on"})
    response = post_step(client, tab, "proxy", {"proxy_name": "李大明"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "site-footer" in page  # the site's own layout
    assert "此页面已过期" in page
    # Back to "for another person": the proxy's name typed on the stale page is still there.
    post_step(client, tab, "filer", {"filing_for": "other", "intent": "on"})
    assert "李大明" in client.get(f"/register/step/proxy/?draft={tab}").content.decode()


def test_a_stale_step_in_english_is_in_english(client, registration_site):
    client.post("/en/register/", {"start": "1"})
    response = client.post("/en/register/", {"start": "1"})
    tab = response["Location"].split("?draft=")[1]
    client.post(f"/en/register/step/filer/?draft={tab}", step_post("filer", {"filing_for": "self", "intent": "on"}))
    response = client.post(f"/en/register/step/proxy/?draft={tab}", step_post("proxy", {"proxy_name": "Li"}))
    assert response.status_code == 400
    assert "This page was out of date" in response.content.decode()


def test_restart_in_another_tab_keeps_the_page_being_typed(client, registration_site):
    tab = start_draft(client)
    post_step(client, tab, "filer", {"filing_for": "self", "intent": "on"})
    # The other tab confirms "start again" on the same draft.
    assert client.get(f"/register/restart/?draft={tab}").status_code == 200
    client.post(f"/register/restart/?draft={tab}", {"restart": "1"})
    response = post_step(client, tab, "identity", {"name": "王五", "id_number": ADULT_ID, "phone": "13812345678"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "site-footer" in page
    kept = re.search(r'href="(/register/step/filer/\?draft=[\w-]+)"', page).group(1)
    draft = kept.split("=")[1]
    post_step(client, draft, "filer", {"filing_for": "self", "intent": "on"})
    assert "王五" in client.get(f"/register/step/identity/?draft={draft}").content.decode()


def test_restart_asks_first_and_clears_only_its_own_draft(client, registration_site):
    tab1, tab2 = start_draft(client), start_draft(client)
    for tab in (tab1, tab2):
        post_step(client, tab, "filer", {"filing_for": "self", "intent": "on"})
    confirm = client.get(f"/register/restart/?draft={tab1}")
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert client.session.get(f"wizard_registration_{tab1}", {}).get("step")  # nothing cleared by the GET
    response = client.post(f"/register/restart/?draft={tab1}", {"restart": "1"})
    assert response.status_code == 302 and tab1 not in response["Location"]
    assert f"wizard_registration_{tab1}" not in client.session
    assert client.session[f"wizard_registration_{tab2}"]["step"] == "identity"


def test_register_another_family_member_copies_only_what_was_chosen(client, registration_site):
    tab = start_draft(client)
    for step, data in employed_self_answers():
        post_step(client, tab, step, data)
    assert Submission.objects.count() == 1
    receipt = client.get("/register/done/").content.decode()
    assert "another/" in receipt
    response = client.post("/register/another/", {"copy_proxy": "1", "copy_address": "1"})
    new = response["Location"].split("?draft=")[1]
    assert new != tab
    filer = client.get(f"/register/step/filer/?draft={new}").content.decode()
    assert re.search(r'value="other"[^>]*checked', filer)
    client.post(f"/register/step/filer/?draft={new}", step_post("filer", {"filing_for": "other", "intent": "on"}))
    identity = client.get(f"/register/step/identity/?draft={new}").content.decode()
    assert "张三" not in identity and ADULT_ID not in identity
    post_step(client, new, "identity", {"name": "张小三", "id_number": CHILD_ID, "phone": "13812345678"})
    proxy = client.get(f"/register/step/proxy/?draft={new}").content.decode()
    assert "张三" in proxy and ADULT_ID in proxy
    post_step(client, new, "proxy", {"proxy_name": "张三", "proxy_id_number": ADULT_ID,
                                     "proxy_phone": "13812345678", "proxy_relationship": "parent"})
    post_step(client, new, "employment", {"employment_status": "preschool"})
    address = client.get(f"/register/step/address/?draft={new}").content.decode()
    assert re.search(rf'value="{FURONG_TOWN}"[^>]*selected', address)
    assert re.search(rf'value="{FURONG}"[^>]*selected', address)


def test_register_another_without_copying_is_empty(client, registration_site):
    tab = start_draft(client)
    for step, data in employed_self_answers():
        post_step(client, tab, step, data)
    response = client.post("/register/another/", {})
    new = response["Location"].split("?draft=")[1]
    filer = client.get(f"/register/step/filer/?draft={new}").content.decode()
    assert not re.search(r'value="other"[^>]*checked', filer)


def test_forged_draft_ids_never_reach_other_session_keys(client, registration_site):
    response = client.get("/register/step/filer/?draft=../../x")
    assert response.status_code in (200, 302)
    assert not any("../" in key for key, _value in client.session.items())
