"""Field encryption for personal data at rest, and keyed hashes to find it again.

Values are sealed with AES-256-GCM under a key derived from GONGHUI_FIELD_KEY, with the field's
name as associated data (a ciphertext copied into another column does not open). Exact look-up
and de-duplication use an HMAC of the normalised value under a second derived key, so the
table is searchable without decrypting it, and the hash reveals nothing without the key.

With `GONGHUI_CRYPTO=sm` the national algorithms are used instead (GB/T 39786): SM4-GCM to
seal, HMAC-SM3 for the keyed hashes and the audit chain, HKDF over SM3 to derive the keys. A
sealed value names its algorithm (`1$…` AES, `2$…` SM4), so either opens whatever the setting;
the keyed hashes do not, so the choice is made when the database is new.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "1"  # AES-256-GCM
SM4_VERSION = "2"  # SM4-GCM
SUITES = ("aes", "sm")
# Blind indexes are HMAC-SHA256 cut to 128 bits (as HMAC allows): unique for any roster, and
# half the size in the indexes that every import and search walks.
DIGEST_CHARS = 32


def suite() -> str:
    """The algorithms in use: "aes" (AES-256-GCM, HMAC-SHA256) or "sm" (SM4-GCM, HMAC-SM3)."""
    return "sm" if settings.CRYPTO == "sm" else "aes"


def hash_name() -> str:
    """The hash of the keyed hashes and of the audit chain's HMAC, as hashlib names it."""
    return "sm3" if suite() == "sm" else "sha256"


@lru_cache(maxsize=8)
def _derive(secret: str, purpose: bytes, chosen: str = "aes", length: int = 32) -> bytes:
    algorithm = hashes.SM3() if chosen == "sm" else hashes.SHA256()
    return HKDF(algorithm=algorithm, length=length, salt=None, info=purpose).derive(secret.encode())


class _SM4GCM:
    """SM4 in GCM mode with the interface of AESGCM: ciphertext followed by a 16-byte tag."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def encrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        sealing = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        sealing.authenticate_additional_data(associated)
        return sealing.update(data) + sealing.finalize() + sealing.tag

    def decrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        body, tag = data[:-16], data[-16:]
        opening = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, tag)).decryptor()
        opening.authenticate_additional_data(associated)
        return opening.update(body) + opening.finalize()


def _cipher(version: str | None = None) -> AESGCM | _SM4GCM:
    chosen = version or (SM4_VERSION if suite() == "sm" else VERSION)
    return _aead(settings.FIELD_ENCRYPTION_KEY, chosen)


@lru_cache(maxsize=4)
def _aead(secret: str, version: str = VERSION) -> AESGCM | _SM4GCM:
    if version == SM4_VERSION:
        return _SM4GCM(_derive(secret, b"gonghui field encryption sm4 v1", "sm", 16))
    return AESGCM(_derive(secret, b"gonghui field encryption v1"))


def encrypt(value: str, *, field: str) -> str:
    """Seal a value; empty stays empty (nothing to protect, and it keeps blanks searchable)."""
    return sealer(field)(value)


def decrypt(token: str, *, field: str) -> str:
    if not token:
        return ""
    version, _, body = token.partition("$")
    if version not in (VERSION, SM4_VERSION):
        raise ValueError(f"unknown field encryption version {version!r}")
    raw = base64.urlsafe_b64decode(body)
    return _cipher(version).decrypt(raw[:12], raw[12:], field.encode()).decode()


def blind_index(value: str, *, field: str) -> str:
    """A keyed hash of the value, for exact look-up and uniqueness; empty stays empty."""
    return blind_indexer(field)(value)


def blind_indexer(field: str) -> Callable[[str], str]:
    """`blind_index` for one field, for loops over many values: HMAC-SHA256 (RFC 2104) with
    the key's inner and outer pads hashed once, so that each value costs two short hashes
    (a third of `hmac.digest`, which sets the key up again for every value)."""
    return _indexer(settings.FIELD_ENCRYPTION_KEY, field, suite())


@lru_cache(maxsize=16)
def _indexer(secret: str, field: str, chosen: str = "aes") -> Callable[[str], str]:
    key = _derive(secret, b"gonghui blind index v1", chosen).ljust(64, b"\0")
    name = "sm3" if chosen == "sm" else "sha256"
    inner = hashlib.new(name, bytes(b ^ 0x36 for b in key))
    outer = hashlib.new(name, bytes(b ^ 0x5C for b in key))
    prefix = f"{field}:"

    def index(value: str) -> str:
        if not value:
            return ""
        head = inner.copy()
        head.update((prefix + value).encode())
        tail = outer.copy()
        tail.update(head.digest())
        return tail.hexdigest()[:DIGEST_CHARS]

    return index


def sealer(field: str) -> Callable[..., str]:
    """`encrypt` for one field with the cipher looked up once: for loops over many values.
    The function takes the value and, optionally, a 12-byte nonce freshly drawn from
    os.urandom (a loop sealing two fields a row draws both nonces at once)."""
    seal = _cipher().encrypt
    associated = field.encode()
    encode = binascii.b2a_base64
    urlsafe = bytes.maketrans(b"+/", b"-_")
    urandom = os.urandom
    prefix = (SM4_VERSION if suite() == "sm" else VERSION) + "$"

    def encrypt_one(value: str, nonce: bytes | None = None) -> str:
        if not value:
            return ""
        if nonce is None:
            nonce = urandom(12)
        sealed = encode(nonce + seal(nonce, value.encode(), associated), newline=False)
        return prefix + sealed.translate(urlsafe).decode()

    return encrypt_one
