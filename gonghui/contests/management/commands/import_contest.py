"""`gonghui import_contest PATH`: check and import a contest workbook, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.contests.workbook import ERROR_HEADERS, import_workbook
from gonghui.core.tabular import write_csv, write_xlsx
from gonghui.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Import a contest workbook (.xlsx with the sheets 竞赛, 赛项, 评分标准, 选手, 裁判, 评分). "
        "Exit 0: clean (and written unless --dry-run); 1: bad rows, nothing written; "
        "2: the file cannot be read or the organiser is unknown."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--organiser", help="code of the organising union (needed for a new contest)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--errors", help="write every bad row to this .csv or .xlsx file")

    def handle(
        self,
        *args: Any,
        path: str,
        organiser: str | None,
        dry_run: bool,
        errors: str | None,
        **options: Any,
    ) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        union = None
        if organiser:
            union = Organisation.objects.filter(code=organiser).first()
            if union is None:
                raise CommandError(f"没有代码为 {organiser} 的组织", returncode=2)
        if not Path(path).is_file():
            raise CommandError(f"找不到文件 {path}", returncode=2)
        report = import_workbook(path, by=None, organiser=union, dry_run=dry_run)
        if errors:
            rows = [(e.sheet, e.row or "", e.column, e.message) for e in report.errors]
            if errors.lower().endswith(".xlsx"):
                write_xlsx(rows, ERROR_HEADERS, Path(errors), title="errors")
            else:
                with Path(errors).open("wb") as handle:
                    write_csv(rows, ERROR_HEADERS, handle)
        if report.errors:
            for error in report.errors:
                where = f"{error.sheet} 第{error.row}行" if error.row else error.sheet
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            unreadable = all(e.row == 0 for e in report.errors)
            raise CommandError(
                f"{len(report.errors)} 处错误，未写入任何数据", returncode=2 if unreadable else 1
            )
        counts = report.counts
        summary = (
            f"赛项 {counts.get('skills', 0)}，选手 {counts.get('competitors', 0)}，"
            f"裁判 {counts.get('judges', 0)}，评分 {counts.get('marks', 0)}"
            f"（变更 {counts.get('marks_changed', 0)}）"
        )
        if dry_run:
            self.stdout.write(f"检查通过（未写入）：{summary}")
        else:
            assert report.contest is not None
            self.stdout.write(
                self.style.SUCCESS(f"已导入 {report.contest.code} {report.contest.name}：{summary}")
            )
