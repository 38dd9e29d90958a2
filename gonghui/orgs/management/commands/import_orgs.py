"""`gonghui import_orgs PATH`: load the organisation tree from a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.tabular import UnreadableFile, open_table, write_errors
from gonghui.orgs.tabular import ORG_SPEC, OrgImportPlan, apply_org_import, plan_org_import


class Command(BaseCommand):
    help = (
        "Create and update organisations from an .xlsx or .csv file with the columns "
        "组织代码, 组织名称, 上级组织代码, 组织类型 (and optionally 行政区划代码, "
        "统一社会信用代码). Every row is checked first; nothing is written if any row is "
        "bad. Exit status: 0 done, 1 rows rejected, 2 file unreadable."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx or .csv file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and print the plan; write nothing"
        )
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
            table = open_table(path, spec=ORG_SPEC)
        except UnreadableFile as error:
            raise CommandError(f"{path}: {error.message}", returncode=2) from None
        # Plan and apply in one transaction, so that nothing changes between check and write.
        with table, transaction.atomic():
            try:
                plan = plan_org_import(table, allowed_parents=None)
            except UnreadableFile as error:  # bad bytes half-way through a CSV
                raise CommandError(f"{path}: {error.message}", returncode=2) from None
            self._print_plan(plan)
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
                self.stdout.write(_("Dry run: nothing was written."))
                return
            result = apply_org_import(plan=plan, by=None, source=str(path))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Done: %(created)d created, %(updated)d updated, %(moved)d moved, %(unchanged)d unchanged."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "moved": result.moved,
                    "unchanged": result.unchanged,
                }
            )
        )

    def _print_plan(self, plan: OrgImportPlan) -> None:
        self.stdout.write(
            _(
                "Plan: %(created)d to create, %(updated)d to update, %(moved)d to move, %(unchanged)d unchanged."
            )
            % {
                "created": plan.created,
                "updated": plan.updated,
                "moved": plan.moved,
                "unchanged": plan.unchanged,
            }
        )
