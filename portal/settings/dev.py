"""Development settings: DEBUG on, SQLite by default, local keys generated once.

The keys are written under `.local/` (git-ignored) the first time they are
needed, so a fresh clone works without any configuration and no secret is
ever committed.
"""

import os

from portal.local_secrets import fernet_key, hex_key, local_secret, token

from .base import *  # noqa: F401,F403
from .base import env_bool, env_list

PORTAL_ENVIRONMENT = "development"
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret("secret_key", token)
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [local_secret("field_encryption_key", fernet_key)]
LOOKUP_HASH_KEY = os.environ.get("LOOKUP_HASH_KEY") or local_secret("lookup_hash_key", hex_key)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]

# Serve static files straight from the apps' folders, picking up edits.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Without Redis, the page cache and its content generation (portal/generation.py) live in files under
# .local/ (env PAGE_CACHE_DIR), shared by every process `make run` starts: a page that
# `manage.py publish_scheduled` (the launcher's schedule) or a worker publishes reaches the server's next
# request. In each process's own memory a publish elsewhere would never be seen. (Tests use memory again.)
if not REDIS_URL:  # noqa: F405 - from .base
    CACHES["pages"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("PAGE_CACHE_DIR") or str(BASE_DIR / ".local" / "page-cache"),  # noqa: F405
    }
    PAGE_CACHE_ALIAS = "pages"
