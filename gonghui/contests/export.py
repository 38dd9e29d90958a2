"""Results as rows for spreadsheets, shared by the web and the CLI."""

from __future__ import annotations

from collections.abc import Iterator

from gonghui.contests.marking import ContestResults
from gonghui.core.tabular import Cell

RESULT_HEADERS = ("赛项代码", "名次", "选手编号", "姓名", "原始分", "标准分", "奖项")


def result_rows(results: ContestResults) -> Iterator[list[Cell]]:
    """One row per competitor of every skill with results, in skill and rank order."""
    for sheet in results.sheets:
        for line in sheet.lines:
            yield [
                sheet.skill.code,
                line.rank,
                line.competitor.number,
                line.competitor.person.name,
                line.raw,
                line.standardised,
                line.award_name,
            ]
