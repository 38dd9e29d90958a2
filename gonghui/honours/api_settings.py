"""The honours API's settings: removing a proportion rule, and the holiday calendar.

The calendar is read by every signed-in user and kept by the regional federation's
officers, as on the settings page. (Changing a campaign and adding an honour kind live in
`api.py`, beside the reads on the same paths: django-ninja routes a path from one router.)
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from gonghui.honours import actions
from gonghui.honours.models import CalendarDay, ProportionRule
from gonghui.honours.permissions import get_campaign_for_user, kept_federation
from gonghui.honours.schemas import CalendarDayIn, CalendarDayOut
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import deny

router = Router(tags=["honours"])


def _federation(request: HttpRequest, object_type: str) -> Organisation:
    federation = kept_federation(request.user)
    if federation is None:
        deny(request.user, action="edit", object_type=object_type, object_id="", not_found=False)
    return federation


@router.delete(
    "/honours/campaigns/{campaign_id}/rules/{rule_id}",
    response={204: None},
    summary="Remove a proportion rule",
)
def remove_rule(request: HttpRequest, campaign_id: int, rule_id: int) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    rule = ProportionRule.objects.filter(campaign=campaign, pk=rule_id).first()
    if rule is None:
        deny(
            request.user,
            action="manage",
            object_type="honours.proportionrule",
            object_id=str(rule_id),
            not_found=True,
        )
    actions.remove_rule(by=request.user, rule=rule)
    return 204, None


@router.get(
    "/honours/calendar",
    response=list[CalendarDayOut],
    summary="Public holidays and weekends made working days, for one year",
)
def list_calendar(request: HttpRequest, year: int | None = None) -> Any:
    return CalendarDay.objects.filter(date__year=year or timezone.localdate().year)


@router.put(
    "/honours/calendar/{day}",
    response=CalendarDayOut,
    summary="Record a public holiday, or a weekend made a working day (调休)",
)
def set_calendar_day(request: HttpRequest, day: date, payload: CalendarDayIn) -> Any:
    federation = _federation(request, "honours.calendarday")
    return actions.set_calendar_day(
        by=request.user,
        federation=federation,
        day=day,
        is_workday=payload.is_workday,
        name=payload.name,
    )


@router.delete(
    "/honours/calendar/{day}",
    response={204: None},
    summary="Make a day ordinary again (Monday to Friday work, weekends rest)",
)
def remove_calendar_day(request: HttpRequest, day: date) -> Any:
    federation = _federation(request, "honours.calendarday")
    actions.remove_calendar_day(by=request.user, federation=federation, day=day)
    return 204, None
