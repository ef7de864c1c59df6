"""Settings shared by every environment.

Safe by default: no secret here, DEBUG off, hosts from the environment. Every
value that differs between machines comes from an environment variable.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Which settings module is in force; base counts as production (safe by default).
PORTAL_ENVIRONMENT = "production"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Key material for personal data (ID and phone numbers) encrypted at rest.
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# Key of the keyed hash (HMAC) used for exact lookups of ID and phone numbers.
LOOKUP_HASH_KEY = os.environ.get("LOOKUP_HASH_KEY", "")

INSTALLED_APPS = [
    "home",
    "forms_intake",
    "faq",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "formtools",
    # django-ninja (the /api/v1/ of forms_intake/api): its Swagger UI from our own static files, not a CDN.
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    # Security (portal/security.py): CSP headers, staff login lockout, user → session index.
    "csp",
    "axes",
    "portal.staff_sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Background work (docs/jobs.md): Django's tasks framework (the django-tasks backport that
    # Wagtail 8 sends its own work through), its database queue, and the jobs staff watch.
    "django_tasks",
    "django_tasks_db",
    "portal.jobs",
    # Serve static files through whitenoise under runserver too, so that
    # development behaves like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Whitenoise right after SecurityMiddleware: static files skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the cache (portal/cache.py): a hit skips everything below.
    # It stores the headers the two middlewares below add, so a replay carries them too.
    "portal.cache.PageCacheMiddleware",
    # Request id, Permissions-Policy, no-store; then the CSP (strict, relaxed under /admin/).
    "portal.security.SecurityHeadersMiddleware",
    "portal.security.AdminAwareCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this sign-in used the second factor (portal/otp.py).
    "django_otp.middleware.OTPMiddleware",
    # Signs staff out after ADMIN_IDLE_TIMEOUT seconds without a request.
    "portal.security.AdminIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: DATABASE_URL, SQLite file by default (the embedded development database).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# PgBouncer in transaction pooling (docs/deploy.md, "Several servers"): a connection is only ours for one
# transaction, so no server-side cursors and no prepared statements (PgBouncer < 1.21 cannot follow them).
if env_bool("DATABASE_TRANSACTION_POOLING"):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# Read replica for the heavy read-only work that asks for it (portal/db_router.py): reports, exports.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    # A replica that is down must cost a quick fallback to the primary, not a hung report.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
#: Seconds of replication lag beyond which the replica is not used; how often the lag is measured.
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "10"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (Django's built-in backend), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend that degrades to "not cached" while Redis is down
            # (portal/resilient_cache.py) instead of failing every page.
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database only: they survive a Redis restart and work across app servers.
# Not `cached_db`: for a few seconds after a Redis outage an app server skips cache writes
# (portal/resilient_cache.py), so a session it saves reaches the database only while another server
# still reads its older cached copy, and the wizard sends the resident back a step
# (tests/forms_intake/test_wizard_session_after_redis_restart.py). One primary-key read per request.
# portal/session_store.py is Django's `db` engine whose save answers a lost connection with "try again"
# (503) instead of "session deleted" (400).
SESSION_ENGINE = "portal.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 2)))

# Page cache for anonymous visitors (portal/cache.py); PAGE_CACHE=0 switches it off.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Menus, routes, language links, rendered page content… reused per process until the next publish
# (portal/content_memo.py, portal/page_serving.py). CONTENT_MEMO=0 switches all of it off (a cold render).
CONTENT_MEMO_ENABLED = env_bool("CONTENT_MEMO", True)
# Each process follows the content generation through Redis pub/sub instead of reading it on
# every request (portal/generation_watcher.py); no effect without Redis.
PAGE_CACHE_GENERATION_PUBSUB = env_bool("GENERATION_PUBSUB", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- security
# (README "Security and privacy"; transport security is in production.py.)
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out client is refused before any password check.
    "portal.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Counted per username (stops slow guessing from many addresses) and per address
# (stops one address trying many usernames); unknown usernames count the same way.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.security.axes_client_ip"
AXES_CLIENT_STR_CALLABLE = "portal.security.axes_client_str"
AXES_VERBOSE = False
# Second factor (portal/otp.py): staff with an authenticator must type its code;
# STAFF_OTP_REQUIRED=1 refuses staff without one (enrol with `manage.py staff_totp`).
WAGTAILADMIN_USER_LOGIN_FORM = "portal.otp.LoginForm"
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", False)
OTP_TOTP_ISSUER = "湖南省全民参保登记"
# Staff sessions end after this many idle seconds (admin idle timeout).
ADMIN_IDLE_TIMEOUT = int(os.environ.get("ADMIN_IDLE_TIMEOUT", str(30 * 60)))

# Rate limits (portal/ratelimit.py). Behind a proxy, name the header it sets.
RATELIMIT_CLIENT_IP_HEADER = os.environ.get("RATELIMIT_CLIENT_IP_HEADER") or None
RATELIMIT_TRUSTED_PROXY_COUNT = int(os.environ.get("RATELIMIT_TRUSTED_PROXY_COUNT", "1"))
# A cache outage lets requests through (logged) rather than refusing every resident.
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", True)

# Retention (forms_intake/retention.py, `manage.py purge_personal_data`): days after
# the last change before a submission in this state is anonymised. Registered and
# card-issued records are kept; open work is never purged.
RETENTION_DAYS = {"rejected": 180, "returned": 365}
RETENTION_LOGIN_RECORD_DAYS = 90
RETENTION_EXPORT_DIRS = []
RETENTION_EXPORT_DAYS = 7
# Outreach retention (forms_intake/services/outreach_retention.py, run by purge_personal_data):
# days after which imported insured/population rows, settled roster entries (with their visits)
# and handled suspect records are deleted; from OUTREACH_CAMPAIGN_END (YYYY-MM-DD) on, all of them.
OUTREACH_RETENTION_DAYS = {"imports": 180, "settled_roster": 365, "handled_suspects": 365}
OUTREACH_CAMPAIGN_END = os.environ.get("OUTREACH_CAMPAIGN_END") or None

# ---------------------------------------------------------------- background jobs
# (docs/jobs.md) Tasks go to a queue in the database; `manage.py jobs_worker` runs them
# (`make run` and `make serve-prod` start one). TASKS_BACKEND picks another backend, e.g.
# django-tasks-rq on Redis in production (docs/jobs.md says how).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Result files of jobs (encrypted): outside MEDIA_ROOT, never served but by the job's own user.
JOBS_FILES_DIR = os.environ.get("JOBS_FILES_DIR") or str(BASE_DIR / ".local" / "jobs")
JOBS_RESULT_TTL = int(os.environ.get("JOBS_RESULT_TTL", str(24 * 60 * 60)))  # seconds a download link works
# A running job whose progress has not moved for this long lost its worker and is queued again.
JOBS_STALL_SECONDS = int(os.environ.get("JOBS_STALL_SECONDS", "60"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))
# Exports of more rows than this run as a job with a download link; smaller ones stream at once.
EXPORT_JOB_THRESHOLD = int(os.environ.get("EXPORT_JOB_THRESHOLD", "2000"))

# Responses that may carry personal data are never stored by browsers or proxies.
NO_STORE_PATH_PREFIXES = ("/admin/", "/register/", "/en/register/", "/status/", "/en/status/")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

# The admin does not call home for Wagtail's release news (and the CSP would refuse it).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Content-Security-Policy (django-csp 4). Public pages: scripts and styles from
# our own origin only, no inline script or style, no plugins, no framing.
_CSP_BASE = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_BASE}
# The Wagtail admin renders inline scripts and styles (and previews pages in an
# iframe of its own), so /admin/ gets this relaxed policy instead.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_BASE,
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# Internationalisation: Chinese (zh-hans) is the default and lives at "/",
# English at "/en/". Use "zh-hans" everywhere, never "zh-cn".
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "湖南省全民参保登记"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "png", "jpg", "svg", "docx", "xlsx", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Never log request bodies or query strings: they can carry personal data.
        "django.request": {"level": "ERROR"},
        # At DEBUG, Django's template engine logs the whole template context of a
        # missing variable (a revealed ID number included): never below INFO.
        "django.template": {"level": "INFO"},
        # Wagtail 8 runs search-index and reference-index updates as tasks; their
        # per-task INFO lines drown everything else.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Text messages (portal/sms): verification codes and notifications. Development prints them (masked number);
# tests keep them in memory; production names its provider's adapter (docs/sms.md).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.sms.backends.console.SmsBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH") or str(BASE_DIR / ".local" / "sms.jsonl")
# The production adapter (portal/sms/backends/tencent.py, Tencent Cloud SMS; docs/sms.md). SMS_TEMPLATES is a
# JSON object {template key: approved template id}; the keys are the notifications' kinds and "default".
SMS_TENCENT_SECRET_ID = os.environ.get("SMS_TENCENT_SECRET_ID", "")
SMS_TENCENT_SECRET_KEY = os.environ.get("SMS_TENCENT_SECRET_KEY", "")
SMS_TENCENT_SDK_APP_ID = os.environ.get("SMS_TENCENT_SDK_APP_ID", "")
SMS_TENCENT_REGION = os.environ.get("SMS_TENCENT_REGION", "ap-guangzhou")
SMS_TENCENT_ENDPOINT = os.environ.get("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
try:
    SMS_TEMPLATES = json.loads(os.environ.get("SMS_TEMPLATES") or "{}")
except ValueError:
    SMS_TEMPLATES = None
if not isinstance(SMS_TEMPLATES, dict):
    raise ImproperlyConfigured('SMS_TEMPLATES must be a JSON object, e.g. {"default": "1234567"} (docs/sms.md).')
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "5"))
# Notifications to residents (forms_intake/services/notifications.py): a failed send is retried after
# NOTIFICATION_RETRY_SECONDS × 2^(attempt−1), at most NOTIFICATION_MAX_ATTEMPTS times in all.
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_RETRY_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_SECONDS", "60"))

# One-time SMS codes (forms_intake/services/verification.py): the key of their keyed hashes (codes,
# phones, subjects; LOOKUP_HASH_KEY when empty) and how many codes one phone or one draft gets per hour.
VERIFICATION_HASH_KEY = os.environ.get("VERIFICATION_HASH_KEY", "")
VERIFICATION_MAX_SENDS = int(os.environ.get("VERIFICATION_MAX_SENDS", "5"))
# The wizard asks for a code sent to the 联系电话 before the final submit. Switch it off
# (WIZARD_PHONE_VERIFICATION=0) on counters where staff verify the phone in person.
WIZARD_PHONE_VERIFICATION = os.environ.get("WIZARD_PHONE_VERIFICATION", "1") == "1"

# The registration form's PDF (forms_intake/services/pdf.py): WeasyPrint logs seven INFO lines per render.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
