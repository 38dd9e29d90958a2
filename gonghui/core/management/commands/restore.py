"""`gonghui restore PATH`: into an empty database, then checked against the backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore the backup at PATH into the configured database, which must be empty, then "
        "check every table's rows against the backup and walk the audit trail. Exit 0 when "
        "the restore is whole, 1 when it is not, 2 when it could not be done."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="a file written by gonghui backup")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            report = restore_backup(Path(path))
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        if not report.whole:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError("the restore is NOT whole: see above", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"restore whole: {report.tables} tables, {report.rows:,} rows as backed up; "
                f"audit trail intact ({report.audit_events:,} events)"
            )
        )
