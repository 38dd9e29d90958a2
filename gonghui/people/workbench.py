"""The roster's part of the workbench: members in scope and those who joined this month."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.workbench import Figure
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.workbench import reach_q
from gonghui.people.tallies import counts


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    tally = counts(reach_q(user, organisation, "union__"))
    roster = reverse("people:list")
    if organisation is not None and organisation.type == OrgType.GRASSROOTS:
        roster += f"?union={organisation.code}"
    yield Figure(_("Members"), tally.members, roster)
    yield Figure(_("Joined this month"), tally.joined_this_month, roster)
