"""GONGHUI_CRYPTO=sm: SM4-GCM seals, HMAC-SM3 hashes and chains the audit trail; everything
that works with AES works the same."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command

from gonghui.core import audit, crypto
from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sm(settings):
    settings.CRYPTO = "sm"
    return settings


def _raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token.partition("$")[2])


def test_a_sealed_value_is_sm4_gcm_and_not_aes(sm) -> None:
    token = crypto.encrypt("650102199003070072", field="identity_number")
    assert token.startswith(f"2.{crypto.field_keys()[0].id}$")
    raw = _raw(token)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    key = crypto._derive(sm.FIELD_KEYS[0], b"gonghui field encryption sm4 v1", "sm", 16)
    opening = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    opening.authenticate_additional_data(b"identity_number")
    assert opening.update(body) + opening.finalize() == b"650102199003070072"
    aes_key = crypto._derive(sm.FIELD_KEYS[0], b"gonghui field encryption v1")
    with pytest.raises(InvalidTag):
        AESGCM(aes_key).decrypt(nonce, raw[12:], b"identity_number")
    assert crypto.decrypt(token, field="identity_number") == "650102199003070072"
    with pytest.raises(InvalidTag):  # the field's name is bound in
        crypto.decrypt(token, field="phone")


def test_values_sealed_with_aes_still_open_and_hashes_differ(settings) -> None:
    settings.CRYPTO = "aes"
    sealed, aes_index = crypto.encrypt("x1", field="phone"), crypto.blind_index("x1", field="phone")
    settings.CRYPTO = "sm"
    assert sealed.startswith("1.") and crypto.decrypt(sealed, field="phone") == "x1"
    sm_index = crypto.blind_index("x1", field="phone")
    assert len(sm_index) == len(aes_index) == crypto.DIGEST_CHARS and sm_index != aes_index
    key = crypto._derive(settings.FIELD_KEYS[0], b"gonghui blind index v1", "sm")
    expected = hmac.new(key, b"phone:x1", "sm3").hexdigest()[: crypto.DIGEST_CHARS]
    assert sm_index == expected


def test_the_audit_chain_is_hmac_sm3(sm) -> None:
    audit.record(action="person.reveal", actor_name="system")
    event = AuditEvent.objects.latest("id")
    assert event.hash == audit.compute_hash(event)
    key = sm.AUDIT_KEYS[0].encode()
    assert event.hash == hmac.new(key, audit._content(event), hashlib.new("sm3").name).hexdigest()
    assert verify_chain().intact


def test_import_search_reveal_and_verification_work_under_sm(sm, world, tmp_path) -> None:
    from gonghui.people.models import Person
    from gonghui.people.roster import RosterQuery, roster
    from tests.people.test_import import good_rows, write_csv

    rows = good_rows(5)
    call_command(
        "import_members",
        str(write_csv(tmp_path / "r.csv", rows)),
        "--union",
        "CA-K-1",
        stdout=io.StringIO(),
    )
    for row in rows:
        found = roster(world.city_officer, RosterQuery(q=row[1]))
        assert [m.person.name for m in found] == [row[0]]
        person = Person.objects.get(name=row[0])
        assert person.identity_sealed.startswith("2.")
        assert person.reveal_identity_number() == row[1]
    assert verify_chain().intact
