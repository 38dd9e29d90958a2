"""`gonghui import_members PATH --union CODE`: import a roster into a grassroots union."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation

from gonghui.accounts.models import User
from gonghui.core.imports.command import TableImportCommand
from gonghui.core.imports.kinds import Checked, Context, Written
from gonghui.orgs.models import Organisation

LABELS = {
    "create": "新增人员",
    "join": "入会",
    "update": "更新",
    "transfer": "转入",
    "unchanged": "未变",
    "rejected": "拒绝",
}
SHOWN_ERRORS, SHOWN_WARNINGS = 200, 50


class Command(TableImportCommand):
    help = (
        "Import a roster (.xlsx or .csv) into a grassroots union. Exit 0: clean and written; "
        "1: rows rejected (nothing written, unless --skip-invalid); 2: the file cannot be read."
    )
    kind = "people.roster"
    # a data command: `gonghui check` is for the deployment, and costs a fifth of a small import
    requires_system_checks: list[str] = []

    def add_kind_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--union", help="code of the union the members join")
        parser.add_argument(
            "--skip-invalid", dest="skip_bad_rows", action="store_true", help="as --skip-bad-rows"
        )
        parser.add_argument(
            "--transfer", action="store_true", help="move members of other unions here"
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        translation.activate(settings.LANGUAGE_CODE)
        return super().execute(*args, **options)

    def context(self, options: dict[str, Any], path: Path) -> Context[User]:
        context: Context[User] = super().context(options, path)
        code = options.get("union")
        if not code:
            raise CommandError("请用 --union 指定会员所属工会的代码", returncode=2)
        context.organisation = Organisation.objects.filter(code=code).first()
        if context.organisation is None:
            raise CommandError(f"没有代码为 {code} 的组织", returncode=2)
        context.options = {"transfer": bool(options.get("transfer"))}
        return context

    def show_problems(self, checked: Checked) -> None:
        for bad in checked.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"第 {bad.row} 行 [{bad.column}]：{bad.message}")
        if len(checked.errors) > SHOWN_ERRORS:
            rest = len(checked.errors) - SHOWN_ERRORS
            self.stdout.write(f"…… 另有 {rest} 处错误（用 --errors 导出全部）")
        for warning in checked.warnings[:SHOWN_WARNINGS]:
            self.stdout.write(f"提示：第 {warning.row} 行 [{warning.column}]：{warning.message}")

    def describe_check(self, checked: Checked) -> str:
        summary = _summary(checked.counts) or "无变化"
        if checked.errors:
            return f"共 {checked.rows:,} 行：{summary}。"
        return f"试运行：文件无误，共 {checked.rows:,} 行；导入将会：{summary}。"

    def describe_written(self, written: Written) -> str:
        summary = _summary(written.counts) or "无变化"
        return f"已导入 {written.rows:,} 行（批次 #{written.result['batch']}）：{summary}"

    def describe_problems(self, checked: Checked, written: Written | None) -> str:
        rows = len({error.row for error in checked.errors})
        return f"{rows} 行有错误" + ("" if written else "，未写入任何数据")


def _summary(counts: dict[str, int]) -> str:
    return "，".join(f"{LABELS[k]} {counts[k]:,}" for k in LABELS if counts.get(k))
