from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.core.housekeeping import checkpoint_after_import
from gonghui.core.tabular import UnreadableFile, write_errors
from gonghui.orgs.models import Organisation
from gonghui.people.importing.pipeline import import_members

LABELS = {
    "create": "新增人员",
    "join": "入会",
    "update": "更新",
    "transfer": "转入",
    "unchanged": "未变",
    "rejected": "拒绝",
}


class Command(BaseCommand):
    help = (
        "Import a roster (.xlsx or .csv) into a grassroots union. Exit 0: clean and written; "
        "1: rows rejected (nothing written, unless --skip-invalid); 2: the file cannot be read."
    )
    # a data command: `gonghui check` is for the deployment, and costs a fifth of a small import
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--union", required=True, help="code of the union the members join")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show the plan; write nothing"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the good rows, report the bad"
        )
        parser.add_argument(
            "--transfer", action="store_true", help="move members of other unions here"
        )
        parser.add_argument("--errors", help="write the bad rows to this .csv or .xlsx file")

    def handle(
        self,
        *args: Any,
        path: str,
        union: str,
        dry_run: bool,
        skip_invalid: bool,
        transfer: bool,
        errors: str | None,
        **options: Any,
    ) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        organisation = Organisation.objects.filter(code=union).first()
        if organisation is None:
            raise CommandError(f"没有代码为 {union} 的组织", returncode=2)
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        last = {"shown": 0}
        live = sys.stderr.isatty()
        # -v 2: a line every 10,000 rows, for logs (a terminal gets one line, rewritten)
        show = live or options.get("verbosity", 1) >= 2

        def progress(stage: str, done: int) -> None:
            if show and done - last["shown"] >= 10000:
                last["shown"] = done
                label = "检查" if stage == "check" else "写入"
                self.stderr.write(
                    f"{chr(13) if live else ''}{label} {done:,} 行", ending="" if live else "\n"
                )
                self.stderr.flush()

        try:
            report = import_members(
                path=source,
                union=organisation,
                by=None,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                transfer=transfer,
                progress=progress,
            )
        except UnreadableFile as error:
            raise CommandError(f"无法读取文件：{error.message}", returncode=2) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        if live:
            self.stderr.write("")
        for bad in report.errors[:200]:
            self.stdout.write(f"第 {bad.row} 行 [{bad.column}]：{bad.message}")
        if len(report.errors) > 200:
            self.stdout.write(f"…… 另有 {len(report.errors) - 200} 处错误（用 --errors 导出全部）")
        for warning in report.warnings[:50]:
            self.stdout.write(f"提示：第 {warning.row} 行 [{warning.column}]：{warning.message}")
        if errors and report.errors:
            write_errors(report.errors, errors)
            self.stdout.write(f"错误清单已写入 {errors}")
        summary = "，".join(f"{LABELS[k]} {report.counts[k]:,}" for k in LABELS if report.counts[k])
        if report.written:
            assert report.batch is not None
            checkpoint_after_import(rows=report.rows)
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入 {report.rows:,} 行（批次 #{report.batch.pk}）：{summary or '无变化'}"
                )
            )
        elif dry_run and report.clean:
            self.stdout.write(
                f"试运行：文件无误，共 {report.rows:,} 行；导入将会：{summary or '无变化'}。未写入任何数据。"
            )
        else:
            self.stdout.write(
                f"共 {report.rows:,} 行：{summary}。"
                + ("" if report.written else "未写入任何数据。")
            )
        if report.errors:
            raise CommandError(f"{len({e.row for e in report.errors})} 行有错误", returncode=1)
