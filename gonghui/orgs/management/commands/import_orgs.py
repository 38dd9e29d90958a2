"""`gonghui import_orgs PATH`: load the organisation tree from a spreadsheet."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gonghui.core.imports.command import TableImportCommand
from gonghui.core.imports.kinds import Checked, Written


class Command(TableImportCommand):
    help = (
        "Create and update organisations from an .xlsx or .csv file with the columns "
        "组织代码, 组织名称, 上级组织代码, 组织类型 (and optionally 行政区划代码, "
        "统一社会信用代码). Every row is checked first; nothing is written if any row is "
        "bad. Exit status: 0 done, 1 rows rejected, 2 file unreadable."
    )
    kind = "orgs.organisations"

    def describe_check(self, checked: Checked) -> str:
        return (
            _(
                "Plan: %(created)d to create, %(updated)d to update, %(moved)d to move, %(unchanged)d unchanged."
            )
            % checked.counts
        )

    def describe_written(self, written: Written) -> str:
        return (
            _(
                "Done: %(created)d created, %(updated)d updated, %(moved)d moved, %(unchanged)d unchanged."
            )
            % written.counts
        )
