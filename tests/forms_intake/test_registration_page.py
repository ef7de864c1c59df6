"""The registration and status pages as Wagtail content: seeded, translated, editable, linked."""

import pytest
from wagtail.models import Locale

from forms_intake.pages import RegistrationPage, StatusLookupPage
from home.models import HomePage

from .wizard_support import load_test_site

pytestmark = pytest.mark.django_db


def test_seed_places_both_pages_in_both_languages_and_is_idempotent(registration_site):
    en = Locale.objects.get(language_code="en")
    page = RegistrationPage.objects.get(locale__language_code="zh-hans")
    assert page.url == "/register/"
    assert page.get_translation(en).url == "/en/register/"
    assert StatusLookupPage.objects.get(locale=en).url == "/en/status/"
    load_test_site()
    assert RegistrationPage.objects.count() == 2 and StatusLookupPage.objects.count() == 2


def test_the_home_page_links_to_the_wizard_in_each_language(client, registration_site):
    assert 'href="/register/"' in client.get("/").content.decode()
    assert 'href="/en/register/"' in client.get("/en/").content.decode()
    assert HomePage.objects.get(locale__language_code="zh-hans").call_to_action_page.url == "/register/"


def test_editor_guidance_is_shown_on_its_step_in_each_language(client, registration_site):
    client.get("/register/step/filer/")
    client.post("/register/step/filer/", {"registration-current_step": "filer", "filer-filing_for": "self",
                                          "filer-intent": "on"})
    assert "填写被登记人本人的姓名" in client.get("/register/step/identity/").content.decode()
    english = client.get("/en/register/step/identity/").content.decode()
    assert "Enter the name and resident ID number" in english
    assert "填写被登记人本人的姓名" not in english


def test_the_page_can_be_edited_in_the_admin(client, registration_site, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-unused-123")
    client.force_login(admin)
    page = RegistrationPage.objects.get(locale__language_code="zh-hans")
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    assert "温馨提示" in response.content.decode()


def test_the_introduction_offers_to_continue_once_started(client, registration_site):
    assert 'name="start"' in client.get("/register/").content.decode()
    client.get("/register/step/filer/")
    client.post("/register/step/filer/", {"registration-current_step": "filer", "filer-filing_for": "self",
                                          "filer-intent": "on"})
    intro = client.get("/register/").content.decode()
    assert 'name="start"' in intro  # another registration, in a draft of its own (issue #14)
    assert 'href="/register/step/identity/"' in intro
