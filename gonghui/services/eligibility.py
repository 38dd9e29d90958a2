"""Which hardship tier a household is in: the rule of domain-rules §4.1, as exact arithmetic.

    monthly figure = (annual disposable income − rigid expenses) ÷ 12 ÷ household size

- 深度困难 (deep): the figure is below the local 低保 line;
- 相对困难 (relative): the figure is below twice the line;
- 意外致困 (by accident): claimed with its cause — an accident, a disaster or epidemic, a
  serious illness — or with the year's hardship costs above 80 % of the year's income;
- otherwise the household is not eligible, and the figure says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gonghui.services.models import Cause, Finances, Tier

CENT = Decimal("0.01")
COSTS_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class Assessment:
    tier: str
    # yuan a month a head, to the cent; what decided a formula tier
    figure: Decimal
    dibao_line: Decimal
    # the sentence shown beside the tier: which comparison decided it
    explanation: str


def exact_figure(finances: Finances, household_size: int) -> Decimal:
    """(income − rigid expenses) ÷ 12 ÷ household size, unrounded: what is compared."""
    size = max(household_size, 1)
    return (finances.income - finances.rigid_expenses) / Decimal(12 * size)


def monthly_figure(finances: Finances, household_size: int) -> Decimal:
    """The monthly figure rounded to the cent, as it is shown."""
    return exact_figure(finances, household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def _accident(finances: Finances, cause: str) -> str | None:
    """The explanation when the claimed cause holds, else None."""
    if cause in (Cause.ACCIDENT, Cause.DISASTER, Cause.ILLNESS):
        return _("Claimed as hardship by accident: %(cause)s.") % {"cause": Cause(cause).label}
    if cause == Cause.COSTS and finances.hardship_costs > finances.income * COSTS_SHARE:
        return _(
            "The year's hardship costs of %(costs)s yuan are above 80%% of the income of "
            "%(income)s yuan."
        ) % {"costs": finances.hardship_costs, "income": finances.income}
    return None


def assess(
    *, finances: Finances, household_size: int, dibao_line: Decimal, cause: str
) -> Assessment:
    """The household's tier, with the figure and the sentence that decided it."""
    exact, figure = exact_figure(finances, household_size), monthly_figure(finances, household_size)
    names = {"figure": figure, "line": dibao_line, "double": dibao_line * 2}
    if cause:
        reason = _accident(finances, cause)
        if reason is not None:
            return Assessment(Tier.ACCIDENT, figure, dibao_line, reason)
    if exact < dibao_line:  # compared unrounded: 599.995 is below 600
        text = _("%(figure)s yuan a month a head is below the 低保 line of %(line)s yuan.")
        return Assessment(Tier.DEEP, figure, dibao_line, text % names)
    if exact < dibao_line * 2:
        text = _("%(figure)s yuan a month a head is below twice the 低保 line (%(double)s yuan).")
        return Assessment(Tier.RELATIVE, figure, dibao_line, text % names)
    text = (
        _(
            "%(figure)s yuan a month a head is not below twice the 低保 line (%(double)s yuan): "
            "the household is not eligible."
        )
        % names
    )
    if cause == Cause.COSTS:
        text += " " + _("The hardship costs are not above 80 per cent of the income.")
    return Assessment(Tier.INELIGIBLE, figure, dibao_line, text)
