"""The portal's foundation: both languages, health check, seed idempotence, roles and settings."""

import io
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import DatabaseError
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from portal import roles

pytestmark = pytest.mark.django_db


def test_chinese_home_at_root_and_english_at_en(client, public_site):
    zh = client.get("/")
    assert zh.status_code == 200
    assert '<html lang="zh-hans"' in zh.content.decode()
    assert "湖南省全民参保登记" in zh.content.decode()

    en = client.get("/en/")
    assert en.status_code == 200
    body = en.content.decode()
    assert '<html lang="en"' in body
    assert "Hunan Universal Social Insurance Registration" in body


def test_language_switcher_links_to_the_same_page_in_the_other_language(client, public_site):
    body = client.get("/").content.decode()
    assert 'href="/en/" lang="en" hreflang="en"' in body
    assert 'aria-current="true" lang="zh-hans"' in body
    body = client.get("/en/").content.decode()
    assert 'href="/" lang="zh-hans" hreflang="zh-hans"' in body


def test_english_home_is_a_wagtail_localize_translation_not_a_copy(public_site):
    zh_home = HomePage.objects.get(locale__language_code="zh-hans")
    en_home = zh_home.get_translation(Locale.objects.get(language_code="en"))
    assert en_home.live
    assert en_home.title != zh_home.title
    from wagtail_localize.models import Translation

    assert Translation.objects.filter(source__object_id=zh_home.translation_key, target_locale=en_home.locale).exists()


def test_seed_command_is_idempotent(public_site):
    counts = (Page.objects.count(), Site.objects.count(), Group.objects.count(), Locale.objects.count())
    revisions = sum(p.revisions.count() for p in Page.objects.all())
    for command in ("load_portal_content", "load_registration_content"):
        call_command(command, stdout=io.StringIO())
    assert (Page.objects.count(), Site.objects.count(), Group.objects.count(), Locale.objects.count()) == counts
    assert sum(p.revisions.count() for p in Page.objects.all()) == revisions
    assert Site.objects.get(is_default_site=True).root_page.specific.__class__ is HomePage


def test_roles_exist_with_admin_access(public_site):
    for name in roles.ROLES:
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists(), name
    editor = Group.objects.get(name=roles.EDITOR)
    approver = Group.objects.get(name=roles.APPROVER)
    assert not editor.page_permissions.filter(permission__codename="publish_page").exists()
    assert approver.page_permissions.filter(permission__codename="publish_page").exists()


def test_demo_accounts_can_log_in_to_admin(client, public_site, settings, tmp_path):
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    for username in ["editor", "approver", "handler", "reviewer", "admin"]:
        client.logout()
        assert client.login(username=username, password=password), username
        assert client.get("/admin/").status_code == 200, username


def test_demo_accounts_get_their_divisions_from_the_registration_app(public_site, settings, tmp_path):
    from forms_intake.models import StaffDivision

    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    call_command("create_demo_accounts", stdout=io.StringIO())
    assert not StaffDivision.objects.filter(user__username="handler").exists()  # the home app knows no division
    call_command("load_registration_content", "--demo-divisions", stdout=io.StringIO())
    assert StaffDivision.objects.filter(user__username="handler", division_id="430102001").exists()
    settings.DEBUG = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_registration_content", "--demo-divisions", stdout=io.StringIO())


def test_the_home_page_links_to_the_registration_apps_pages(public_site):
    for language, status_url in (("zh-hans", "/status/"), ("en", "/en/status/")):
        home = HomePage.objects.get(locale__language_code=language)
        assert home.status_lookup_page.specific.locale.language_code == language
        assert home.call_to_action_page is not None
        assert home.status_lookup_url() == status_url


def test_demo_accounts_refused_outside_development(public_site, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts", stdout=io.StringIO())


def test_healthz_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    from django.db import connection

    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", broken)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_unknown_page_gets_the_sites_404(client, public_site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "湖南省全民参保登记" in response.content.decode() or "Page not found" in response.content.decode()


def test_static_css_served_locally_and_no_cdn(client, public_site):
    body = client.get("/").content.decode()
    assert "/static/css/portal.css" in body
    for cdn in ["cdn.", "googleapis", "jsdelivr", "unpkg", "bootcdn"]:
        assert cdn not in body


def _run_python(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_production_settings_refuse_to_start_without_secrets():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings.production"}
    result = _run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_deploy_check():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 64 + "-production-like-secret-value-for-the-check",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "FIELD_ENCRYPTION_KEYS": "m2Wz8Hc8m5pFxr0P6mZq1aV3oJ0cY3n0hR9kq4bT1uE=",
        "LOOKUP_HASH_KEY": "k" * 64,
        "SMS_BACKEND": "portal.sms.backends.console.SmsBackend",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
