"""The mark-entry grid: competitors down, aspects across; one sheet for the measurement
aspects and one per judge for the judgement aspects."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gonghui.contests.marking import SkillSheet, conflict_reason
from gonghui.contests.models import Aspect, Competitor, Judge

MEASUREMENT_SHEET = "M"


@dataclass(frozen=True)
class Cell:
    competitor: Competitor
    aspect: Aspect
    judge: Judge | None
    value: str
    error: str = ""
    conflict: str = ""  # why this judge must not mark this competitor
    divergent: bool = False


def _cell(sheet: SkillSheet, competitor: Competitor, aspect: Aspect, judge: Judge | None) -> Cell:
    key = (competitor.pk, aspect.pk)
    if judge is None:
        mark = sheet.measurements.get(key)
        return Cell(competitor, aspect, None, "" if mark is None else f"{mark:.2f}")
    score = sheet.scores.get(key, {}).get(judge.pk)
    if (judge.pk, competitor.pk) in sheet.conflicts:
        reason = conflict_reason(judge, competitor)
        if score is not None:  # given before the conflict was known: shown, to be cleared
            return Cell(competitor, aspect, judge, str(score), error=reason)
        return Cell(competitor, aspect, judge, "", conflict=reason)
    return Cell(
        competitor,
        aspect,
        judge,
        "" if score is None else str(score),
        divergent=key in sheet.divergent,
    )


@dataclass
class Grid:
    sheet: SkillSheet
    key: str
    judge: Judge | None
    aspects: list[Aspect]
    rows: list[tuple[Competitor, list[Cell]]]

    @classmethod
    def build(cls, sheet: SkillSheet, key: str) -> Grid:
        judge = None
        if key != MEASUREMENT_SHEET:
            judge = next((j for j in sheet.judges if str(j.pk) == key), None)
            if judge is None:
                key = MEASUREMENT_SHEET
        judged = judge is not None
        aspects = [a for a in sheet.aspects if a.is_judgement == judged]
        rows = [(c, [_cell(sheet, c, a, judge) for a in aspects]) for c in sheet.competitors]
        return cls(sheet, key, judge, aspects, rows)

    @property
    def tabs(self) -> list[tuple[str, str]]:
        tabs = []
        if any(not a.is_judgement for a in self.sheet.aspects):
            tabs.append((MEASUREMENT_SHEET, _("Measurement marks")))
        if self.sheet.has_judgement:
            tabs += [
                (
                    str(j.pk),
                    _("Judge %(number)s %(name)s") % {"number": j.number, "name": j.person.name},
                )
                for j in self.sheet.judges
            ]
        return tabs

    @staticmethod
    def cell_for(
        sheet: SkillSheet,
        competitor: Competitor,
        aspect: Aspect,
        judge: Judge | None,
        *,
        typed: str,
        error: str,
    ) -> Cell:
        """The cell after a save: as stored, or (when refused) with what was typed and why."""
        cell = _cell(sheet, competitor, aspect, judge)
        if error:
            return Cell(competitor, aspect, judge, typed, error=error)
        return cell
