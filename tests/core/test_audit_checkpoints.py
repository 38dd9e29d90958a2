"""Checkpoints of the audit trail outside the database: its tail cannot be cut unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gonghui.core import audit, checkpoints
from gonghui.core.housekeeping import Housekeeper, checkpoint_after_import, run_housekeeping
from gonghui.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [audit.record(action="test.event", object_repr=f"thing {i}") for i in range(n)]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _log() -> Path:
    return Path(settings.AUDIT_CHECKPOINTS)


def _lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in _log().read_text().splitlines()]


def _cut_tail_and_rewrite_head(keep: AuditEvent) -> None:
    """What someone with write access to the database, and no key, can do."""
    _sql("DELETE FROM core_auditevent WHERE id > %s", [keep.id])
    _sql(
        "UPDATE core_audithead SET last_id = %s, last_hash = %s WHERE id = 1",
        [keep.id, keep.hash],
    )


def _verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert failure.value.returncode == 1
    return str(failure.value)


def test_checkpoint_command_appends_the_head_signed(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(3)
    call_command("audit_checkpoint")
    call_command("audit_checkpoint")
    lines = _lines()
    assert len(lines) == 2
    assert lines[0]["seq"] == events[-1].id and lines[0]["hash"] == events[-1].hash
    assert set(lines[0]) == {"seq", "hash", "at", "mac"}
    assert str(_log()) in capsys.readouterr().out


def test_cut_tail_with_rewritten_head_fails_naming_the_checkpoint() -> None:
    events = _events(6)
    call_command("audit_checkpoint")
    _cut_tail_and_rewrite_head(events[2])
    assert audit.verify_chain().intact  # the chain alone cannot tell
    message = _verify_fails()
    assert f"#{events[2].id}" in message and f"checkpoint #{events[-1].id}" in message
    assert "line 1" in message and _lines()[0]["at"] in message


def test_cut_tail_then_new_events_fails_naming_the_checkpoint() -> None:
    events = _events(6)
    call_command("audit_checkpoint")
    _cut_tail_and_rewrite_head(events[2])
    _events(5)  # the trail grows past the checkpoint again, with other events
    message = _verify_fails()
    assert f"event #{events[-1].id} is not the one checkpoint #{events[-1].id}" in message


def test_events_deleted_before_a_checkpoint_fail_naming_it() -> None:
    events = _events(5)
    call_command("audit_checkpoint")
    _sql("DELETE FROM core_auditevent WHERE id <= %s", [events[1].id])
    message = _verify_fails()
    assert "missing" in message and f"checkpoint #{events[-1].id}" in message


def test_altered_event_before_a_checkpoint_fails_naming_it() -> None:
    events = _events(5)
    call_command("audit_checkpoint")
    _sql("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", events[1].id])
    message = _verify_fails()
    assert f"event #{events[1].id} was altered" in message
    assert f"checkpoint #{events[-1].id}" in message


def test_head_behind_the_latest_checkpoint_fails() -> None:
    events = _events(4)
    call_command("audit_checkpoint")
    _events(2)
    call_command("audit_checkpoint")
    head = AuditHead.objects.get(pk=1)
    _cut_tail_and_rewrite_head(events[-1])
    message = _verify_fails()
    assert f"head #{events[-1].id} is behind checkpoint #{head.last_id}" in message
    assert "line 2" in message


def test_intact_chain_passes_and_appends_a_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    call_command("audit_checkpoint")
    _events(2)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "intact" in out and "consistent with 1 checkpoints" in out
    lines = _lines()
    assert len(lines) == 2 and lines[1]["seq"] == AuditHead.objects.get(pk=1).last_id


def test_missing_log_is_said_plainly_and_then_started(capsys: pytest.CaptureFixture[str]) -> None:
    _events(2)
    call_command("audit_verify")
    assert "no checkpoint log" in capsys.readouterr().out
    assert len(_lines()) == 1


def test_garbled_line_is_an_error() -> None:
    _events(2)
    call_command("audit_checkpoint")
    with _log().open("a") as log:
        log.write("{not json\n")
    assert "line 2" in _verify_fails() and "garbled" in _verify_fails()


def test_forged_line_is_an_error() -> None:
    events = _events(3)
    forged = {"seq": events[0].id, "hash": events[0].hash, "at": "2026-01-01T00:00:00Z"}
    _log().write_text(json.dumps({**forged, "mac": "0" * 64}) + "\n")
    message = _verify_fails()
    assert "line 1" in message and "not signed" in message


def test_large_import_is_followed_by_a_checkpoint(
    settings, django_capture_on_commit_callbacks
) -> None:
    _events(1)
    settings.CHECKPOINT_IMPORT_ROWS = 100
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_after_import(rows=99)
    assert not _log().exists()
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_after_import(rows=100)
        assert not _log().exists()  # not before the import's transaction commits
    assert len(_lines()) == 1


def test_housekeeping_writes_a_checkpoint() -> None:
    _events(2)
    run_housekeeping()
    assert _lines()[0]["seq"] == AuditHead.objects.get(pk=1).last_id


def test_housekeeper_runs_at_once_then_every_interval_and_survives_failures() -> None:
    runs: list[int] = []

    def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("a bad round")

    keeper = Housekeeper(every=0.01, work=work)
    keeper.start()
    try:
        for _ in range(500):
            if len(runs) >= 3:
                break
            keeper.stopped.wait(0.01)
    finally:
        keeper.stop()
        keeper.join(timeout=5)
    assert len(runs) >= 3


def test_verify_reads_checkpoints_in_order() -> None:
    events = _events(2)
    checkpoints.write_checkpoint()
    _events(1)
    checkpoints.write_checkpoint()
    found = checkpoints.read_checkpoints()
    assert found is not None
    assert [c.seq for c in found] == [events[-1].id, events[-1].id + 1]
    assert [c.line for c in found] == [1, 2]


def test_worker_command_keeps_house_beside_the_task_worker(monkeypatch) -> None:
    started: list[bool] = []

    class Recording:
        def start(self) -> None:
            started.append(True)

    worked: list[bool] = []
    monkeypatch.setattr("gonghui.core.management.commands.worker.Housekeeper", Recording)
    # and no real heartbeat thread, which would go on writing to the test database
    monkeypatch.setattr("gonghui.core.management.commands.worker.Heartbeat", Recording)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.run",
        lambda worker: worked.append(True),
    )
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.configure_signals",
        lambda worker: None,  # the test run keeps its own signal handlers
    )
    call_command("worker", "--no-startup-delay", "--no-reload", verbosity=0)
    assert started == [True, True] and worked == [True]  # housekeeping and heartbeat
