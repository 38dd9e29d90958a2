"""What every honours action shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import can


def require(user: Any, org: Organisation, action: str = "edit") -> None:
    """Refuse (403) unless the user holds a role allowing `action` on `org` or above it."""
    if not can(user, org, action):
        raise PermissionDenied(_("You may not do this for %(org)s.") % {"org": org.name})
