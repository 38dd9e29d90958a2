from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from gonghui.core.crypto import blind_index, decrypt, encrypt


def test_round_trip_and_fresh_nonce() -> None:
    a = encrypt("650102199003070072", field="identity_number")
    b = encrypt("650102199003070072", field="identity_number")
    assert a != b
    assert "199003070072" not in a
    assert decrypt(a, field="identity_number") == "650102199003070072"


def test_ciphertext_is_bound_to_its_field() -> None:
    token = encrypt("13812345678", field="phone")
    with pytest.raises(InvalidTag):
        decrypt(token, field="identity_number")


def test_tampering_is_detected() -> None:
    token = encrypt("13812345678", field="phone")
    body = bytearray(token.encode())
    body[-3] = ord("A") if body[-3] != ord("A") else ord("B")
    with pytest.raises((InvalidTag, ValueError)):
        decrypt(body.decode(), field="phone")


def test_blind_index_is_stable_keyed_and_per_field(settings) -> None:
    first = blind_index("650102199003070072", field="identity_number")
    assert first == blind_index("650102199003070072", field="identity_number")
    assert first != blind_index("650102199003070072", field="phone")
    settings.FIELD_KEYS = ["another key that is long enough for the test"]
    assert first != blind_index("650102199003070072", field="identity_number")


def test_empty_stays_empty() -> None:
    assert encrypt("", field="phone") == "" and decrypt("", field="phone") == ""
    assert blind_index("", field="phone") == ""


def test_blind_index_is_standard_hmac_sha256(settings) -> None:
    """The precomputed-pad HMAC equals the library's, so indexes stay valid if either changes."""
    import hashlib
    import hmac

    from gonghui.core.crypto import _derive

    key = _derive(settings.FIELD_KEYS[0], b"gonghui blind index v1")
    for value in ["650102199003070072", "13812345678", "张三", "x" * 200]:
        expected = hmac.new(key, f"phone:{value}".encode(), hashlib.sha256).hexdigest()[:32]
        assert blind_index(value, field="phone") == expected
    assert blind_index("", field="phone") == ""
