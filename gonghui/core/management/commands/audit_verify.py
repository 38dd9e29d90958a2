from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.checkpoints import CheckpointLogError, log_path, verify, write_checkpoint


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain and hold it to the checkpoint log "
        "(GONGHUI_AUDIT_CHECKPOINTS). Exit 0 if it is intact, and write a checkpoint; exit 1 "
        "naming the first event that was altered, deleted or reordered, and the checkpoint "
        "that covers it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = log_path()
        try:
            verdict = verify(path)
        except CheckpointLogError as error:
            raise CommandError(f"checkpoint log unusable: {error}", returncode=1) from None
        if not verdict.intact:
            self.stderr.write(f"{verdict.chain.checked} events checked before the break.")
            raise CommandError(f"audit trail broken: {verdict.reason}", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {verdict.chain.checked} events"))
        if not verdict.log_found:
            self.stdout.write(
                f"no checkpoint log at {path} yet (a fresh install): nothing to compare with"
            )
        elif verdict.latest is not None:
            self.stdout.write(
                f"consistent with {verdict.checkpoints} checkpoints, the latest "
                f"#{verdict.latest.seq} of {verdict.latest.at}"
            )
        checkpoint = write_checkpoint(path)
        self.stdout.write(f"checkpoint written to {path}: #{checkpoint.seq} {checkpoint.hash}")
