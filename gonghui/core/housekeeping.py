"""What the background worker does on its own, at least once an hour, beside its tasks.

`gonghui worker` runs `Housekeeper` in a thread of its own, so that a long task (an import of
a million rows) does not hold it back. Every worker process does it: each step is safe to run
twice, so several workers on several machines need no coordination. Where no worker runs,
`gonghui audit_checkpoint` from cron does the audit part.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections, transaction

from gonghui.core.backup import nightly_backup
from gonghui.core.checkpoints import write_checkpoint
from gonghui.core.notifications import forget_old_notifications
from gonghui.core.uploads import delete_expired_uploads

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600


def run_housekeeping() -> None:
    """Write a checkpoint of the audit trail; delete the uploads and notifications kept past
    their time; run what the programmes registered (`every_round`)."""
    write_checkpoint()
    delete_expired_uploads()
    forget_old_notifications()
    nightly_backup()
    for work in _rounds:
        work()


_rounds: list[Callable[[], None]] = []


def every_round(work: Callable[[], None]) -> None:
    """Have the housekeeping run `work` each round too (an app's reminders, say); it must be
    safe to run twice and from several workers at once."""
    _rounds.append(work)


def checkpoint_after_import(*, rows: int) -> None:
    """A large import is followed by a checkpoint at once, not at the next hour (once the
    transaction around it, if any, has committed: a checkpoint names only what is written)."""
    if rows >= settings.CHECKPOINT_IMPORT_ROWS:
        transaction.on_commit(write_checkpoint)


class Housekeeper(threading.Thread):
    """Runs `work` at once, then every `every` seconds, until stopped; a failure is logged and
    the next round comes as usual."""

    def __init__(
        self, *, every: float = INTERVAL_SECONDS, work: Callable[[], None] = run_housekeeping
    ) -> None:
        super().__init__(name="housekeeping", daemon=True)
        self.every = every
        self.work = work
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.work()
            except Exception:
                logger.exception("housekeeping failed; tried again in %s s", self.every)
            finally:
                connections.close_all()  # this thread's own connections
            self.stopped.wait(self.every)

    def stop(self) -> None:
        self.stopped.set()
