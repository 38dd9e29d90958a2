"""`gonghui import_honourees PATH`: load past honourees into the register."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gonghui.core.imports.command import TableImportCommand
from gonghui.core.imports.kinds import Checked, Written


class Command(TableImportCommand):
    help = (
        "Add past honourees to the register from an .xlsx or .csv file with the columns "
        "姓名, 荣誉名称, 荣誉级别, 年度, 工会代码 (and optionally 公民身份号码, 工作单位, 行业, "
        "荣誉状态, 原因, 同意公开, 享受津贴, 事迹). Every row is checked first; nothing is "
        "written if any row is bad. Exit status: 0 done, 1 rows rejected, 2 file unreadable."
    )
    kind = "honours.honourees"

    def describe_check(self, checked: Checked) -> str:
        return _("Checked: %(n)d honourees can be added.") % {"n": checked.ready}

    def describe_written(self, written: Written) -> str:
        return _("Done: %(n)d honourees added.") % {"n": written.rows}
