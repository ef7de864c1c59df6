"""Encryption at rest and keyed hashes for personal data (ID and phone numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC, from `cryptography`).
`FIELD_ENCRYPTION_KEYS` lists keys newest first: the first encrypts, every key
decrypts, so keys can be rotated without downtime (see `rotate_field_keys`).
Exact lookups and duplicate detection use an HMAC-SHA256 of the normalised
value, so the database never needs the plaintext to find a row.
"""

import base64
import hashlib
import hmac
import os
import struct
import time
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys):
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def get_fernet():
    """The MultiFernet built from the configured keys (cached per key set)."""
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value):
    """Encrypt a text value; empty values stay empty so optional fields need no ciphertext."""
    if value in (None, ""):
        return value
    return get_fernet().encrypt(str(value).encode()).decode()


@lru_cache(maxsize=4)
def _primary_key_parts(key):
    raw = base64.urlsafe_b64decode(key.encode() if isinstance(key, str) else key)
    return raw[:16], algorithms.AES(raw[16:])  # Fernet: signing key, then encryption key


def encrypt_many(values):
    """``[encrypt(v) for v in values]``, faster: the same Fernet tokens, built in one pass.

    For bulk writes (imports). Each token follows the Fernet specification with the newest key (version
    0x80, timestamp, a fresh random IV, AES-128-CBC with PKCS7 padding, HMAC-SHA256), so `decrypt` and
    key rotation treat them like any other; only the per-value overhead of `Fernet.encrypt` is saved.

    CBC is computed one block position at a time for the whole batch: block k of every value is
    ``AES(P_k XOR C_(k-1))`` with ``C_0`` its own IV, exactly as CBC defines it, and all the values' block
    k go through AES in one call (a block cipher applied block by block, i.e. the ECB primitive).
    The output is byte for byte what ``Cipher(aes, CBC(iv))`` gives for each value (tested).
    """
    values = list(values)
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    get_fernet()  # the same error as encrypt() when no key is configured
    signing_key, aes = _primary_key_parts(keys[0])
    header = b"\x80" + struct.pack(">Q", int(time.time()))
    present = [n for n, value in enumerate(values) if value not in (None, "")]
    randomness = os.urandom(16 * len(present))
    ivs = [randomness[16 * m : 16 * m + 16] for m in range(len(present))]
    plain = []
    for n in present:
        data = str(values[n]).encode()
        pad = 16 - len(data) % 16
        plain.append(data + bytes((pad,)) * pad)
    chain = list(ivs)  # the previous ciphertext block of each value
    cipher_blocks = [[] for _ in present]
    blocks = [len(data) // 16 for data in plain]
    # The raw block cipher, applied to whole blocks we chained ourselves (CBC, see above).
    block_cipher = Cipher(aes, modes.ECB()).encryptor()  # noqa: S305  # nosec B305
    for k in range(max(blocks, default=0)):
        members = [m for m, count in enumerate(blocks) if count > k]
        size = 16 * len(members)
        mixed = int.from_bytes(b"".join(plain[m][16 * k : 16 * k + 16] for m in members), "big") ^ int.from_bytes(
            b"".join(chain[m] for m in members), "big"
        )
        out = block_cipher.update(mixed.to_bytes(size, "big"))
        for position, m in enumerate(members):
            chain[m] = out[16 * position : 16 * position + 16]
            cipher_blocks[m].append(chain[m])
    block_cipher.finalize()
    tokens = list(values)
    for m, n in enumerate(present):
        body = header + ivs[m] + b"".join(cipher_blocks[m])
        tokens[n] = base64.urlsafe_b64encode(body + hmac.digest(signing_key, body, "sha256")).decode()
    return tokens


def decrypt(token):
    """Decrypt a token written by `encrypt`."""
    if token in (None, ""):
        return token
    try:
        return get_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token or any part of it in the error.
        raise ImproperlyConfigured("A stored value cannot be decrypted with the configured keys.") from exc


def rotate(token):
    """Re-encrypt a token with the newest key (used by the key-rotation command)."""
    if token in (None, ""):
        return token
    return get_fernet().rotate(token.encode()).decode()


def lookup_hash(value):
    """Keyed hash of a normalised value for exact lookups; '' for empty values."""
    if not value:
        return ""
    key = settings.LOOKUP_HASH_KEY
    if not key:
        raise ImproperlyConfigured("LOOKUP_HASH_KEY is empty.")
    return hmac.digest(key.encode(), str(value).encode(), hashlib.sha256).hex()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code sees the plaintext.

    It cannot be searched or filtered on: use a companion hash field for lookups.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value)
