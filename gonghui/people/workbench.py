"""The roster's part of the workbench: members in scope and those who joined this month."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.workbench import Figure
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.workbench import reach_q
from gonghui.people.models import Membership, MembershipStatus


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    members = Membership.objects.filter(
        reach_q(user, organisation, "union__"), status=MembershipStatus.ACTIVE
    )
    roster = reverse("people:list")
    if organisation is not None and organisation.type == OrgType.GRASSROOTS:
        roster += f"?union={organisation.code}"
    first_of_month = timezone.localdate().replace(day=1)
    yield Figure(_("Members"), members.count(), roster)
    yield Figure(
        _("Joined this month"), members.filter(joined_on__gte=first_of_month).count(), roster
    )
