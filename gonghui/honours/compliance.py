"""Proportion rules against a list of nominees: each rule's figure, threshold and verdict.

A rule counts, among the nominees of a subset (all, enterprise staff …), those who meet a
condition, and compares the share with the rule's percentage. The facts come from the
roster: the person's flags, gender (derived from the identity number), skill level and
employer (an enterprise is a unit whose credit code was issued by market regulation: "9").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gonghui.honours.models import Condition, Direction, Nomination, ProportionRule
from gonghui.people.models import Gender, Person, SkillLevel

TECHNICIAN_LEVELS = frozenset({SkillLevel.TECHNICIAN, SkillLevel.SENIOR_TECHNICIAN})


def is_enterprise_staff(person: Person) -> bool:
    unit = person.unit
    return unit is not None and unit.credit_code.startswith("9")


def meets(person: Person | None, condition: str) -> bool:
    """Whether a nominee meets a condition; a collective meets only "all"."""
    if condition == Condition.ALL:
        return True
    if person is None:
        return False
    match condition:
        case Condition.ENTERPRISE:
            return is_enterprise_staff(person)
        case Condition.FRONTLINE:
            return person.is_frontline
        case Condition.FRONTLINE_OR_TECHNICIAN:
            return person.is_frontline or person.skill_level in TECHNICIAN_LEVELS
        case Condition.MIGRANT:
            return person.is_migrant
        case Condition.ENTERPRISE_HEAD:
            return person.is_enterprise_head
        case Condition.WOMAN:
            return person.gender == Gender.FEMALE
        case Condition.TECHNICIAN:
            return person.skill_level in TECHNICIAN_LEVELS
    raise ValueError(f"unknown condition {condition!r}")


@dataclass(frozen=True)
class RuleFigure:
    rule: ProportionRule
    base: int  # nominees in the subset
    matching: int  # of those, nominees meeting the condition

    @property
    def percent(self) -> Decimal | None:
        if not self.base:
            return None
        share = Decimal(self.matching * 100) / Decimal(self.base)
        return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def is_met(self) -> bool:
        """An empty subset breaks no rule: there is nobody to count."""
        if not self.base:
            return True
        # compare exactly, without the rounding used for display
        share_times_base = Decimal(self.matching * 100)
        threshold = self.rule.percent * self.base
        if self.rule.direction == Direction.AT_LEAST:
            return share_times_base >= threshold
        return share_times_base <= threshold

    def describe(self) -> str:
        return str(self.rule)


def evaluate(
    rules: Iterable[ProportionRule], nominations: Iterable[Nomination]
) -> list[RuleFigure]:
    people = [n.person for n in nominations]
    figures = []
    for rule in rules:
        subset = [p for p in people if meets(p, rule.subset)]
        figures.append(
            RuleFigure(
                rule=rule,
                base=len(subset),
                matching=sum(1 for p in subset if meets(p, rule.condition)),
            )
        )
    return figures


def broken(figures: Iterable[RuleFigure]) -> list[RuleFigure]:
    return [f for f in figures if not f.is_met]
