"""Field encryption for personal data at rest, and keyed hashes to find it again.

Values are sealed with AES-256-GCM under a key derived from GONGHUI_FIELD_KEY, with the field's
name as associated data (a ciphertext copied into another column does not open). Exact look-up
and de-duplication use an HMAC of the normalised value under a second derived key, so the
table is searchable without decrypting it, and the hash reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Callable
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
    return sealer(field)(value)


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
    return blind_indexer(field)(value)


def blind_indexer(field: str) -> Callable[[str], str]:
    """`blind_index` for one field with the key derived once: for loops over many values."""
    key = _derive(settings.FIELD_ENCRYPTION_KEY, b"gonghui blind index v1")
    prefix = f"{field}:"
    digest = hmac.digest

    def index(value: str) -> str:
        return digest(key, (prefix + value).encode(), "sha256").hex() if value else ""

    return index


def sealer(field: str) -> Callable[[str], str]:
    """`encrypt` for one field with the cipher looked up once: for loops over many values."""
    seal = _cipher().encrypt
    associated = field.encode()
    encode = base64.urlsafe_b64encode
    urandom = os.urandom

    def encrypt_one(value: str) -> str:
        if not value:
            return ""
        nonce = urandom(12)
        return VERSION + "$" + encode(nonce + seal(nonce, value.encode(), associated)).decode()

    return encrypt_one
