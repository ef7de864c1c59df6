"""Development settings: DEBUG on, SQLite by default, local keys generated once.

The keys are written under `.local/` (git-ignored) the first time they are
needed, so a fresh clone works without any configuration and no secret is
ever committed.
"""

import os
import secrets

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env_bool, env_list

PORTAL_ENVIRONMENT = "development"
DEBUG = env_bool("DEBUG", True)

LOCAL_DIR = BASE_DIR / ".local"


def local_secret(name, factory):
    """Return the secret stored in `.local/<name>`, creating it on first use."""
    path = LOCAL_DIR / name
    if not path.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret("secret_key", lambda: secrets.token_urlsafe(50))
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [local_secret("field_encryption_key", _fernet_key)]
LOOKUP_HASH_KEY = os.environ.get("LOOKUP_HASH_KEY") or local_secret("lookup_hash_key", lambda: secrets.token_hex(32))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]

# Serve static files straight from the apps' folders, picking up edits.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
