"""`gonghui backup PATH`: one file that restores; `--verify PATH` restores it as a drill."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.backup import BackupError, take_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Write a backup to PATH: the database (safe while the server runs), the uploaded files "
        "and a manifest of what they hold, never the keys. With --verify, restore the backup "
        "at PATH into a scratch database and check it instead (exit 1 if it is not whole)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="the backup file to write, or to verify")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="restore PATH into a scratch database and check it",
        )

    def handle(self, *args: Any, path: str, verify: bool, **options: Any) -> None:
        started = time.perf_counter()
        try:
            if verify:
                whole, said = verify_backup(Path(path))
                self.stdout.write(said)
                if not whole:
                    raise CommandError(f"{path} does not restore whole", returncode=1)
                return
            manifest = take_backup(Path(path))
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {path} in {time.perf_counter() - started:.1f} s: "
                f"{len(manifest['tables'])} tables, {rows:,} rows, "
                f"{len(manifest['sha256']) - 1} files, audit trail to #{manifest['audit']['last_id']}"
            )
        )
