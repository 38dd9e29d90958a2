"""`gonghui import_honourees PATH`: load past honourees into the register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.tabular import UnreadableFile, open_table, write_errors
from gonghui.honours.importer import HONOUREE_SPEC, apply_honouree_import, plan_honouree_import
from gonghui.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Add past honourees to the register from an .xlsx or .csv file with the columns "
        "姓名, 荣誉名称, 荣誉级别, 年度, 工会代码 (and optionally 公民身份号码, 工作单位, 行业, "
        "荣誉状态, 原因, 同意公开, 享受津贴, 事迹). Every row is checked first; nothing is "
        "written if any row is bad. Exit status: 0 done, 1 rows rejected, 2 file unreadable."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="OUT",
            help="also write the bad rows to OUT (.csv or .xlsx)",
        )

    def handle(
        self, *args: Any, path: Path, dry_run: bool, errors: Path | None, **options: Any
    ) -> None:
        if errors is not None and errors.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError(_("The error report must be a .csv or .xlsx file."), returncode=2)
        try:
            table = open_table(path, spec=HONOUREE_SPEC)
        except UnreadableFile as error:
            raise CommandError(f"{path}: {error.message}", returncode=2) from None
        with table, transaction.atomic():
            try:
                plan = plan_honouree_import(table, allowed=Organisation.objects.all())
            except UnreadableFile as error:
                raise CommandError(f"{path}: {error.message}", returncode=2) from None
            if errors is not None:
                write_errors(plan.errors, errors)
            if not plan.is_clean:
                for problem in plan.errors:
                    self.stderr.write(str(problem))
                raise CommandError(
                    _("%(n)d problems found; nothing was written.") % {"n": len(plan.errors)},
                    returncode=1,
                )
            if dry_run:
                self.stdout.write(
                    _("Dry run: %(n)d honourees would be added; nothing was written.")
                    % {"n": len(plan.rows)}
                )
                return
            created = apply_honouree_import(plan=plan, by=None, source=str(path))
        self.stdout.write(self.style.SUCCESS(_("Done: %(n)d honourees added.") % {"n": created}))
