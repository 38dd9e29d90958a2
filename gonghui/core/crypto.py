"""Field encryption for personal data at rest, and keyed hashes to find it again.

Values are sealed with AES-256-GCM under a key derived from GONGHUI_FIELD_KEY, with the field's
name as associated data (a ciphertext copied into another column does not open). Exact look-up
and de-duplication use an HMAC of the normalised value under a second derived key, so the
table is searchable without decrypting it, and the hash reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "1"


@lru_cache(maxsize=4)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def _cipher() -> AESGCM:
    return _aead(settings.FIELD_ENCRYPTION_KEY)


@lru_cache(maxsize=4)
def _aead(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, b"gonghui field encryption v1"))


def encrypt(value: str, *, field: str) -> str:
    """Seal a value; empty stays empty (nothing to protect, and it keeps blanks searchable)."""
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, value.encode(), field.encode())
    return VERSION + "$" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, *, field: str) -> str:
    if not token:
        return ""
    version, _, body = token.partition("$")
    if version != VERSION:
        raise ValueError(f"unknown field encryption version {version!r}")
    raw = base64.urlsafe_b64decode(body)
    return _cipher().decrypt(raw[:12], raw[12:], field.encode()).decode()


def blind_index(value: str, *, field: str) -> str:
    """A keyed hash of the value, for exact look-up and uniqueness; empty stays empty."""
    if not value:
        return ""
    key = _derive(settings.FIELD_ENCRYPTION_KEY, b"gonghui blind index v1")
    return hmac.new(key, f"{field}:{value}".encode(), hashlib.sha256).hexdigest()
