"""What every honours action shares."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.honours.models import Campaign
from gonghui.honours.permissions import is_officer_of
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import can


def require(user: User, org: Organisation, action: str = "edit") -> None:
    """Refuse (403) unless the user holds a role allowing `action` on `org` or above it."""
    if not can(user, org, action):
        raise PermissionDenied(_("You may not do this for %(org)s.") % {"org": org.name})


def is_organiser(user: User, campaign: Campaign) -> bool:
    return is_officer_of(user, campaign.organiser)


def require_organiser(user: User, campaign: Campaign) -> None:
    """Refuse (403) unless the user is an officer of the organising federation itself."""
    if not is_organiser(user, campaign):
        raise PermissionDenied(
            _("Only officers of %(org)s, which organises this campaign, may do this.")
            % {"org": campaign.organiser.name}
        )
