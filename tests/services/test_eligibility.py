"""The tier formula of domain-rules §4.1, exactly."""

from decimal import Decimal

from gonghui.services.eligibility import assess, monthly_figure
from gonghui.services.models import Cause, Finances, Tier

LINE = Decimal("600")


def tier(income: str, size: int, cause: str = "", **money: str) -> str:
    finances = Finances(income=Decimal(income), **{k: Decimal(v) for k, v in money.items()})
    return assess(finances=finances, household_size=size, dibao_line=LINE, cause=cause).tier


def test_figure_is_income_less_rigid_expenses_a_month_a_head():
    finances = Finances(income=Decimal("30000"), medical=Decimal("4000"), schooling=Decimal("2000"))
    assert monthly_figure(finances, 4) == Decimal("500.00")


def test_below_the_line_is_deep_hardship():
    assert tier("21599", 3) == Tier.DEEP  # 599.97 a month a head


def test_a_figure_a_hair_below_the_line_is_below_though_it_shows_as_the_line():
    # 21,599.99 ÷ 12 ÷ 3 = 599.9997…, shown as 600.00 yuan, yet below the line
    assert tier("21599.99", 3) == Tier.DEEP
    assert tier("43199.99", 3) == Tier.RELATIVE


def test_at_the_line_is_relative_not_deep():
    assert tier("21600", 3) == Tier.RELATIVE  # exactly 600


def test_below_twice_the_line_is_relative():
    assert tier("43199", 3) == Tier.RELATIVE


def test_at_twice_the_line_is_not_eligible():
    assert tier("43200", 3) == Tier.INELIGIBLE


def test_rigid_expenses_bring_a_household_into_hardship():
    assert tier("60000", 3, medical="20000", disability="10000", job_seeking="9000") == Tier.DEEP


def test_accident_claimed_with_its_cause():
    assert tier("90000", 3, cause=Cause.ILLNESS) == Tier.ACCIDENT


def test_costs_above_80_percent_of_income_is_accident():
    assert tier("50000", 2, cause=Cause.COSTS, hardship_costs="40001") == Tier.ACCIDENT


def test_costs_of_80_percent_exactly_are_not_enough():
    assert tier("50000", 2, cause=Cause.COSTS, hardship_costs="40000") == Tier.INELIGIBLE


def test_the_refusal_shows_the_figure():
    finances = Finances(income=Decimal("72000"))
    assessment = assess(finances=finances, household_size=2, dibao_line=LINE, cause="")
    assert assessment.tier == Tier.INELIGIBLE
    assert "3000.00" in assessment.explanation and "1200" in assessment.explanation
