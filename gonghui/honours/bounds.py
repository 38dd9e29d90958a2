"""The numbers the honours pages and API accept, each bound once from its column."""

from gonghui.core.bounds import Bound
from gonghui.honours.models import (
    AllowanceRate,
    BenefitEntry,
    Campaign,
    ProportionRule,
    QuotaAllocation,
    SanatoriumSession,
)

AMOUNT = Bound.of(BenefitEntry, "amount", ge=0)
MONTHLY_AMOUNT = Bound.of(AllowanceRate, "monthly_amount", ge=0)
PERCENT = Bound.of(ProportionRule, "percent", ge=0, le=100)
ALLOCATED_QUOTA = Bound.of(QuotaAllocation, "quota")
TOTAL_QUOTA = Bound.of(Campaign, "total_quota", ge=1)
NOTICE_DAYS = Bound.of(Campaign, "notice_days", ge=1, le=60)
# a share of the committee: numerator and denominator of a fraction no larger than one
PASS_PART = Bound.of(Campaign, "pass_denominator", ge=1)
PLACES = Bound.of(SanatoriumSession, "places", ge=1, le=1000)

__all__ = [
    "ALLOCATED_QUOTA",
    "AMOUNT",
    "MONTHLY_AMOUNT",
    "NOTICE_DAYS",
    "PASS_PART",
    "PERCENT",
    "PLACES",
    "TOTAL_QUOTA",
]
