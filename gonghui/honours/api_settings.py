"""The honours API's settings: removing a proportion rule, quotas by member counts, the
holiday calendar and the monthly allowance rates.

The calendar and the rates are read by every signed-in user and kept by the regional
federation's officers, as on the settings and benefits pages. (Changing a campaign and adding an honour kind live in
`api.py`, beside the reads on the same paths: django-ninja routes a path from one router.)
"""

from typing import Any

from django.utils import timezone
from ninja import Router

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, answers
from gonghui.core.bounds import Day, Year
from gonghui.honours import actions
from gonghui.honours.models import AllowanceRate, CalendarDay, HonourLevel
from gonghui.honours.permissions import (
    get_campaign_for_user,
    get_kept_federation_for_user,
    get_rule_for_user,
)
from gonghui.honours.schemas import (
    ByMembersIn,
    CalendarDayIn,
    CalendarDayOut,
    QuotaOut,
    RateIn,
    RateOut,
)
from gonghui.orgs.permissions import get_org_for_user

router = Router(tags=["honours"])


@router.delete(
    "/honours/campaigns/{campaign_id}/rules/{rule_id}",
    response=answers({204: None}, 400, 403, 404),
    summary="Remove a proportion rule",
)
def remove_rule(request: AuthedRequest, campaign_id: Id, rule_id: Id) -> Any:
    rule = get_rule_for_user(request.user, campaign_id, rule_id)
    actions.remove_rule(by=request.user, rule=rule)
    return 204, None


@router.get(
    "/honours/calendar",
    response=answers({200: list[CalendarDayOut]}),
    summary="Public holidays and weekends made working days, for one year",
)
def list_calendar(request: AuthedRequest, year: Year | None = None) -> Any:
    return CalendarDay.objects.filter(date__year=year or timezone.localdate().year)


@router.put(
    "/honours/calendar/{day}",
    response=answers({200: CalendarDayOut}, 400, 403),
    summary="Record a public holiday, or a weekend made a working day (调休)",
)
def set_calendar_day(request: AuthedRequest, day: Day, payload: CalendarDayIn) -> Any:
    federation = get_kept_federation_for_user(request.user, object_type="honours.calendarday")
    return actions.set_calendar_day(
        by=request.user,
        federation=federation,
        day=day,
        is_workday=payload.is_workday,
        name=payload.name,
    )


@router.delete(
    "/honours/calendar/{day}",
    response=answers({204: None}, 400, 403),
    summary="Make a day ordinary again (Monday to Friday work, weekends rest)",
)
def remove_calendar_day(request: AuthedRequest, day: Day) -> Any:
    federation = get_kept_federation_for_user(request.user, object_type="honours.calendarday")
    actions.remove_calendar_day(by=request.user, federation=federation, day=day)
    return 204, None


@router.post(
    "/honours/campaigns/{campaign_id}/quotas/by-members",
    response=answers({200: list[QuotaOut]}, 400, 403, 404),
    summary="Share an organisation's quota among those beneath it by their member counts",
)
def allocate_by_members(request: AuthedRequest, campaign_id: Id, payload: ByMembersIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id)
    parent = get_org_for_user(request.user, payload.parent_code, action="edit")
    return actions.allocate_by_members(by=request.user, campaign=campaign, parent=parent)


@router.get(
    "/honours/allowance-rates",
    response=answers({200: list[RateOut]}),
    summary="The monthly honour allowance for each honour level",
)
def list_rates(request: AuthedRequest) -> Any:
    return AllowanceRate.objects.all()


@router.put(
    "/honours/allowance-rates/{level}",
    response=answers({200: RateOut}, 400, 403),
    summary="Set the monthly honour allowance for a level",
)
def set_rate(request: AuthedRequest, level: HonourLevel, payload: RateIn) -> Any:
    federation = get_kept_federation_for_user(request.user, object_type="honours.allowancerate")
    return actions.set_allowance_rate(
        by=request.user, organisation=federation, level=level, amount=payload.monthly_amount
    )
