"""`gonghui rotate_keys`: seal again with the current field key what older keys sealed."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core import crypto, rotation
from gonghui.core.audit import KEY_CHANGED
from gonghui.core.models import AuditEvent, AuditHead


class Command(BaseCommand):
    help = (
        "Seal again with the current key (the first of GONGHUI_FIELD_KEYS) every personal "
        "value and keyed hash that an older key made, a batch per transaction, while the "
        "server runs. Stopped at any point, run it again: it goes on where it stopped. When it "
        "is done, the older keys can leave GONGHUI_FIELD_KEYS. The audit chain hands over to "
        "the first of GONGHUI_AUDIT_KEYS by itself; older audit keys stay to verify."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only say what is left to rotate (exit 1 if anything is)",
        )

    def handle(self, *args: Any, batch: int, check: bool, **options: Any) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1", returncode=2)
        current = crypto.field_keys()[0]
        if check:
            left = rotation.pending()
            for table, count in left.items():
                self.stdout.write(f"{table}: {count:,} rows hold values of an older key")
            self._audit_state()
            if any(left.values()):
                raise CommandError("older field keys are still in use", returncode=1)
            self.stdout.write(self.style.SUCCESS(f"everything is sealed with key {current.label}"))
            return
        started = time.perf_counter()
        self.stdout.write(f"sealing again with field key {current.label}, {batch} rows a batch")
        done = rotation.rotate(batch=batch, report=self._progress)
        left = rotation.pending()
        self.stdout.write(
            f"{sum(done.values()):,} rows sealed again in {time.perf_counter() - started:.1f} s"
        )
        self._audit_state()
        if any(left.values()):  # written meanwhile by a process that still seals with an older key
            raise CommandError(
                f"{sum(left.values()):,} rows were sealed with an older key meanwhile: is every "
                "process restarted with the new GONGHUI_FIELD_KEYS? Run rotate_keys again.",
                returncode=1,
            )
        older = len(crypto.field_keys()) - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"everything is sealed with key {current.label}"
                + (f": the {older} older key(s) can now leave GONGHUI_FIELD_KEYS" if older else "")
            )
        )

    def _progress(self, progress: rotation.Progress) -> None:
        self.stdout.write(f"{progress.table}: {progress.done:,} / {progress.total:,}")
        self.stdout.flush()

    def _audit_state(self) -> None:
        head = AuditHead.objects.get(pk=1)
        handover = AuditEvent.objects.filter(action=KEY_CHANGED).order_by("-id").first()
        since = f" since event #{handover.id}" if handover is not None else ""
        self.stdout.write(f"audit chain: signed with key {head.key or '(not named yet)'}{since}")
