"""Campaigns, their proportion rules, and quotas handed down the tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.bounds import YEAR
from gonghui.honours import lists
from gonghui.honours.actions.common import require as _require
from gonghui.honours.actions.common import require_organiser as _require_organiser
from gonghui.honours.bounds import ALLOCATED_QUOTA, NOTICE_DAYS, PASS_PART, PERCENT, TOTAL_QUOTA
from gonghui.honours.models import (
    PAST_REVIEW,
    QUOTA,
    CalendarDay,
    Campaign,
    Condition,
    Direction,
    HonourKind,
    HonourLevel,
    Nomination,
    NominationStatus,
    ProportionRule,
    QuotaAllocation,
)
from gonghui.honours.permissions import is_officer_of
from gonghui.orgs.models import Organisation, OrgType
from gonghui.people.models import Membership


@dataclass(frozen=True)
class CampaignSettings:
    kind: HonourKind
    year: int
    name: str
    total_quota: int
    review_levels: tuple[str, ...] = (OrgType.COUNTY, OrgType.PREFECTURE, OrgType.FEDERATION)
    notice_days: int = 5
    pass_numerator: int = 2
    pass_denominator: int = 3
    clearance_types: tuple[str, ...] = ("市场监管", "税务", "人社", "安监", "环保")
    # the organising office, as the printed notice gives it to the public
    notice_contact_phone: str = ""
    notice_contact_address: str = ""


def _check_settings(settings: CampaignSettings) -> None:
    errors: dict[str, str] = {}
    if not YEAR.holds(settings.year):
        errors["year"] = _("Write the year as four digits, e.g. 2015.")
    if not TOTAL_QUOTA.holds(settings.total_quota):
        errors["total_quota"] = _("The quota must be at least 1.")
    if not NOTICE_DAYS.holds(settings.notice_days):
        errors["notice_days"] = _("The notice lasts 1 to 60 working days.")
    if not (
        PASS_PART.holds(settings.pass_numerator)
        and PASS_PART.holds(settings.pass_denominator)
        and settings.pass_numerator <= settings.pass_denominator
    ):
        errors["pass_numerator"] = _("The pass threshold must be a fraction between 0 and 1.")
    unknown = [level for level in settings.review_levels if level not in OrgType.values]
    if unknown:
        errors["review_levels"] = _("Unknown organisation type: %(types)s.") % {
            "types": ", ".join(unknown)
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_campaign(*, by: User, organiser: Organisation, settings: CampaignSettings) -> Campaign:
    """Open a campaign organised by `organiser`; its figures are the campaign's own data.

    Only the organiser's own officers open (and later run) its campaigns.
    """
    if not is_officer_of(by, organiser):
        raise PermissionDenied(
            _("Only officers of %(org)s may open its campaigns.") % {"org": organiser.name}
        )
    _check_settings(settings)
    campaign = Campaign.objects.create(
        kind=settings.kind,
        year=settings.year,
        name=settings.name.strip(),
        organiser=organiser,
        total_quota=settings.total_quota,
        review_levels=list(settings.review_levels),
        notice_days=settings.notice_days,
        pass_numerator=settings.pass_numerator,
        pass_denominator=settings.pass_denominator,
        clearance_types=[c.strip() for c in settings.clearance_types if c.strip()],
        notice_contact_phone=settings.notice_contact_phone.strip()[:32],
        notice_contact_address=settings.notice_contact_address.strip()[:128],
    )
    audit.record(
        action="campaign.create",
        by=by,
        obj=campaign,
        changes=audit.diff({}, campaign.snapshot()),
    )
    return campaign


@transaction.atomic
def update_campaign(*, by: User, campaign: Campaign, settings: CampaignSettings) -> Campaign:
    """Change a campaign's figures while they still can change.

    The review levels are fixed once a nomination is under review, the notice period once the
    notice is published, the pass threshold once a vote is counted; the quota never drops
    below what is already passed down or shortlisted. The honour, year and organiser stay.
    """
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_organiser(by, locked)
    _check_settings(settings)
    nominations = Nomination.objects.in_campaign(locked)
    errors: dict[str, str] = {}
    if (
        list(settings.review_levels) != list(locked.review_levels)
        and nominations.exclude(
            status__in=[NominationStatus.DRAFT, NominationStatus.WITHDRAWN]
        ).exists()
    ):
        errors["review_levels"] = _("Nominations are already under review: the levels stay.")
    if settings.notice_days != locked.notice_days and locked.notice_starts is not None:
        errors["notice_days"] = _("The notice is already published: its period stays.")
    threshold_changed = (settings.pass_numerator, settings.pass_denominator) != (
        locked.pass_numerator,
        locked.pass_denominator,
    )
    if (
        threshold_changed
        and nominations.filter(
            status__in=[NominationStatus.APPROVED, NominationStatus.NOT_APPROVED]
        ).exists()
    ):
        errors["pass_numerator"] = _("Votes are already counted: the threshold stays.")
    passed_down = sum(
        QuotaAllocation.objects.filter(
            campaign=locked, organisation__parent=locked.organiser
        ).values_list("quota", flat=True)
    )
    shortlisted = nominations.filter(status__in=PAST_REVIEW).count()
    if settings.total_quota < max(passed_down, shortlisted):
        errors["total_quota"] = _(
            "The quota cannot be less than %(n)s: that many places are already passed down or "
            "shortlisted."
        ) % {"n": max(passed_down, shortlisted)}
    if errors:
        raise ValidationError(errors)
    before = locked.snapshot()
    locked.name = settings.name.strip()
    locked.total_quota = settings.total_quota
    locked.review_levels = list(settings.review_levels)
    locked.notice_days = settings.notice_days
    locked.pass_numerator = settings.pass_numerator
    locked.pass_denominator = settings.pass_denominator
    locked.clearance_types = [c.strip() for c in settings.clearance_types if c.strip()]
    locked.notice_contact_phone = settings.notice_contact_phone.strip()[:32]
    locked.notice_contact_address = settings.notice_contact_address.strip()[:128]
    locked.save(
        update_fields=[
            "name",
            "total_quota",
            "review_levels",
            "notice_days",
            "pass_numerator",
            "pass_denominator",
            "clearance_types",
            "notice_contact_phone",
            "notice_contact_address",
        ]
    )
    audit.record(
        action="campaign.update", by=by, obj=locked, changes=audit.diff(before, locked.snapshot())
    )
    return locked


@transaction.atomic
def add_rule(
    *,
    by: User,
    campaign: Campaign,
    subset: str,
    condition: str,
    direction: str,
    percent: Decimal,
) -> ProportionRule:
    """Add a proportion rule to a campaign: a share of a group of nominees, or of the quota."""
    _require_organiser(by, campaign)
    if (subset != QUOTA and subset not in Condition.values) or condition not in Condition.values:
        raise ValidationError(_("Unknown condition."))
    if direction not in Direction.values:
        raise ValidationError(_("Unknown direction."))
    if not PERCENT.holds(percent):
        raise ValidationError({"percent": _("A percentage is between 0 and 100.")})
    rule = ProportionRule.objects.create(
        campaign=campaign, subset=subset, condition=condition, direction=direction, percent=percent
    )
    audit.record(action="campaign.rule_add", by=by, obj=rule, extra={"rule": str(rule)})
    return rule


@transaction.atomic
def remove_rule(*, by: User, rule: ProportionRule) -> None:
    _require_organiser(by, rule.campaign)
    audit.record(action="campaign.rule_remove", by=by, obj=rule, extra={"rule": str(rule)})
    rule.delete()


def _budget_holder(campaign: Campaign, org: Organisation) -> Organisation:
    """The organisation whose quota `org`'s allocation comes out of: its parent."""
    parent = org.parent
    if (
        parent is None
        or not org.path.startswith(campaign.organiser.path)
        or org == campaign.organiser
    ):
        raise ValidationError(
            _("Quotas go to organisations under %(org)s.") % {"org": campaign.organiser.name}
        )
    return parent


def _check_allocation(campaign: Campaign, org: Organisation, quota: int) -> None:
    parent = _budget_holder(campaign, org)
    budget = lists.quota_of(campaign, parent)
    if budget is None:
        raise ValidationError(
            _("Give %(parent)s a quota first: %(org)s's quota comes out of it.")
            % {"parent": parent.name, "org": org.name}
        )
    siblings = (
        QuotaAllocation.objects.filter(campaign=campaign, organisation__parent=parent)
        .exclude(organisation=org)
        .values_list("quota", flat=True)
    )
    if sum(siblings) + quota > budget:
        raise ValidationError(
            _(
                "%(parent)s has a quota of %(budget)s; %(given)s is already given to others, "
                "so %(org)s can have at most %(left)s."
            )
            % {
                "parent": parent.name,
                "budget": budget,
                "given": sum(siblings),
                "org": org.name,
                "left": budget - sum(siblings),
            }
        )
    below = sum(
        QuotaAllocation.objects.filter(campaign=campaign, organisation__parent=org).values_list(
            "quota", flat=True
        )
    )
    if below > quota:
        raise ValidationError(
            _("%(org)s has already passed %(below)s places on to the unions below it.")
            % {"org": org.name, "below": below}
        )


@transaction.atomic
def allocate_quota(
    *,
    by: User,
    campaign: Campaign,
    organisation: Organisation,
    quota: int,
    by_formula: bool = False,
) -> QuotaAllocation:
    """Give a sub-organisation its quota, out of its parent's; never more than the parent has."""
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one allocator at a time
    parent = _budget_holder(campaign, organisation)
    _require(by, parent)
    ALLOCATED_QUOTA.check(quota, field="quota")
    _check_allocation(campaign, organisation, quota)
    allocation, created = QuotaAllocation.objects.get_or_create(
        campaign=campaign, organisation=organisation, defaults={"quota": quota}
    )
    before = None if created else allocation.quota
    if not created:
        allocation.quota = quota
        allocation.by_formula = by_formula
        allocation.save(update_fields=["quota", "by_formula"])
    elif by_formula:
        allocation.by_formula = True
        allocation.save(update_fields=["by_formula"])
    audit.record(
        action="campaign.quota",
        by=by,
        obj=allocation,
        changes={"quota": (before, quota)},
        extra={"campaign": campaign.pk, "by_formula": by_formula},
    )
    return allocation


def member_counts(children: list[Organisation]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for child in children:
        counts[child.pk] = (
            Membership.objects.current().filter(union__path__startswith=child.path).count()
        )
    return counts


def share_by_members(total: int, counts: Mapping[int, int]) -> dict[int, int]:
    """Split `total` in proportion to `counts` by largest remainders (ties: the bigger union)."""
    members = sum(counts.values())
    if not members:
        return dict.fromkeys(counts, 0)
    exact = {pk: Decimal(total * n) / members for pk, n in counts.items()}
    shares = {pk: int(value) for pk, value in exact.items()}
    left = total - sum(shares.values())
    order = sorted(counts, key=lambda pk: (exact[pk] - shares[pk], counts[pk], -pk), reverse=True)
    for pk in order[:left]:
        shares[pk] += 1
    return shares


@transaction.atomic
def allocate_by_members(
    *, by: User, campaign: Campaign, parent: Organisation
) -> list[QuotaAllocation]:
    """Share `parent`'s quota among its children in proportion to their current members."""
    _require(by, parent)
    budget = lists.quota_of(campaign, parent)
    if budget is None:
        raise ValidationError(_("%(org)s has no quota to share.") % {"org": parent.name})
    children = list(Organisation.objects.filter(parent=parent))
    if not children:
        raise ValidationError(_("%(org)s has no organisations beneath it.") % {"org": parent.name})
    shares = share_by_members(budget, member_counts(children))
    # clear first, so that the new shares are checked against an empty budget
    QuotaAllocation.objects.filter(campaign=campaign, organisation__in=children).update(quota=0)
    return [
        allocate_quota(
            by=by, campaign=campaign, organisation=child, quota=shares[child.pk], by_formula=True
        )
        for child in children
    ]


def _require_federation(by: User, organisation: Organisation) -> None:
    """Honour kinds and the holiday calendar are the regional federation's to keep."""
    if organisation.parent_id is not None:
        raise PermissionDenied(_("Only the regional federation keeps this list."))
    _require(by, organisation)


@transaction.atomic
def create_honour_kind(
    *, by: User, federation: Organisation, name: str, level: str, is_collective: bool
) -> HonourKind:
    """Add an honour (劳动模范, 五一劳动奖章 …) that campaigns can award."""
    _require_federation(by, federation)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the honour.")})
    if level not in HonourLevel.values:
        raise ValidationError({"level": _("Unknown level.")})
    if HonourKind.objects.filter(name=name).exists():
        raise ValidationError({"name": _("This honour already exists.")})
    kind = HonourKind.objects.create(name=name[:64], level=level, is_collective=is_collective)
    audit.record(
        action="honour.kind",
        by=by,
        organisation=federation,
        obj=kind,
        extra={"level": level, "collective": is_collective},
    )
    return kind


@transaction.atomic
def set_calendar_day(
    *, by: User, federation: Organisation, day: date, is_workday: bool, name: str
) -> CalendarDay:
    """Record a public holiday, or a weekend made a working day (调休)."""
    _require_federation(by, federation)
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name.strip()[:64]}
    )
    audit.record(
        action="calendar.day",
        by=by,
        organisation=federation,
        obj=entry,
        extra={"date": day, "workday": is_workday, "name": entry.name},
    )
    return entry


@transaction.atomic
def remove_calendar_day(*, by: User, federation: Organisation, day: date) -> None:
    _require_federation(by, federation)
    entry = CalendarDay.objects.filter(date=day).first()
    if entry is not None:
        audit.record(action="calendar.remove", by=by, organisation=federation, obj=entry)
        entry.delete()
