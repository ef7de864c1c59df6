"""Issue 15: the detail page's common actions have access keys, listed on the page; "next" without acting."""

import re

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from forms_intake.services import transitions
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    items = [make_submission(name=f"王{n}", queue_code=TOWNSHIP_A) for n in range(3)]
    other = make_submission(name="他乡", queue_code=TOWNSHIP_B, residence_division=TOWNSHIP_B,
                            unit_division=TOWNSHIP_B)
    return {"items": items, "other": other, "handler": make_staff("handler_k", roles.HANDLER, [TOWNSHIP_A]),
            "reviewer": make_staff("reviewer_k", roles.REVIEWER, [TOWNSHIP_A])}


def inspect(client, submission, **headers):
    response = client.get(reverse("forms_intake_submission:inspect", args=[submission.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def access_keys(html):
    """{access key: the action URL of its form or link}."""
    keys = {}
    for form in re.finditer(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S):
        found = re.search(r'accesskey="(\w)"', form.group(2))
        if found:
            keys[found.group(1)] = form.group(1)
    for link in re.finditer(r'<a [^>]*href="([^"]+)"[^>]*accesskey="(\w)"', html):
        keys[link.group(2)] = link.group(1)
    return keys


def test_the_handlers_actions_have_access_keys_listed_on_the_page(client, world):
    item = world["items"][0]
    client.force_login(world["handler"])
    html = inspect(client, item, user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
    assert access_keys(html)["c"] == reverse("forms_intake_submission:action", args=[item.pk, "claim"])
    assert access_keys(html)["n"] == reverse("forms_intake_submission_next", args=[item.pk])
    assert "<kbd>Alt + C</kbd>" in html and "<kbd>Alt + N</kbd>" in html
    transitions.perform(item, "claim", world["handler"])
    html = inspect(client, item, user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    keys = access_keys(html)
    for key, action in (("s", "complete"), ("b", "return"), ("x", "reject")):
        assert keys[key] == reverse("forms_intake_submission:action", args=[item.pk, action])
    assert keys["k"] == reverse("forms_intake_submission:edit", args=[item.pk])
    assert "<kbd>Alt + Shift + S</kbd>" in html  # Firefox's access-key combination
    assert len(set(re.findall(r'accesskey="(\w)"', html))) == len(re.findall(r'accesskey="(\w)"', html))


def test_the_reviewers_register_has_its_key(client, world):
    item = world["items"][0]
    transitions.perform(item, "claim", world["handler"])
    transitions.perform(item, "complete", world["handler"])
    client.force_login(world["reviewer"])
    html = inspect(client, item, user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15")
    assert access_keys(html)["g"] == reverse("forms_intake_submission:action", args=[item.pk, "register"])
    assert "<kbd>Ctrl + ⌥ + G</kbd>" in html


def test_no_access_keys_when_the_user_switched_keyboard_shortcuts_off(client, world):
    UserProfile.objects.update_or_create(user=world["handler"], defaults={"keyboard_shortcuts": False})
    client.force_login(world["handler"])
    html = inspect(client, world["items"][0])
    assert "accesskey=" not in html and "data-shortcuts-help" in html


def test_next_opens_the_next_item_of_the_list_without_acting(client, world):
    first, second, third = world["items"]
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"))
    response = client.get(reverse("forms_intake_submission_next", args=[first.pk]))
    assert response["Location"] == reverse("forms_intake_submission:inspect", args=[second.pk])
    first.refresh_from_db()
    assert first.status == "submitted"
    response = client.get(reverse("forms_intake_submission_next", args=[third.pk]))
    assert response["Location"].startswith(reverse("forms_intake_submission:index"))


def test_next_from_an_item_of_another_division_is_404(client, world):
    client.force_login(world["handler"])
    client.get(reverse("forms_intake_submission:index"))
    assert client.get(reverse("forms_intake_submission_next", args=[world["other"].pk])).status_code == 404
    assert client.get(reverse("forms_intake_submission_next", args=[999999])).status_code == 404


def dialog_section(html):
    """The registration section of Wagtail's keyboard-shortcuts dialog: [(label, keys)], or None."""
    dialog = re.search(r'id="keyboard-shortcuts-dialog".*?</table>', html, re.S)
    assert dialog, "Wagtail's keyboard-shortcuts dialog is on every admin page"
    section = re.search(r'id="keyboard-shortut-group-registration-detail">(.*?)</tbody>', dialog.group(0), re.S)
    if section is None:
        return None
    return re.findall(r'<th scope="row">([^<]+)</th>\s*<td><kbd>([^<]+)</kbd>', section.group(1))


def test_wagtails_shortcuts_dialog_lists_the_access_keys_each_role_may_use(client, world):
    chrome = {"user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
    client.force_login(world["handler"])
    handler_rows = dict(dialog_section(client.get(reverse("wagtailadmin_home"), headers=chrome).content.decode()))
    assert handler_rows["认领"] == "Alt + C" and handler_rows["提交校核"] == "Alt + S"
    assert "确认登记" not in handler_rows  # the handler cannot register
    client.force_login(world["reviewer"])
    reviewer_rows = dict(dialog_section(client.get(reverse("wagtailadmin_home"), headers=chrome).content.decode()))
    assert reviewer_rows["确认登记"] == "Alt + G"
    # Wagtail's own sections are still there.
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="keyboard-shortut-group-admin-common"' in html


def test_content_editors_get_wagtails_dialog_without_the_registration_section(client, world):
    editor = make_staff("editor_k", roles.EDITOR, [])
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert dialog_section(html) is None
