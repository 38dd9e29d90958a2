"""The organisation tree's part of the workbench: organisations by type and employer units."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import BUSINESS_ROLES, User
from gonghui.core.workbench import Figure
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType, subtree_q
from gonghui.orgs.permissions import scope


def reach_q(user: User, organisation: Organisation | None, prefix: str = "") -> Q:
    """Rows of the user's scope, or of the organisation's subtree (already checked visible)."""
    if organisation is not None:
        return subtree_q(organisation.path, prefix)
    return scope(user, BUSINESS_ROLES).q(prefix)


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    where = reach_q(user, organisation)
    by_type = dict(
        Organisation.objects.filter(where)
        .values_list("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
    )
    listing = reverse("orgs:list")
    label = _("Organisations in your scope") if organisation is None else _("Organisations")
    yield Figure(label, sum(by_type.values()), listing)
    for org_type in OrgType:
        if by_type.get(org_type.value):
            yield Figure(
                org_type.label, by_type[org_type.value], f"{listing}?type={org_type.value}"
            )
    units = EmployerUnit.objects.filter(reach_q(user, organisation, "organisation__")).count()
    yield Figure(_("Employer units"), units, reverse("orgs:unit_list"))
