"""Fixtures of the security tests: the registration site, production security settings, a clean cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches

# The registration site, seeded once per module (and its committed variant for transactional tests).
from tests.forms_intake.conftest import (  # noqa: F401
    committed_registration_site,
    registration_site,
    registration_site_for_module,
)

ROOT = Path(__file__).resolve().parents[2]

# The transport, cookie and header settings production.py adds (read from the real module).
PRODUCTION_SECURITY_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "ADMIN_CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "NO_STORE_PATH_PREFIXES",
    "CACHES",
]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "s" * 64,
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/eng-e-headers.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/10",
    "FIELD_ENCRYPTION_KEYS": "m2Wz8Hc8m5pFxr0P6mZq1aV3oJ0cY3n0hR9kq4bT1uE=",
    "LOOKUP_HASH_KEY": "k" * 64,
    "SMS_BACKEND": "portal.sms.backends.console.SmsBackend",
}


@pytest.fixture(scope="session")
def production_security_values():
    """The security settings exactly as portal/settings/production.py computes them."""
    code = (
        "import json; from portal.settings import production as p; "
        f"print(json.dumps({{n: getattr(p, n) for n in {PRODUCTION_SECURITY_NAMES!r}}}))"
    )
    env = {**os.environ, **PRODUCTION_ENV}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.fixture
def production_security(settings, production_security_values):
    """Run the test with production's transport, cookie and header settings (requests must be secure=True)."""
    for name, value in production_security_values.items():
        if name == "CACHES":
            continue  # the tests keep their local memory cache
        setattr(settings, name, tuple(value) if name == "NO_STORE_PATH_PREFIXES" else value)
    return settings


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and cached pages must not leak between tests.
    caches["default"].clear()
    yield
    caches["default"].clear()
