"""The state of a skill's marking, read in a handful of queries: who may mark whom, what is
entered, what is missing or divergent, and (when nothing blocks them) the results.

Conflicts of interest are derived, never stored: a judge from the same employer unit or the
same grassroots union as a competitor is excluded for that competitor. The arithmetic is
`scoring.py`'s; this module only gathers the marks for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _

from gonghui.contests import scoring
from gonghui.contests.models import Aspect, Competitor, Contest, Judge, Mark, Skill

PROBLEMS_SHOWN = 20  # the first problems listed by name; the rest are counted


def conflict_reason(judge: Judge, competitor: Competitor) -> str:
    """Why this judge must not mark this competitor, naming both; empty when they may."""
    names = {
        "judge": f"{judge.number} {judge.person.name}",
        "competitor": f"{competitor.number} {competitor.person.name}",
    }
    if judge.unit_id and judge.unit_id == competitor.unit_id:
        return _(
            "Judge %(judge)s and competitor %(competitor)s work for the same employer (%(unit)s): the judge must not mark this competitor."
        ) % {**names, "unit": judge.unit.name if judge.unit else ""}
    if judge.union_id and judge.union_id == competitor.union_id:
        return _(
            "Judge %(judge)s and competitor %(competitor)s belong to the same grassroots union (%(union)s): the judge must not mark this competitor."
        ) % {**names, "union": judge.union.name if judge.union else ""}
    return ""


@dataclass
class SkillSheet:
    """Everything about one skill's marks, loaded once."""

    skill: Skill
    aspects: list[Aspect]
    competitors: list[Competitor]
    judges: list[Judge]
    measurements: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    scores: dict[tuple[int, int], dict[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, skill: Skill) -> SkillSheet:
        sheet = cls(
            skill=skill,
            aspects=list(skill.aspects.all()),
            competitors=list(skill.competitors.select_related("person", "unit", "union")),
            judges=list(skill.judges.select_related("person", "unit", "union", "user")),
        )
        scores: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        rows = Mark.objects.of_skill(skill).values_list(
            "competitor_id", "aspect_id", "judge_id", "mark", "score"
        )
        for competitor_id, aspect_id, judge_id, mark, score in rows.iterator(chunk_size=5000):
            if judge_id is None:
                sheet.measurements[(competitor_id, aspect_id)] = mark
            elif score is not None:  # the database's check constraint: always set with a judge
                scores[(competitor_id, aspect_id)][judge_id] = score
        sheet.scores = dict(scores)
        return sheet

    @cached_property
    def conflicts(self) -> set[tuple[int, int]]:
        """(judge id, competitor id) pairs that must not meet."""
        by_unit: dict[int, list[int]] = defaultdict(list)
        by_union: dict[int, list[int]] = defaultdict(list)
        for judge in self.judges:
            if judge.unit_id:
                by_unit[judge.unit_id].append(judge.pk)
            if judge.union_id:
                by_union[judge.union_id].append(judge.pk)
        pairs: set[tuple[int, int]] = set()
        for competitor in self.competitors:
            for judge_id in by_unit.get(competitor.unit_id or 0, []):
                pairs.add((judge_id, competitor.pk))
            for judge_id in by_union.get(competitor.union_id or 0, []):
                pairs.add((judge_id, competitor.pk))
        return pairs

    def eligible_judges(self, competitor: Competitor) -> list[Judge]:
        return [j for j in self.judges if (j.pk, competitor.pk) not in self.conflicts]

    @cached_property
    def scheme_total(self) -> Decimal:
        return sum((a.max_mark for a in self.aspects), Decimal(0))

    @cached_property
    def has_judgement(self) -> bool:
        return any(a.is_judgement for a in self.aspects)

    @cached_property
    def divergent(self) -> set[tuple[int, int]]:
        """(competitor id, aspect id) whose judges' scores lie more than one point apart."""
        return {
            key
            for key, by_judge in self.scores.items()
            if scoring.diverges(list(by_judge.values()))
        }

    @cached_property
    def conflicted_marks(self) -> list[tuple[Judge, Competitor]]:
        """Scores given by a judge who must not mark that competitor (registered since)."""
        judges = {j.pk: j for j in self.judges}
        competitors = {c.pk: c for c in self.competitors}
        pairs = {
            (judge_id, competitor_id)
            for (competitor_id, _aspect), by_judge in self.scores.items()
            for judge_id in by_judge
            if (judge_id, competitor_id) in self.conflicts
        }
        return [(judges[j], competitors[c]) for j, c in sorted(pairs)]

    @cached_property
    def short_of_judges(self) -> list[Competitor]:
        """Competitors with fewer than three judges free of conflict (judgement needs three)."""
        if not self.has_judgement:
            return []
        return [c for c in self.competitors if len(self.eligible_judges(c)) < scoring.MIN_JUDGES]

    @cached_property
    def missing(self) -> int:
        """Marks still to be entered: one per competitor and measurement aspect, and one per
        competitor, judgement aspect and judge free of conflict."""
        count = 0
        for competitor in self.competitors:
            eligible = [j.pk for j in self.eligible_judges(competitor)]
            for aspect in self.aspects:
                key = (competitor.pk, aspect.pk)
                if aspect.is_judgement:
                    entered = self.scores.get(key, {})
                    count += sum(1 for judge_id in eligible if judge_id not in entered)
                elif key not in self.measurements:
                    count += 1
        return count

    @cached_property
    def problems(self) -> list[str]:
        """Why results cannot be computed yet, in words for the officer; empty when they can."""
        problems: list[str] = []
        if not self.aspects:
            problems.append(_("The skill has no marking scheme yet."))
        elif scheme := scoring.scheme_problem((a.code, a.max_mark) for a in self.aspects):
            problems.append(scheme)
        if not self.competitors:
            problems.append(_("No competitors are registered."))
        for competitor in self.short_of_judges[:PROBLEMS_SHOWN]:
            problems.append(
                _(
                    "Competitor %(competitor)s has %(count)d judges free of conflicts of interest; judgement aspects need at least 3."
                )
                % {
                    "competitor": f"{competitor.number} {competitor.person.name}",
                    "count": len(self.eligible_judges(competitor)),
                }
            )
        for judge, competitor in self.conflicted_marks[:PROBLEMS_SHOWN]:
            problems.append(
                _("%(reason)s Clear the scores judge %(judge)s gave this competitor.")
                % {"reason": conflict_reason(judge, competitor), "judge": judge.number}
            )
        if self.missing:
            problems.append(_("%(count)d marks are still to be entered.") % {"count": self.missing})
        if self.divergent:
            names = {c.pk: c.number for c in self.competitors}
            codes = {a.pk: a.code for a in self.aspects}
            listed = sorted(f"{names[c]}/{codes[a]}" for c, a in self.divergent)
            problems.append(
                _(
                    "Judges' scores differ by more than 1 point and must be marked again (competitor/aspect): %(list)s."
                )
                % {
                    "list": "、".join(listed[:PROBLEMS_SHOWN])
                    + ("…" if len(listed) > PROBLEMS_SHOWN else "")
                }
            )
        return problems

    @property
    def can_compute(self) -> bool:
        return not self.problems

    def raw_totals(self) -> dict[int, Decimal]:
        aspects = [scoring.Aspect.of(a.code, a.kind, a.max_mark) for a in self.aspects]
        codes = {a.pk: a.code for a in self.aspects}
        measurements = {(c, codes[a]): v for (c, a), v in self.measurements.items()}
        judgements = {(c, codes[a]): list(v.values()) for (c, a), v in self.scores.items()}
        return scoring.totals_from_marks(
            aspects, measurements, judgements, [c.pk for c in self.competitors]
        )

    @cached_property
    def results(self) -> scoring.SkillResults[int] | None:
        """Standardised scores, ranks and awards; None while anything blocks them."""
        if self.problems:
            return None
        return scoring.skill_results(
            self.raw_totals(),
            policy=scoring.MedalPolicy(self.skill.medal_policy),
            minimum=self.skill.minimum_competitors,
        )

    @cached_property
    def lines(self) -> list[ResultLine]:
        return result_lines(self)

    @property
    def is_void(self) -> bool:
        return len(self.competitors) < self.skill.minimum_competitors


@dataclass(frozen=True)
class ResultLine:
    """One competitor's line of a results table or export."""

    skill: Skill
    competitor: Competitor
    raw: Decimal
    standardised: int
    rank: int
    award: scoring.Award | None

    @property
    def award_name(self) -> str:
        return scoring.AWARD_NAMES[self.award] if self.award else ""


def result_lines(sheet: SkillSheet) -> list[ResultLine]:
    results = sheet.results
    if results is None:
        return []
    competitors = {c.pk: c for c in sheet.competitors}
    return [
        ResultLine(sheet.skill, competitors[r.competitor], r.raw, r.standardised, r.rank, r.award)
        for r in results.results
    ]


@dataclass
class ContestResults:
    """Every skill of a contest: its lines, or why it has none yet; and the cross-skill best."""

    contest: Contest
    sheets: list[SkillSheet]

    @classmethod
    def load(cls, contest: Contest) -> ContestResults:
        skills = contest.skills.select_related("contest__organiser", "signed_off_by")
        return cls(contest, [SkillSheet.load(skill) for skill in skills])

    @cached_property
    def lines(self) -> dict[int, list[ResultLine]]:
        return {sheet.skill.pk: sheet.lines for sheet in self.sheets}

    @cached_property
    def best(self) -> list[ResultLine]:
        """The highest standardised score across the contest's skills (all who share it)."""
        every = [
            line
            for sheet in self.sheets
            if not sheet.is_void  # a void skill awards nothing, the contest's best included
            for line in self.lines[sheet.skill.pk]
        ]
        if not every:
            return []
        top = max(line.standardised for line in every)
        return [line for line in every if line.standardised == top]

    @property
    def blocked(self) -> list[SkillSheet]:
        return [sheet for sheet in self.sheets if sheet.problems]
