"""Who honours tells what, in the header's list: a nomination arrived for review or came back,
an objection was filed, a public notice is about to close."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.accounts.types import Actor
from gonghui.core.notifications import notify
from gonghui.honours.models import Campaign, Nomination, NominationStatus, Objection
from gonghui.honours.workbench import NOTICE_WARNING_DAYS, working_days_ahead
from gonghui.orgs.models import Organisation


def officers_of(organisation: Organisation) -> QuerySet[RoleAssignment, int]:
    """The active accounts holding the officer role on this very organisation."""
    return RoleAssignment.objects.filter(
        organisation=organisation, role=Role.OFFICER, user__is_active=True
    ).values_list("user_id", flat=True)


def nomination_moved(nomination: Nomination, *, by: Actor) -> None:
    """Tell the level that now holds the nomination: its reviewers, or (returned) the union."""
    params = {"name": nomination.display_name, "campaign": nomination.campaign.name}
    url = nomination.get_absolute_url()
    if nomination.status == NominationStatus.SUBMITTED and nomination.reviewer is not None:
        notify(
            officers_of(nomination.reviewer),
            gettext_noop("%(campaign)s: the nomination of %(name)s awaits your review"),
            params,
            url=url,
            by=by,
        )
    elif nomination.status == NominationStatus.RETURNED:
        notify(
            officers_of(nomination.organisation),
            gettext_noop("%(campaign)s: the nomination of %(name)s was returned for changes"),
            params,
            url=url,
            by=by,
        )


def objection_filed(objection: Objection) -> None:
    nomination = objection.nomination
    notify(
        officers_of(objection.assigned_to),
        gettext_noop("%(campaign)s: an objection was filed against %(name)s"),
        {"name": nomination.display_name, "campaign": nomination.campaign.name},
        url=objection.get_absolute_url(),
    )


def remind_of_closing_notices() -> None:
    """Once for each notice, when it has three working days or fewer to run (housekeeping)."""
    today = timezone.localdate()
    closing = Campaign.objects.filter(
        notice_ends__gte=today, notice_ends__lte=working_days_ahead(today, NOTICE_WARNING_DAYS)
    ).select_related("organiser")
    for campaign in closing:
        assert campaign.notice_ends is not None  # filtered on it
        notify(
            officers_of(campaign.organiser),
            gettext_noop("%(campaign)s: the public notice closes on %(day)s"),
            {"campaign": campaign.name, "day": date_format(campaign.notice_ends)},
            url=campaign.get_absolute_url(),
            once=True,
        )
