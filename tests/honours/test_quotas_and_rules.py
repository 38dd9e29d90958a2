"""Quotas handed down the tree, proportion rules on each level's list, the notice calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.core.models import AuditEvent
from gonghui.core.workflow import TransitionRefused
from gonghui.honours import actions, lists
from gonghui.honours.calendar import notice_end
from gonghui.honours.compliance import evaluate
from gonghui.honours.models import (
    CalendarDay,
    Condition,
    Direction,
    Justification,
    NominationStatus,
    QuotaAllocation,
)
from tests.honours.conftest import member, nominate

pytestmark = pytest.mark.django_db


def test_quotas_never_exceed_the_parents(world, honours) -> None:
    campaign = honours.campaign  # total 10
    actions.allocate_quota(
        by=world.fed_officer, campaign=campaign, organisation=world.city_a, quota=6
    )
    with pytest.raises(ValidationError, match="at most 4"):
        actions.allocate_quota(
            by=world.fed_officer, campaign=campaign, organisation=world.city_b, quota=5
        )
    actions.allocate_quota(
        by=world.fed_officer, campaign=campaign, organisation=world.city_b, quota=4
    )
    # the city shares its own six further down, never more
    actions.allocate_quota(
        by=world.city_officer, campaign=campaign, organisation=world.county_a, quota=4
    )
    with pytest.raises(ValidationError, match="at most 2"):
        actions.allocate_quota(
            by=world.city_officer, campaign=campaign, organisation=world.gr_a3, quota=3
        )
    # nor can the city's own quota shrink below what it passed on
    with pytest.raises(ValidationError, match="already passed 4"):
        actions.allocate_quota(
            by=world.fed_officer, campaign=campaign, organisation=world.city_a, quota=3
        )
    assert QuotaAllocation.objects.get(campaign=campaign, organisation=world.city_a).quota == 6


def test_a_quota_comes_out_of_a_parent_that_has_one(world, honours) -> None:
    with pytest.raises(ValidationError, match="quota first"):
        actions.allocate_quota(
            by=world.city_officer, campaign=honours.campaign, organisation=world.county_a, quota=1
        )


def test_only_the_parents_officers_allocate(world, honours) -> None:
    for user in (world.outsider, world.city_viewer, world.city_officer):
        with pytest.raises(PermissionDenied):
            actions.allocate_quota(
                by=user, campaign=honours.campaign, organisation=world.city_a, quota=1
            )


def test_formula_shares_the_quota_by_members_with_largest_remainders(world, honours) -> None:
    assert actions.share_by_members(10, {1: 50, 2: 30, 3: 20}) == {1: 5, 2: 3, 3: 2}
    assert actions.share_by_members(3, {1: 10, 2: 10, 3: 10}) == {1: 1, 2: 1, 3: 1}
    assert actions.share_by_members(2, {1: 5, 2: 4, 3: 1}) == {1: 1, 2: 1, 3: 0}
    assert sum(actions.share_by_members(7, {1: 1, 2: 1, 3: 1}).values()) == 7
    for union, count in ((world.gr_a1, 3), (world.gr_b1, 1)):
        for i in range(count):
            member(union, "会员" + "甲乙丙丁"[i], enterprise=False)
    allocations = actions.allocate_by_members(
        by=world.fed_officer, campaign=honours.campaign, parent=world.region
    )
    quotas = {a.organisation.code: a.quota for a in allocations}
    assert quotas == {"CA": 8, "CB": 2}  # 10 × 3/4 = 7.5 and 2.5: the bigger union wins the tie
    assert all(a.by_formula for a in allocations)


def test_sending_up_beyond_a_quota_is_refused(world, honours) -> None:
    campaign = honours.campaign
    actions.allocate_quota(
        by=world.fed_officer, campaign=campaign, organisation=world.city_a, quota=2
    )
    actions.allocate_quota(
        by=world.city_officer, campaign=campaign, organisation=world.county_a, quota=1
    )
    first, second = (nominate(world, honours, member(world.gr_a1, n)) for n in ("甲一", "甲二"))
    for nomination in (first, second):
        actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=first)
    with pytest.raises(TransitionRefused, match="quota of 甲县总工会 is 1"):
        actions.approve_nomination(by=world.county_officer, nomination=second)


def test_the_campaign_total_bounds_the_shortlist(world, honours) -> None:
    campaign = honours.campaign
    campaign.total_quota = 1
    campaign.save(update_fields=["total_quota"])
    nominations = [
        nominate(world, honours, member(world.gr_a3, n), union=world.gr_a3)
        for n in ("乙一", "乙二")
    ]
    for nomination in nominations:
        actions.submit_nomination(by=world.city_officer, nomination=nomination)
        actions.approve_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.fed_officer, nomination=nominations[0])
    with pytest.raises(TransitionRefused, match="quota"):
        actions.approve_nomination(by=world.fed_officer, nomination=nominations[1])


def _rule(world, honours, subset, condition, direction, percent):
    return actions.add_rule(
        by=world.fed_officer,
        campaign=honours.campaign,
        subset=subset,
        condition=condition,
        direction=direction,
        percent=Decimal(percent),
    )


def test_an_at_least_rule_blocks_sending_up_until_justified(world, honours) -> None:
    _rule(world, honours, Condition.ENTERPRISE, Condition.FRONTLINE, Direction.AT_LEAST, "57")
    office = nominate(world, honours, member(world.gr_a1, "办公室主任"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=office)
    panel = lists.panel(honours.campaign, world.county_a)
    assert panel.size == 1 and not panel.is_compliant
    assert (panel.figures[0].base, panel.figures[0].matching) == (1, 0)
    with pytest.raises(TransitionRefused, match="breaks a proportion rule"):
        actions.approve_nomination(by=world.county_officer, nomination=office)
    office.refresh_from_db()
    assert office.status == NominationStatus.SUBMITTED
    with pytest.raises(ValidationError):
        actions.approve_nomination(by=world.county_officer, nomination=office, justification="短")
    actions.approve_nomination(
        by=world.county_officer,
        nomination=office,
        justification="本县一线职工推荐人选均因安全事故记录未通过，经县总工会党组研究同意。",
    )
    office.refresh_from_db()
    assert office.reviewer == world.city_a
    justification = Justification.objects.get()
    assert justification.organisation == world.county_a
    event = AuditEvent.objects.get(action="campaign.justify")
    assert "一线" in event.extra["text"] and event.actor == world.county_officer


def test_fixing_the_list_satisfies_an_at_least_rule(world, honours) -> None:
    _rule(world, honours, Condition.ENTERPRISE, Condition.FRONTLINE, Direction.AT_LEAST, "50")
    office = nominate(world, honours, member(world.gr_a1, "科长"))
    worker = nominate(world, honours, member(world.gr_a2, "钳工", is_frontline=True), world.gr_a2)
    for nomination in (office, worker):
        actions.submit_nomination(by=world.county_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=office)  # 1 of 2: 50 %
    figure = lists.panel(honours.campaign, world.county_a).figures[0]
    assert figure.percent == Decimal("50.00") and figure.is_met


def test_an_at_most_rule_counts_enterprise_heads_among_enterprise_staff(world, honours) -> None:
    _rule(world, honours, Condition.ENTERPRISE, Condition.ENTERPRISE_HEAD, Direction.AT_MOST, "20")
    head = nominate(world, honours, member(world.gr_a1, "厂长", is_enterprise_head=True))
    actions.submit_nomination(by=world.grassroots_officer, nomination=head)
    with pytest.raises(TransitionRefused, match="breaks"):
        actions.approve_nomination(by=world.county_officer, nomination=head)
    # four front-line workers join the list: one head in five is exactly 20 %
    for i in range(4):
        other = nominate(
            world, honours, member(world.gr_a1, "工人" + "甲乙丙丁"[i], is_frontline=True)
        )
        actions.submit_nomination(by=world.grassroots_officer, nomination=other)
    assert lists.panel(honours.campaign, world.county_a).is_compliant
    actions.approve_nomination(by=world.county_officer, nomination=head)


@pytest.mark.parametrize(
    ("condition", "flags", "female", "enterprise"),
    [
        (Condition.MIGRANT, {"is_migrant": True}, False, True),
        (Condition.WOMAN, {}, True, True),
        (Condition.TECHNICIAN, {"skill_level": "technician"}, False, True),
        (Condition.FRONTLINE_OR_TECHNICIAN, {"skill_level": "senior_technician"}, False, True),
        (Condition.ENTERPRISE, {}, False, True),
    ],
)
def test_each_condition_reads_the_roster(
    world, honours, condition, flags, female, enterprise
) -> None:
    meeting = nominate(world, honours, member(world.gr_a1, "甲", female=female, **flags))
    other = nominate(world, honours, member(world.gr_a1, "乙", enterprise=False))
    at_least = _rule(world, honours, Condition.ALL, condition, Direction.AT_LEAST, "50")
    at_most = _rule(world, honours, Condition.ALL, condition, Direction.AT_MOST, "49.99")
    figures = evaluate([at_least, at_most], [meeting, other])
    assert [(f.base, f.matching) for f in figures] == [(2, 1), (2, 1)]
    assert [f.is_met for f in figures] == [True, False]


def test_an_empty_subset_breaks_no_rule(world, honours) -> None:
    rule = _rule(world, honours, Condition.MIGRANT, Condition.FRONTLINE, Direction.AT_LEAST, "25")
    nomination = nominate(world, honours, member(world.gr_a1, "丙"))
    figure = evaluate([rule], [nomination])[0]
    assert figure.base == 0 and figure.percent is None and figure.is_met


def test_a_rule_outside_0_to_100_percent_is_refused(world, honours) -> None:
    with pytest.raises(ValidationError):
        _rule(world, honours, Condition.ALL, Condition.WOMAN, Direction.AT_LEAST, "120")
    with pytest.raises(PermissionDenied):
        actions.add_rule(
            by=world.city_officer,
            campaign=honours.campaign,
            subset=Condition.ALL,
            condition=Condition.WOMAN,
            direction=Direction.AT_LEAST,
            percent=Decimal(10),
        )


def test_notice_period_counts_working_days_across_a_holiday(db) -> None:
    # 2025: 1-8 October is the National Day holiday; Sunday 28 Sept and Saturday 11 Oct
    # are made working days (调休).
    for day in range(1, 9):
        CalendarDay.objects.create(date=date(2025, 10, day), is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=date(2025, 9, 28), is_workday=True, name="国庆调休")
    CalendarDay.objects.create(date=date(2025, 10, 11), is_workday=True, name="国庆调休")
    # Friday 26 Sept: 26, Sun 28, 29, 30 Sept, then Thursday 9 Oct is the fifth working day
    assert notice_end(date(2025, 9, 26), 5) == date(2025, 10, 9)
    # published during the holiday: counting starts on 9 Oct; 9, 10, Sat 11, 13, 14
    assert notice_end(date(2025, 10, 3), 5) == date(2025, 10, 14)
    # an ordinary week: Monday to Friday
    assert notice_end(date(2025, 11, 3), 5) == date(2025, 11, 7)
    # over a plain weekend
    assert notice_end(date(2025, 11, 6), 5) == date(2025, 11, 12)


def test_publishing_sets_the_notice_on_the_calendar(world, honours) -> None:
    CalendarDay.objects.create(date=date(2026, 5, 1), is_workday=False, name="劳动节")
    nomination = nominate(world, honours, member(world.gr_a3, "丁"), union=world.gr_a3)
    actions.submit_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    campaign = actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=date(2026, 4, 28)
    )
    # Tue 28, Wed 29, Thu 30 April, (1 May holiday, weekend), Mon 4, Tue 5 May
    assert campaign.notice_ends == date(2026, 5, 5)


def _settings(honours, **changes) -> actions.CampaignSettings:
    campaign = honours.campaign
    values = {
        "kind": campaign.kind,
        "year": campaign.year,
        "name": campaign.name,
        "total_quota": campaign.total_quota,
        "review_levels": tuple(campaign.review_levels),
        "notice_days": campaign.notice_days,
        "pass_numerator": campaign.pass_numerator,
        "pass_denominator": campaign.pass_denominator,
        "clearance_types": tuple(campaign.clearance_types),
    }
    return actions.CampaignSettings(**{**values, **changes})


def test_campaign_figures_change_only_while_they_still_can(world, honours) -> None:
    campaign = honours.campaign
    actions.allocate_quota(
        by=world.fed_officer, campaign=campaign, organisation=world.city_a, quota=6
    )
    with pytest.raises(ValidationError, match="less than 6"):
        actions.update_campaign(
            by=world.fed_officer, campaign=campaign, settings=_settings(honours, total_quota=5)
        )
    updated = actions.update_campaign(
        by=world.fed_officer,
        campaign=campaign,
        settings=_settings(honours, total_quota=12, notice_days=7),
    )
    assert (updated.total_quota, updated.notice_days) == (12, 7)
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    with pytest.raises(ValidationError, match="levels stay"):
        actions.update_campaign(
            by=world.fed_officer,
            campaign=campaign,
            settings=_settings(honours, review_levels=("prefecture", "federation")),
        )
    with pytest.raises(PermissionDenied):
        actions.update_campaign(
            by=world.city_officer, campaign=campaign, settings=_settings(honours)
        )
    assert AuditEvent.objects.filter(action="campaign.update").count() == 1
