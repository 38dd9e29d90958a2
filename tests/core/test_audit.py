"""The audit trail: chained, append-only, and verifiable."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from gonghui.core import audit, db_protection
from gonghui.core.models import AuditEvent, Outcome
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [
        audit.record(action="test.event", object_repr=f"thing {i}", extra={"i": i})
        for i in range(n)
    ]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_fresh_chain_verifies() -> None:
    _events(5)
    report = audit.verify_chain()
    assert report.intact
    assert report.checked == AuditEvent.objects.count()


def test_each_event_links_to_the_one_before() -> None:
    first, second = _events(2)
    assert second.prev_hash == first.hash
    assert second.id == first.id + 1


def test_edited_event_is_named() -> None:
    events = _events(5)
    victim = events[2]
    _sql("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", victim.id])
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_id == victim.id
    assert "altered" in report.reason


def test_edited_changes_json_is_detected() -> None:
    event = audit.record(action="org.update", changes={"name": ("old", "new")})
    _sql(
        "UPDATE core_auditevent SET changes = %s WHERE id = %s",
        [json.dumps({"name": ["old", "other"]}), event.id],
    )
    report = audit.verify_chain()
    assert report.first_bad_id == event.id


def test_deleted_event_is_named() -> None:
    events = _events(5)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[1].id])
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_id == events[1].id
    assert "missing" in report.reason


def test_reordered_events_are_detected() -> None:
    events = _events(5)
    a, b = events[1], events[2]
    # swap every column but the id: the order of the trail changes, each row stays "valid"
    columns = ["at", "action", "object_repr", "extra", "prev_hash", "hash"]
    rows = {}
    with connection.cursor() as cursor:
        for event in (a, b):
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM core_auditevent WHERE id = %s", [event.id]
            )
            rows[event.id] = cursor.fetchone()
        for target, source in ((a.id, b.id), (b.id, a.id)):
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cursor.execute(
                f"UPDATE core_auditevent SET {assignments} WHERE id = %s", [*rows[source], target]
            )
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_id == a.id


def test_deleted_tail_is_detected() -> None:
    events = _events(4)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    report = audit.verify_chain()
    assert not report.intact
    assert "end" in report.reason


def test_audit_verify_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(3)
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", events[0].id])
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert failure.value.returncode == 1
    assert f"#{events[0].id}" in str(failure.value)


def test_model_refuses_update_and_delete() -> None:
    (event,) = _events(1)
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_database_refuses_update_and_delete_through_sql() -> None:
    (event,) = _events(1)
    db_protection.install(connection)
    try:
        for statement in (
            "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                _sql(statement, [event.id])
    finally:
        db_protection.remove(connection)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_personal_data_is_masked_in_changes() -> None:
    event = audit.record(
        action="person.update",
        changes={
            "identity_number": ("650102199003070072", ""),
            "phone": ("", "13812345678"),
            "password": ("a", "b"),
        },
    )
    event.refresh_from_db()
    assert event.changes["identity_number"] == ["650102********0072", ""]
    assert event.changes["phone"] == ["", "138****5678"]
    assert event.changes["password"] == ["******", "******"]
    assert "199003070072" not in json.dumps(event.changes)


def test_failed_sign_in_is_recorded(world) -> None:
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("id")
    assert event.outcome == Outcome.FAILURE
    assert event.actor_name == "alice"
    assert event.organisation_id == world.city_a.pk
    assert event.ip == "127.0.0.1"
    assert event.request_id


def test_out_of_scope_404_is_recorded(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.get("/orgs/CB/")
    assert response.status_code == 404
    event = AuditEvent.objects.filter(action="access.denied").latest("id")
    assert event.outcome == Outcome.DENIED
    assert event.actor_id == world.city_officer.pk
    assert event.object_id == "CB"
    assert event.extra["answer"] == 404
    assert event.request_id == response["X-Request-ID"]


def test_sign_in_is_recorded(world) -> None:
    Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.actor_id == world.city_officer.pk
    assert event.outcome == Outcome.SUCCESS


def test_bulk_writes_are_audited_one_event_each() -> None:
    entries = [audit.Entry(action="test.bulk", object_repr=f"row {i}") for i in range(120)]
    events = audit.record_many(entries)
    assert len(events) == 120
    assert AuditEvent.objects.filter(action="test.bulk").count() == 120
    assert audit.verify_chain().intact
