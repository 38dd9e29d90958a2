"""Keys that can be changed: field keys as a ring, `rotate_keys` sealing everything again with
the current one, and the audit chain handing over from one key to the next."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.core import audit, crypto, rotation
from gonghui.core.audit import KEY_CHANGED, AuditKeyError, verify_chain
from gonghui.core.checkpoints import read_checkpoints, write_checkpoint
from gonghui.core.models import AuditEvent, AuditHead
from gonghui.people.models import Person
from gonghui.people.roster import RosterQuery, roster
from tests.people.test_import import good_rows, write_csv

pytestmark = pytest.mark.django_db

OLD = "the old field key which is long enough to be a real one: 0123456789"
NEW = "the new field key which is long enough to be a real one: 9876543210"


def _import(path, *more: str) -> str:
    out = io.StringIO()
    call_command("import_members", str(path), "--union", "CA-K-1", *more, stdout=out)
    return out.getvalue()


def _export(tmp_path) -> dict[str, str]:
    """{name: identity number} of the union's members, exported with --reveal."""
    target = tmp_path / "export.csv"
    call_command(
        "export_members", "--union", "CA-K-1", "--reveal", "-o", str(target), stdout=io.StringIO()
    )
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    name, number = rows[0].index("姓名"), rows[0].index("公民身份号码")
    return {row[name]: row[number] for row in rows[1:]}


def test_a_ring_names_its_keys_and_algorithms_and_never_shows_a_secret(settings) -> None:
    settings.CRYPTO = "sm"
    settings.FIELD_KEYS = [NEW, f"aes:{OLD}"]
    current, older = crypto.field_keys()
    assert (current.suite, older.suite) == ("sm", "aes")
    assert (current.secret, older.secret) == (NEW, OLD)
    assert len(current.id) == 8 and current.id != older.id
    assert NEW not in repr(current) and OLD not in repr(crypto.field_keys())


def test_a_sealed_value_names_its_key_and_opens_while_the_key_is_in_the_ring(settings) -> None:
    settings.FIELD_KEYS = [OLD]
    token = crypto.encrypt("13812345678", field="phone")
    assert token.startswith(f"1.{crypto.field_keys()[0].id}$")
    settings.FIELD_KEYS = [NEW, OLD]
    assert crypto.decrypt(token, field="phone") == "13812345678"
    assert crypto.encrypt("x", field="phone").startswith(f"1.{crypto.field_keys()[0].id}$")
    settings.FIELD_KEYS = [NEW]
    with pytest.raises(crypto.MissingKey, match="not in GONGHUI_FIELD_KEYS"):
        crypto.decrypt(token, field="phone")


def test_a_value_sealed_before_key_ids_opens_with_whichever_key_fits(settings) -> None:
    settings.FIELD_KEYS = [OLD]
    token = crypto.encrypt("13812345678", field="phone")
    legacy = "1$" + token.partition("$")[2]  # as values were sealed before
    settings.FIELD_KEYS = [NEW, OLD]
    assert crypto.decrypt(legacy, field="phone") == "13812345678"


def test_rotation_then_the_old_key_removed_keeps_every_person_readable_and_found(
    settings, world, tmp_path
) -> None:
    settings.FIELD_KEYS = [OLD]
    rows = good_rows(40)
    _import(write_csv(tmp_path / "roster.csv", rows))
    settings.FIELD_KEYS = [NEW, OLD]
    # before the rotation: everybody is found under either key, and a re-import changes nobody
    for row in rows[:5]:
        assert [m.person.name for m in roster(world.city_officer, RosterQuery(q=row[1]))] == [
            row[0]
        ]
    again = _import(write_csv(tmp_path / "again.csv", rows))
    assert "未变 40" in again and Person.objects.count() == 40, again
    assert rotation.pending()["people.person"] == 40

    out = io.StringIO()
    call_command("rotate_keys", "--batch", "7", stdout=out)
    assert "40 rows sealed again" in out.getvalue() and "can now leave" in out.getvalue()
    settings.FIELD_KEYS = [NEW]
    assert _export(tmp_path) == {row[0]: row[1] for row in rows}
    for row in rows:
        found = roster(world.city_officer, RosterQuery(q=row[1]))
        assert [m.person.name for m in found] == [row[0]], row
    phone = rows[0][2]
    assert [m.person.name for m in roster(world.city_officer, RosterQuery(q=phone))] == [rows[0][0]]
    call_command("rotate_keys", "--check", stdout=io.StringIO())  # nothing left: exit 0
    started, finished = AuditEvent.objects.filter(action__startswith="keys.").order_by("id")
    assert (
        started.action == "keys.rotation_started" and finished.extra["rows"]["people.person"] == 40
    )
    assert verify_chain().intact


def test_rotate_keys_check_says_what_is_left(settings, world, tmp_path) -> None:
    settings.FIELD_KEYS = [OLD]
    _import(write_csv(tmp_path / "roster.csv", good_rows(3)))
    settings.FIELD_KEYS = [NEW, OLD]
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("rotate_keys", "--check", stdout=out)
    assert refused.value.returncode == 1
    assert "people.person: 3 rows hold values of an older key" in out.getvalue()


def test_moving_from_aes_to_sm_is_a_rotation(settings, world, tmp_path) -> None:
    settings.CRYPTO, settings.FIELD_KEYS = "aes", [OLD]
    rows = good_rows(6)
    _import(write_csv(tmp_path / "roster.csv", rows))
    settings.CRYPTO, settings.FIELD_KEYS = "sm", [OLD, f"aes:{OLD}"]
    call_command("rotate_keys", stdout=io.StringIO())
    settings.FIELD_KEYS = [OLD]
    for row in rows:
        person = Person.objects.get(name=row[0])
        assert person.identity_sealed.startswith("2.") and person.reveal_identity_number() == row[1]
        assert [m.person.name for m in roster(world.city_officer, RosterQuery(q=row[1]))] == [
            row[0]
        ]


AUDIT_OLD = "the old audit key which is long enough to be a real one: 0123456789"
AUDIT_NEW = "the new audit key which is long enough to be a real one: 9876543210"


def test_the_audit_chain_hands_over_to_a_new_key_and_verifies_across(settings, tmp_path) -> None:
    settings.AUDIT_KEYS = [AUDIT_OLD]
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.log"
    for _ in range(3):
        audit.record(action="access.denied", actor_name="someone")
    write_checkpoint()
    old_label = crypto.audit_keys()[0].label

    settings.AUDIT_KEYS = [AUDIT_NEW, AUDIT_OLD]
    audit.record(action="access.denied", actor_name="someone")
    handover, after = AuditEvent.objects.order_by("-id")[:2][::-1]
    assert handover.action == KEY_CHANGED
    assert handover.extra == {"from": old_label, "to": crypto.audit_keys()[0].label}
    old, new = crypto.audit_keys()[1], crypto.audit_keys()[0]
    assert handover.hash == audit.compute_hash(handover, old)  # signed with the old key
    assert after.hash == audit.compute_hash(after, new)
    assert AuditHead.objects.get().key == new.label
    audit.record(action="access.denied", actor_name="someone")
    assert AuditEvent.objects.filter(action=KEY_CHANGED).count() == 1  # handed over once
    assert verify_chain().intact
    assert read_checkpoints() is not None  # the old key's checkpoint is still accepted

    settings.AUDIT_KEYS = [AUDIT_NEW]  # the old key is needed to verify what it signed
    report = verify_chain()
    assert not report.intact and report.first_bad_id == 1

    settings.AUDIT_KEYS = ["a third key that nobody put in the ring: 0123456789"]
    with pytest.raises(AuditKeyError, match="GONGHUI_AUDIT_KEYS"):
        audit.record(action="access.denied", actor_name="someone")


def test_a_chain_begun_before_keys_were_named_hands_over_from_the_key_that_signed_it(
    settings,
) -> None:
    settings.AUDIT_KEYS = [AUDIT_OLD]
    audit.record(action="access.denied", actor_name="someone")
    AuditHead.objects.update(key="")  # as an installation upgraded to named keys
    settings.AUDIT_KEYS = [AUDIT_NEW, AUDIT_OLD]
    audit.record(action="access.denied", actor_name="someone")
    assert AuditEvent.objects.filter(action=KEY_CHANGED).count() == 1
    assert verify_chain().intact


def test_the_deployment_check_names_a_short_key_of_a_ring_and_a_mismatched_current_key(
    settings,
) -> None:
    from gonghui.core.checks import check_keys

    settings.AUDIT_KEYS = [AUDIT_NEW, "short"]
    settings.FIELD_KEYS = [f"sm:{NEW}", OLD]
    found = {(error.id, error.msg) for error in check_keys(None)}
    assert ("gonghui.E001", "Key 2 of GONGHUI_AUDIT_KEYS is shorter than 32 characters.") in found
    assert any(code == "gonghui.E004" and "GONGHUI_FIELD_KEYS" in msg for code, msg in found)
    settings.AUDIT_KEYS, settings.FIELD_KEYS = [AUDIT_NEW], [NEW, f"sm:{OLD}"]
    assert check_keys(None) == []
