"""Production settings: refuse to start without secrets; hardened transport and cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import FIELD_ENCRYPTION_KEYS, LOOKUP_HASH_KEY, SECRET_KEY, env_bool, env_list

PORTAL_ENVIRONMENT = "production"
DEBUG = False

_missing = [
    name
    for name, value in [
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", env_list("ALLOWED_HOSTS")),
        ("DATABASE_URL", os.environ.get("DATABASE_URL")),
        # Cache, page-cache invalidation and rate limits must be shared by every app server.
        ("REDIS_URL", os.environ.get("REDIS_URL")),
        ("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS),
        ("LOOKUP_HASH_KEY", LOOKUP_HASH_KEY),
    ]
    if not value
]
if _missing:
    raise ImproperlyConfigured(f"Production settings need these environment variables: {', '.join(_missing)}")
# Text messages: the console backend (the development default) would print residents' notifications and codes
# into the logs instead of sending them. Production names its backend explicitly (docs/sms.md); the provider
# adapter must have its keys, signature and templates.
if not os.environ.get("SMS_BACKEND"):
    raise ImproperlyConfigured(
        "Production settings need SMS_BACKEND (e.g. portal.sms.backends.tencent.SmsBackend; see docs/sms.md)."
    )
if os.environ["SMS_BACKEND"] == "portal.sms.backends.tencent.SmsBackend":
    _missing_sms = [
        name
        for name in ("SMS_TENCENT_SECRET_ID", "SMS_TENCENT_SECRET_KEY", "SMS_TENCENT_SDK_APP_ID", "SMS_SIGN_NAME",
                     "SMS_TEMPLATES")
        if not globals().get(name)
    ]
    if _missing_sms:
        raise ImproperlyConfigured(f"The Tencent Cloud SMS backend needs: {', '.join(_missing_sms)}")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")

# --- Stack: PostgreSQL, Redis, sessions, logs (see docs/deploy.md) ---------------------
# Keep database connections open between requests, checked before reuse so a
# restarted or failed-over PostgreSQL costs one retry, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if "replica" in DATABASES:  # noqa: F405 - DATABASE_REPLICA_URL (base.py, portal/db_router.py)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
# Redis answers in well under a millisecond; if it hangs, fail fast instead of
# holding a worker (sessions fall back to the database, pages are rendered).
CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}  # noqa: F405
# Sessions: in PostgreSQL only (base.py), never read from Redis, so no cache fault can serve a stale one.

# JSON lines on stdout for the log collector, personal data masked (portal/logging.py).
LOGGING["formatters"] = {"json": {"()": "portal.logging.JsonFormatter"}}  # noqa: F405
LOGGING["handlers"]["console"] = {  # noqa: F405
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "json",
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, cache-busting file names for long-lived caching.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Transport security. SECURE_SSL_REDIRECT can be switched off when TLS ends at
# a load balancer that already redirects.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Security (README "Security and privacy"; CSP, axes and rate limits in base.py) ---
# `__Host-` cookies: only over HTTPS, only for this exact host, path "/".
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind the load balancer, rate limits and lockouts count the address it forwards.
RATELIMIT_CLIENT_IP_HEADER = os.environ.get("RATELIMIT_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR") or None
