"""Honours' part of the workbench: nominations to review or to mend, objections to answer,
notices about to close; and the honourees of the scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gonghui.accounts.models import User
from gonghui.core.workbench import Figure, Todo
from gonghui.honours.calendar import is_working_day
from gonghui.honours.models import NominationStatus
from gonghui.honours.permissions import (
    officer_org_ids,
    visible_campaigns,
    visible_honourees,
    visible_nominations,
    visible_objections,
)
from gonghui.orgs.models import Organisation
from gonghui.orgs.workbench import reach_q

HONOURS = _("Honours")
# a notice closing within this many working days is flagged on its organiser's workbench
NOTICE_WARNING_DAYS = 3


def working_days_ahead(today: date, days: int) -> date:
    day, counted = today, 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


def todos(user: User) -> Iterator[Todo]:
    own = officer_org_ids(user)
    if not own:
        return
    awaiting = visible_nominations(user).filter(status=NominationStatus.SUBMITTED, reviewer__in=own)
    count = awaiting.count()
    yield Todo(
        ngettext(
            "%(n)d nomination awaits your review",
            "%(n)d nominations await your review",
            count,
        )
        % {"n": count},
        count,
        reverse("honours:campaigns") + "#awaiting",
        HONOURS,
    )
    returned = (
        visible_nominations(user)
        .filter(organisation__in=own, status=NominationStatus.RETURNED)
        .values("campaign", "campaign__name")
        .annotate(n=Count("pk"))
        .order_by("campaign")
    )
    for row in returned:
        yield Todo(
            ngettext(
                "%(campaign)s: %(n)d nomination returned for changes",
                "%(campaign)s: %(n)d nominations returned for changes",
                row["n"],
            )
            % {"campaign": row["campaign__name"], "n": row["n"]},
            row["n"],
            reverse("honours:campaign", args=[row["campaign"]])
            + f"?status={NominationStatus.RETURNED}",
            HONOURS,
        )
    objections = visible_objections(user).open().filter(assigned_to__in=own)
    count = objections.count()
    yield Todo(
        ngettext("%(n)d objection to investigate", "%(n)d objections to investigate", count)
        % {"n": count},
        count,
        reverse("honours:objections"),
        HONOURS,
    )
    today = timezone.localdate()
    closing = visible_campaigns(user).filter(
        organiser__in=own,
        notice_ends__gte=today,
        notice_ends__lte=working_days_ahead(today, NOTICE_WARNING_DAYS),
    )
    for campaign in closing:
        assert campaign.notice_ends is not None  # filtered on it
        yield Todo(
            _("%(campaign)s: the public notice closes on %(day)s")
            % {"campaign": campaign.name, "day": date_format(campaign.notice_ends)},
            1,
            campaign.get_absolute_url(),
            HONOURS,
            due=campaign.notice_ends,
        )


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    honourees = (
        visible_honourees(user).active().filter(reach_q(user, organisation, "organisation__"))
    )
    yield Figure(_("Honourees"), honourees.count(), reverse("honours:register"))
