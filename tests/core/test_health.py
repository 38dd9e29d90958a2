"""/readyz: ready when the database, migrations, a worker's heartbeat and the audit checkpoint
all answer; otherwise 503 naming what fails (the details go to the log, not the page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core import health
from gonghui.core.checkpoints import write_checkpoint
from gonghui.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.log"
    WorkerHeartbeat.objects.all().delete()  # each test says which workers beat
    return settings.AUDIT_CHECKPOINTS


def test_ready_when_a_worker_beats_and_the_trail_is_checkpointed(checkpoints) -> None:
    health.beat()
    write_checkpoint()
    answer = Client().get("/readyz")  # open to monitoring, no sign-in
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "worker": "ok",
            "audit_checkpoint": "ok",
            "backup": "ok",  # no nightly backups configured: nothing to wait for
        },
    }


def test_a_stopped_worker_makes_it_503_and_named(checkpoints, caplog) -> None:
    write_checkpoint()
    answer = Client().get("/readyz")
    assert answer.status_code == 503 and answer.json()["checks"]["worker"] == "failing"
    health.beat()
    WorkerHeartbeat.objects.update(at=timezone.now() - timedelta(minutes=3))
    answer = Client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "failing",
        "audit_checkpoint": "ok",
        "backup": "ok",
    }
    assert "no background worker seen since" in caplog.text


def test_an_old_or_missing_checkpoint_is_named(checkpoints, settings) -> None:
    health.beat()
    assert Client().get("/readyz").json()["checks"]["audit_checkpoint"] == "failing"
    write_checkpoint()
    settings.READY_CHECKPOINT_HOURS = 0
    assert Client().get("/readyz").json()["checks"]["audit_checkpoint"] == "failing"


def test_the_heartbeat_thread_beats_until_stopped(monkeypatch) -> None:
    beats: list[int] = []
    monkeypatch.setattr(health, "beat", lambda: beats.append(1))
    monkeypatch.setattr(health.connections, "close_all", lambda: None)
    beating = health.Heartbeat(every=0.05)
    beating.start()
    beating.stopped.wait(0.3)
    beating.stopped.set()
    beating.join(2)
    assert not beating.is_alive() and len(beats) >= 2


def test_a_configured_backup_that_did_not_restore_fails_readiness(checkpoints, settings) -> None:
    from gonghui.core.models import BackupRecord

    health.beat()
    write_checkpoint()
    settings.BACKUP_DIR = "/srv/backups"
    assert Client().get("/readyz").json()["checks"]["backup"] == "failing"  # none yet
    BackupRecord.objects.create(day=timezone.localdate(), started_at=timezone.now(), verified=True)
    assert Client().get("/readyz").status_code == 200
    BackupRecord.objects.update(verified=False)
    assert Client().get("/readyz").json()["checks"]["backup"] == "failing"
