"""The list at each level of a campaign: who has reached a reviewing union, who it sent up,
its quota, and the proportion rules' figures for that list (the compliance panel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Q

from gonghui.honours.compliance import RuleFigure, broken, evaluate
from gonghui.honours.models import (
    PAST_REVIEW,
    Campaign,
    Honouree,
    HonoureeStatus,
    Justification,
    Nomination,
    NominationStatus,
    QuotaAllocation,
)
from gonghui.orgs.models import Organisation


def review_chain(campaign: Campaign, organisation: Organisation) -> list[Organisation]:
    """The unions that review a nomination from `organisation`, bottom-up; the organiser last."""
    ancestors = [*Organisation.objects.ancestors(organisation), organisation]
    chain = [
        org
        for org in reversed(ancestors)
        if org.type in campaign.review_levels
        and org.path.startswith(campaign.organiser.path)
        and org.pk != campaign.organiser_id
    ]
    return [*chain, campaign.organiser]


def _candidates(campaign: Campaign, org: Organisation) -> list[Nomination]:
    return list(
        Nomination.objects.in_campaign(campaign)
        .from_subtree(org)
        .filter(status__in=[NominationStatus.SUBMITTED, *PAST_REVIEW])
        .select_related("person__unit")
    )


def has_reached(nomination: Nomination, org: Organisation) -> bool:
    """Whether the nomination is at `org` now or went past it."""
    if nomination.status in PAST_REVIEW:
        return True
    return org.pk in nomination.review_chain[: nomination.level + 1]


def has_passed(nomination: Nomination, org: Organisation) -> bool:
    if nomination.status in PAST_REVIEW:
        return True
    return org.pk in nomination.review_chain[: nomination.level]


def list_at(campaign: Campaign, org: Organisation) -> list[Nomination]:
    """The list a reviewing union holds: every live nomination that has reached it."""
    return [n for n in _candidates(campaign, org) if has_reached(n, org)]


def sent_up_from(campaign: Campaign, org: Organisation) -> list[Nomination]:
    return [n for n in _candidates(campaign, org) if has_passed(n, org)]


def quota_of(campaign: Campaign, org: Organisation) -> int | None:
    """How many `org` may send up: its allocation, the campaign total for the organiser."""
    if org.pk == campaign.organiser_id:
        return campaign.total_quota
    allocation = QuotaAllocation.objects.filter(campaign=campaign, organisation=org).first()
    return allocation.quota if allocation else None


def figures_at(campaign: Campaign, org: Organisation) -> list[RuleFigure]:
    return evaluate(campaign.rules.all(), list_at(campaign, org), quota_of(campaign, org))


def is_justified(campaign: Campaign, org: Organisation, figures: list[RuleFigure]) -> bool:
    """A written justification covers every rule the list breaks now."""
    needed = {f.rule.pk for f in broken(figures)}
    if not needed:
        return True
    for justification in Justification.objects.filter(campaign=campaign, organisation=org):
        if needed <= set(justification.broken_rules):
            return True
    return False


@dataclass(frozen=True)
class LevelPanel:
    """What the compliance panel shows for one reviewing union."""

    organisation: Organisation
    size: int
    sent_up: int
    quota: int | None
    figures: list[RuleFigure]
    is_justified: bool

    @property
    def is_compliant(self) -> bool:
        return all(f.is_met for f in self.figures)


def panel(campaign: Campaign, org: Organisation) -> LevelPanel:
    nominations = _candidates(campaign, org)
    reached = [n for n in nominations if has_reached(n, org)]
    quota = quota_of(campaign, org)
    figures = evaluate(campaign.rules.all(), reached, quota)
    return LevelPanel(
        organisation=org,
        size=len(reached),
        sent_up=sum(1 for n in nominations if has_passed(n, org)),
        quota=quota,
        figures=figures,
        is_justified=is_justified(campaign, org, figures),
    )


def sanatorium_priority(honourees: Any, before: date) -> list[Honouree]:
    """Who should go first to a session starting on `before`: active front-line honourees,
    then those not sent for longest (stays in sessions starting later do not count)."""
    candidates = (
        honourees.filter(status=HonoureeStatus.ACTIVE)
        .annotate(
            last_stay=Max(
                "bookings__session__starts_on",
                filter=Q(bookings__session__starts_on__lt=before),
            )
        )
        .select_related("kind", "organisation")
    )
    never = date.min
    return sorted(
        candidates,
        key=lambda h: (not h.is_frontline, getattr(h, "last_stay", None) or never, h.name),
    )
