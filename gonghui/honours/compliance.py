"""Proportion rules against a list of nominees: each rule's figure, threshold and verdict.

A rule counts, among the nominees of a subset (all, enterprise staff …), those who meet a
condition, and compares the share with the rule's percentage; or, measured against the
quota, counts every nominee on the list meeting the condition and divides by the quota of
the union whose list it is. The facts come from the roster: the person's flags, gender
(derived from the identity number), skill level and employer (an enterprise is a unit whose
credit code was issued by market regulation: "9"); being a farmer is recorded on the
nomination, and a migrant worker (农民工) counts as one.
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


def meets(nomination: Nomination, condition: str) -> bool:
    """Whether a nominee meets a condition; a collective meets only "all"."""
    if condition == Condition.ALL:
        return True
    person = nomination.person
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
        case Condition.FARMER:
            return nomination.is_farmer or person.is_migrant
    raise ValueError(f"unknown condition {condition!r}")


@dataclass(frozen=True)
class RuleFigure:
    rule: ProportionRule
    base: int  # nominees in the subset, or the quota
    matching: int  # of those, nominees meeting the condition (of the whole list, for a quota)
    has_quota: bool = True  # False: measured against a quota the union was never given

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
    rules: Iterable[ProportionRule], nominations: Iterable[Nomination], quota: int | None = None
) -> list[RuleFigure]:
    """Each rule's figure for the list `nominations`, whose union has `quota` places."""
    listed = list(nominations)
    figures = []
    for rule in rules:
        if rule.is_of_quota:
            # without a quota there is nothing to measure against: shown, never blocking
            figures.append(
                RuleFigure(
                    rule=rule,
                    base=quota or 0,
                    matching=sum(1 for n in listed if meets(n, rule.condition)),
                    has_quota=quota is not None,
                )
            )
            continue
        subset = [n for n in listed if meets(n, rule.subset)]
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
