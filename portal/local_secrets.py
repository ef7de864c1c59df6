"""Throwaway secrets for a developer's machine, kept in `.local/` (git-ignored), created on first use.

Used by the development settings and by `portal.localprod` (production settings run locally);
never by production, which refuses to start without its secrets in the environment.
"""

import secrets
from pathlib import Path

from cryptography.fernet import Fernet

LOCAL_DIR = Path(__file__).resolve().parent.parent / ".local"


def local_secret(name, factory):
    """The secret stored in `.local/<name>` (mode 600), created with `factory()` on first use."""
    path = LOCAL_DIR / name
    if not path.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def fernet_key():
    """A new key for the field encryption (Fernet)."""
    return Fernet.generate_key().decode()


def token(length=50):
    return secrets.token_urlsafe(length)


def hex_key():
    return secrets.token_hex(32)
