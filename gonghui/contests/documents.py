"""The results list of a contest, to post and to file: each skill signed off, its competitors
in rank order with their unit, marks and award; the organiser and the day beneath."""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from gonghui.contests.marking import ContestResults
from gonghui.contests.models import Contest
from gonghui.core.pdf import build_document, chinese_day, cjk_font, document_styles, paragraph

HEADERS = ("名次", "编号", "姓名", "工作单位", "原始分", "标准分", "奖项")
WIDTHS = (13 * mm, 18 * mm, 26 * mm, 55 * mm, 20 * mm, 18 * mm, 20 * mm)


def results_list_pdf(contest: Contest, results: ContestResults, *, today: date) -> bytes | None:
    """The results of the skills signed off; None when no skill is signed off yet."""
    sheets = [sheet for sheet in results.sheets if sheet.skill.is_signed_off]
    if not sheets:
        return None
    styles = document_styles(cjk_font().name)
    title = f"{contest.name}成绩公布表"
    story: list[Flowable] = [paragraph(title, styles["title"]), Spacer(1, 5 * mm)]
    for sheet in sheets:
        story.append(paragraph(f"{sheet.skill.code} {sheet.skill.name}", styles["heading"]))
        rows = [[paragraph(h, styles["label"]) for h in HEADERS]]
        for line in sheet.lines:
            unit = line.competitor.unit
            values = (
                str(line.rank),
                line.competitor.number,
                line.competitor.person.name,
                unit.name if unit is not None else "—",
                f"{line.raw:.2f}",
                str(line.standardised),
                line.award_name or "—",
            )
            rows.append([paragraph(v, styles["body"]) for v in values])
        table = Table(rows, colWidths=list(WIDTHS), repeatRows=1)
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
    story += [
        Spacer(1, 8 * mm),
        paragraph(contest.organiser.name, styles["right"]),
        paragraph(chinese_day(today), styles["right"]),
    ]
    return build_document(story, title=title)
