"""Test settings: development settings made fast and deterministic."""

import uuid

from .dev import *  # noqa: F401,F403
from .dev import CACHES, REDIS_URL

PORTAL_ENVIRONMENT = "test"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests get their own keys, never the developer's local ones.
FIELD_ENCRYPTION_KEYS = ["m2Wz8Hc8m5pFxr0P6mZq1aV3oJ0cY3n0hR9kq4bT1uE="]
LOOKUP_HASH_KEY = "test-lookup-hash-key"
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
WAGTAILADMIN_BASE_URL = "http://testserver"
# Pages are rendered afresh in tests; tests/test_cache.py switches the page cache on.
PAGE_CACHE_ENABLED = False
# Tests roll back instead of committing, so publishing never bumps the generation there;
# tests/test_content_memo.py switches the memo on where it is under test.
CONTENT_MEMO_ENABLED = False
# Tests set the generation directly; tests/test_generation_watcher.py tests the subscription on Redis.
PAGE_CACHE_GENERATION_PUBSUB = False
# Django's test client logs in without a request, which django-axes refuses;
# tests/security drive the real login form to test the lockout.
AXES_ALLOW_NO_REQUEST = True
# Tasks run at once, inside the test (tests/jobs start a real worker where that is under test).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The page cache in local memory, not in the development settings' files (tests clear it between tests).
CACHES.pop("pages", None)
PAGE_CACHE_ALIAS = "default"
# Several test runs may share one Redis (CI jobs on one machine, engineers on one host): each run has a
# key prefix of its own, and clear() deletes that prefix's keys only (portal/resilient_cache.py), so one
# run can never empty another's rate-limit counters or sessions in the middle of a test.
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
SMS_BACKEND = "portal.sms.backends.locmem.SmsBackend"
# Browser journeys and most wizard tests submit without a code; tests of the code page switch it on
# (tests/forms_intake/test_wizard_phone_verification.py, tests/e2e/test_phone_verification.py).
WIZARD_PHONE_VERIFICATION = False
