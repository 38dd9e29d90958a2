"""`gonghui contest_results CODE -o OUT.csv|.xlsx`: every skill's results, one row per competitor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.contests.export import RESULT_HEADERS, result_rows
from gonghui.contests.marking import ContestResults
from gonghui.contests.models import Contest
from gonghui.core import audit
from gonghui.core.tabular import write_csv, write_xlsx


class Command(BaseCommand):
    help = (
        "Write a contest's results (赛项代码, 名次, 选手编号, 姓名, 原始分, 标准分, 奖项) to .csv or "
        ".xlsx. Skills whose results cannot be computed yet are named on stderr and left out."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="the contest code")
        parser.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")

    def handle(self, *args: Any, code: str, output: str, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        contest = Contest.objects.select_related("organiser").filter(code=code).first()
        if contest is None:
            raise CommandError(f"没有代码为 {code} 的竞赛")
        target = Path(output)
        if target.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("输出文件须为 .csv 或 .xlsx")
        results = ContestResults.load(contest)
        for sheet in results.blocked:
            self.stderr.write(f"赛项 {sheet.skill.code} 暂无成绩：" + " ".join(sheet.problems))
        rows = list(result_rows(results))
        if target.suffix.lower() == ".xlsx":
            write_xlsx(rows, RESULT_HEADERS, target, title=contest.code)
        else:
            with target.open("wb") as handle:
                write_csv(rows, RESULT_HEADERS, handle)
        audit.record(
            action="contest.results.export",
            obj=contest,
            extra={"format": target.suffix.lower().lstrip("."), "rows": len(rows), "via": "cli"},
        )
        self.stdout.write(f"{len(rows)} 行写入 {target}")
