"""Shared fixtures: seeded content, staff users and the browser for e2e tests."""

import os
import shutil

import pytest
from django.core.management import call_command

# The seeded site shared by the tests of a module (tests/home/site_fixture.py), for every test package.
from tests.home.site_fixture import load_public_site, media_on_disk, public_site, seed_committed, site_media  # noqa: F401, E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
E2E_REQUIRED = os.environ.get("E2E", "").lower() == "required"

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from such a thread unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test that drives the browser is an `e2e` test, marked or not: `-m "not e2e"` leaves them all out
    (.ci/run runs them once, on PostgreSQL)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: an activated language would leak between tests."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    """Each test starts with empty local-memory caches: rate-limit counters (portal/ratelimit.py) and
    cached pages must not leak from one test into the next. (A Redis cache is never flushed here.)"""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from portal.content_memo import memo

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()
    memo.clear()


@pytest.fixture(autouse=True)
def _rows_that_migrations_create(request):
    """A transactional test flushes the database when it ends, and with it the rows that data migrations
    made, which post_migrate does not make again: wagtail-localize's "submit_translation" permission is
    one. Without it the role groups silently lose that permission, and the editor no longer sees
    同步翻译页面 in a browser test that happens to run after another transactional test."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    content_type, _ = ContentType.objects.get_or_create(app_label="wagtail_localize", model="translation")
    Permission.objects.get_or_create(
        content_type=content_type, codename="submit_translation", defaults={"name": "Can submit translations"}
    )


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run a publishing action and the on-commit invalidation it schedules, as a real request commits it
    (tests otherwise roll back, and the page cache and memo never hear of the change)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def portal_content(db):
    """The seed content as `make run` loads it (locales, roles, site, pages)."""
    call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_registration_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def live_portal(transactional_db, live_server, media_on_disk, settings):  # noqa: F811 - the fixture
    """A live server with the seed content loaded, for browser tests.

    Its transactions commit, so publishing moves the content generation on as in
    production: the memo of page parts (portal/content_memo.py) is on here.
    The content is the public site's seed, committed (or this worker's copy of it: tests/home/site_fixture.py).
    """
    settings.CONTENT_MEMO_ENABLED = True
    seed_committed(load_public_site)
    return live_server


def _chromium_available():
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not _chromium_available():
        if E2E_REQUIRED:
            pytest.fail(f"E2E=required but no Chromium at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()
