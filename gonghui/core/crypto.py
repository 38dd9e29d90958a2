"""Field encryption for personal data at rest, and keyed hashes to find it again.

Values are sealed with AES-256-GCM under a key derived from the current field key, with the
field's name as associated data (a ciphertext copied into another column does not open). Exact
look-up and de-duplication use an HMAC of the normalised value under a second derived key, so
the table is searchable without decrypting it, and the hash reveals nothing without the key.

With `GONGHUI_CRYPTO=sm` the national algorithms are used instead (GB/T 39786): SM4-GCM to
seal, HMAC-SM3 for the keyed hashes and the audit chain, HKDF over SM3 to derive the keys.

Keys come as keyrings (`GONGHUI_FIELD_KEYS`, `GONGHUI_AUDIT_KEYS`), the current key first. A
sealed value names its algorithm and the key that sealed it (`1.<key id>$…` AES, `2.<key id>$…`
SM4; values sealed before key ids were kept, `1$…`, are opened by whichever key of the ring
fits), so any value opens while its key is in the ring. A keyed hash is searched for under
every key of the ring until `rotate_keys` has made all of them again with the current one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
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


class MissingKey(LookupError):
    """A value was sealed, or a chain signed, with a key the ring no longer holds."""


@dataclass(frozen=True)
class Key:
    """One key of a ring: its secret and the algorithms it is used with."""

    secret: str
    suite: str = "aes"

    def __repr__(self) -> str:  # never the secret, in a log or a traceback
        return f"Key({self.label})"

    @property
    def id(self) -> str:
        """Eight hex digits naming the secret (not the algorithms): kept beside what it made."""
        return _key_id(self.secret)

    @property
    def label(self) -> str:
        """The key and its algorithms, as the audit chain names them: "aes.1f2e3d4c"."""
        return f"{self.suite}.{self.id}"


@lru_cache(maxsize=32)
def _key_id(secret: str) -> str:
    return hmac.new(secret.encode(), b"gonghui key id", "sha256").hexdigest()[:8]


@lru_cache(maxsize=16)
def parse_ring(entries: tuple[str, ...], default_suite: str) -> tuple[Key, ...]:
    """A ring's keys from its entries ("secret", "aes:secret", "sm:secret"), current first."""
    ring = []
    for entry in entries:
        chosen, _, secret = entry.partition(":")
        if chosen in SUITES and secret:
            ring.append(Key(secret, chosen))
        else:
            ring.append(Key(entry, default_suite))
    return tuple(ring)


def field_keys() -> tuple[Key, ...]:
    """The field keys, current first; the current one is used with `GONGHUI_CRYPTO`."""
    ring = parse_ring(tuple(settings.FIELD_KEYS), suite())
    return (Key(ring[0].secret, suite()), *ring[1:])


def audit_keys() -> tuple[Key, ...]:
    """The audit keys, current (signing) first."""
    ring = parse_ring(tuple(settings.AUDIT_KEYS), suite())
    return (Key(ring[0].secret, suite()), *ring[1:])


def suite() -> str:
    """The algorithms in use: "aes" (AES-256-GCM, HMAC-SHA256) or "sm" (SM4-GCM, HMAC-SM3)."""
    return "sm" if settings.CRYPTO == "sm" else "aes"


def hash_name(chosen: str | None = None) -> str:
    """The hash of the keyed hashes and of the audit chain's HMAC, as hashlib names it."""
    return "sm3" if (chosen or suite()) == "sm" else "sha256"


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


@lru_cache(maxsize=8)
def _aead(secret: str, version: str = VERSION) -> AESGCM | _SM4GCM:
    if version == SM4_VERSION:
        return _SM4GCM(_derive(secret, b"gonghui field encryption sm4 v1", "sm", 16))
    return AESGCM(_derive(secret, b"gonghui field encryption v1"))


def _version(chosen: str) -> str:
    return SM4_VERSION if chosen == "sm" else VERSION


def token_prefix() -> str:
    """How every value sealed with the current key and algorithms begins."""
    current = field_keys()[0]
    return f"{_version(current.suite)}.{current.id}$"


def encrypt(value: str, *, field: str) -> str:
    """Seal a value; empty stays empty (nothing to protect, and it keeps blanks searchable)."""
    return sealer(field)(value)


def decrypt(token: str, *, field: str) -> str:
    """Open a sealed value with the key that sealed it (MissingKey if the ring lacks it)."""
    if not token:
        return ""
    head, _, body = token.partition("$")
    version, _, key_id = head.partition(".")
    if version not in (VERSION, SM4_VERSION):
        raise ValueError(f"unknown field encryption version {version!r}")
    raw = base64.urlsafe_b64decode(body)
    nonce, sealed, associated = raw[:12], raw[12:], field.encode()
    if key_id:
        for key in field_keys():
            if key.id == key_id:
                return _aead(key.secret, version).decrypt(nonce, sealed, associated).decode()
        raise MissingKey(f"a {field} value was sealed with key {key_id}, not in GONGHUI_FIELD_KEYS")
    ring = field_keys()
    for key in ring[:-1]:  # sealed before key ids were kept: whichever key of the ring fits
        try:
            return _aead(key.secret, version).decrypt(nonce, sealed, associated).decode()
        except InvalidTag:
            continue
    return _aead(ring[-1].secret, version).decrypt(nonce, sealed, associated).decode()


def blind_index(value: str, *, field: str) -> str:
    """A keyed hash of the value under the current key, for exact look-up and uniqueness;
    empty stays empty."""
    return blind_indexer(field)(value)


def blind_indexes(value: str, *, field: str) -> list[str]:
    """The value's keyed hash under each key of the ring, current first: what to look for
    while older keys are in the ring (rows `rotate_keys` has not reached carry an older one)."""
    found = []
    for key in field_keys():
        digest = _indexer(key.secret, field, key.suite)(value)
        if digest not in found:
            found.append(digest)
    return found


def rotation_pending() -> bool:
    """Whether older field keys are in the ring, so that stored hashes may be of any of them."""
    return len(field_keys()) > 1


def blind_indexer(field: str) -> Callable[[str], str]:
    """`blind_index` for one field, for loops over many values: HMAC-SHA256 (RFC 2104) with
    the key's inner and outer pads hashed once, so that each value costs two short hashes
    (a third of `hmac.digest`, which sets the key up again for every value)."""
    current = field_keys()[0]
    return _indexer(current.secret, field, current.suite)


@lru_cache(maxsize=16)
def _indexer(secret: str, field: str, chosen: str = "aes") -> Callable[[str], str]:
    key = _derive(secret, b"gonghui blind index v1", chosen).ljust(64, b"\0")
    name = hash_name(chosen)
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
    current = field_keys()[0]
    seal = _aead(current.secret, _version(current.suite)).encrypt
    associated = field.encode()
    encode = binascii.b2a_base64
    urlsafe = bytes.maketrans(b"+/", b"-_")
    urandom = os.urandom
    prefix = token_prefix()

    def encrypt_one(value: str, nonce: bytes | None = None) -> str:
        if not value:
            return ""
        if nonce is None:
            nonce = urandom(12)
        sealed = encode(nonce + seal(nonce, value.encode(), associated), newline=False)
        return prefix + sealed.translate(urlsafe).decode()

    return encrypt_one
