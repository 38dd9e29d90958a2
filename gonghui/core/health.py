"""Is this installation ready to serve? The checks behind `/readyz`, each named when it fails.

- the database answers, and every migration is applied;
- a background worker said it is alive within `GONGHUI_READY_WORKER_SECONDS` (120): imports,
  certificates and the hourly housekeeping depend on it;
- the latest checkpoint of the audit trail is younger than `GONGHUI_READY_CHECKPOINT_HOURS` (2):
  the worker writes one an hour, and without them a cut tail of the trail goes unseen;
- where nightly backups are configured (`GONGHUI_BACKUP_DIR`), one was taken in the last day
  and restored whole.

`/healthz` only says the process runs and reaches its database (for load balancers);
`/readyz` is for the operator's monitoring.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gonghui.core.backup import backup_problem
from gonghui.core.checkpoints import CheckpointLogError, read_checkpoints
from gonghui.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 30


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _migrations() -> str | None:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return f"{len(waiting)} migrations not applied (gonghui migrate)" if waiting else None


def _worker() -> str | None:
    latest = WorkerHeartbeat.objects.order_by("-at").values_list("at", flat=True).first()
    limit = timedelta(seconds=settings.READY_WORKER_SECONDS)
    if latest is None:
        return "no background worker has run (gonghui worker)"
    if timezone.now() - latest > limit:
        return f"no background worker seen since {timezone.localtime(latest):%Y-%m-%d %H:%M:%S}"
    return None


def _checkpoint() -> str | None:
    try:
        checkpoints = read_checkpoints()
    except CheckpointLogError as error:
        return str(error)
    if not checkpoints:
        return "no checkpoint of the audit trail yet"
    at = datetime.fromisoformat(checkpoints[-1].at)
    if timezone.now() - at > timedelta(hours=settings.READY_CHECKPOINT_HOURS):
        return f"the latest checkpoint of the audit trail is of {checkpoints[-1].at}"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "migrations": _migrations,
    "worker": _worker,
    "audit_checkpoint": _checkpoint,
    "backup": backup_problem,  # ok when the nightly backups are not configured
}


def readiness() -> dict[str, str]:
    """Each check's answer: "ok", or what is wrong."""
    answers = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as error:  # a check that cannot run is a failing check
            problem = f"{type(error).__name__}: {error}"
        answers[name] = problem or "ok"
    return answers


def beat() -> None:
    """Say this worker process is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker=f"{socket.gethostname()}:{os.getpid()}"[:128], defaults={"at": timezone.now()}
    )


class Heartbeat(threading.Thread):
    """Beats every HEARTBEAT_SECONDS in a thread of the worker until stopped."""

    def __init__(self, every: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                beat()
            except Exception:  # noqa: S110 - the next beat tries again; /readyz tells the rest
                pass
            finally:
                connections.close_all()
            self.stopped.wait(self.every)
