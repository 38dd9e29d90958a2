"""`gonghui import_contest PATH`: check and import a contest workbook, all or nothing."""

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


class Command(TableImportCommand):
    help = (
        "Import a contest workbook (.xlsx with the sheets 竞赛, 赛项, 评分标准, 选手, 裁判, 评分). "
        "Exit 0: clean (and written unless --dry-run); 1: bad rows, nothing written; "
        "2: the file cannot be read or the organiser is unknown."
    )
    kind = "contests.workbook"

    def add_kind_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organiser", help="code of the organising union (needed for a new contest)"
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        translation.activate(settings.LANGUAGE_CODE)
        return super().execute(*args, **options)

    def context(self, options: dict[str, Any], path: Path) -> Context[User]:
        context = super().context(options, path)
        code = options.get("organiser")
        if code:
            context.organisation = Organisation.objects.filter(code=code).first()
            if context.organisation is None:
                raise CommandError(f"没有代码为 {code} 的组织", returncode=2)
        return context

    def describe_check(self, checked: Checked) -> str:
        return f"检查：{_summary(checked.counts)}"

    def describe_written(self, written: Written) -> str:
        return f"已导入 {written.result.get('contest', '')}：{_summary(written.counts)}"


def _summary(counts: dict[str, int]) -> str:
    return (
        f"赛项 {counts.get('skills', 0)}，选手 {counts.get('competitors', 0)}，"
        f"裁判 {counts.get('judges', 0)}，评分 {counts.get('marks', 0)}"
        f"（变更 {counts.get('marks_changed', 0)}）"
    )
