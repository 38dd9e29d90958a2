from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gonghui.core.checkpoints import log_path, write_checkpoint


class Command(BaseCommand):
    help = (
        "Append the audit trail's head (sequence number, hash, time), signed, to the checkpoint "
        "log (GONGHUI_AUDIT_CHECKPOINTS). The worker does this every hour; run it from cron "
        "where no worker runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = log_path()
        checkpoint = write_checkpoint(path)
        self.stdout.write(f"checkpoint written to {path}: #{checkpoint.seq} {checkpoint.hash}")
