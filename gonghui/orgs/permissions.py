"""Who may act on which organisations, in which role: every scoped read stands on this.

A role assignment on an organisation covers its whole subtree. The scope is recomputed
from the database on every request, so a revocation or a subtree move takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from gonghui.accounts.models import BUSINESS_ROLES, Role, RoleAssignment, User
from gonghui.core.access import deny, first_or_404
from gonghui.orgs.models import (
    EmployerUnit,
    EmployerUnitQuerySet,
    Organisation,
    OrganisationQuerySet,
    subtree_q,
)

# What each action on an organisation requires.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": BUSINESS_ROLES,
    "export": BUSINESS_ROLES,
    "edit": frozenset({Role.OFFICER}),
    "create_child": frozenset({Role.OFFICER}),
    "move": frozenset({Role.OFFICER}),
    "import": frozenset({Role.OFFICER}),
    "audit": frozenset({Role.AUDITOR}),
    "administer": frozenset({Role.SECURITY}),
    "reveal": frozenset({Role.REVEAL}),
}


@dataclass(frozen=True)
class Scope:
    """The top-most organisations a user reaches in some roles; their subtrees are the scope."""

    paths: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.paths

    def q(self, prefix: str = "") -> Q:
        if not self.paths:
            return Q(pk__in=[])
        condition = Q()
        for path in self.paths:
            condition |= subtree_q(path, prefix)
        return condition

    def contains(self, org: Organisation) -> bool:
        return any(org.path.startswith(path) for path in self.paths)


def assignments(user: User) -> list[RoleAssignment]:
    """The user's role assignments, read once per request (the user object is per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[RoleAssignment] | None = getattr(user, "_gonghui_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("organisation"))
        user._gonghui_assignments = cached
    return cached


def forget_assignments(user: User) -> None:
    if hasattr(user, "_gonghui_assignments"):
        del user._gonghui_assignments


def scope(user: User, roles: frozenset[str]) -> Scope:
    paths = sorted({a.organisation.path for a in assignments(user) if a.role in roles})
    top: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not any(path.startswith(t) for t in top):
            top.append(path)
    return Scope(tuple(top))


def roles_on(user: User, org: Organisation) -> set[str]:
    """The roles the user holds on this organisation, directly or through an ancestor."""
    return {a.role for a in assignments(user) if org.path.startswith(a.organisation.path)}


def can(user: User, org: Organisation, action: str) -> bool:
    return bool(roles_on(user, org) & ACTION_ROLES[action])


def top_organisations(user: User, roles: frozenset[str] = BUSINESS_ROLES) -> list[Organisation]:
    tops = scope(user, roles).paths
    orgs = {a.organisation.path: a.organisation for a in assignments(user)}
    return [orgs[p] for p in tops]


def visible_orgs(user: User) -> OrganisationQuerySet:
    """Organisations the user may read: the subtrees of their officer and viewer roles."""
    return Organisation.objects.filter(scope(user, BUSINESS_ROLES).q())


def orgs_for_action(user: User, action: str) -> OrganisationQuerySet:
    return Organisation.objects.filter(scope(user, ACTION_ROLES[action]).q())


def visible_units(user: User) -> EmployerUnitQuerySet:
    return EmployerUnit.objects.filter(scope(user, BUSINESS_ROLES).q("organisation__"))


def get_org_for_user(user: User, code: str, action: str = "view") -> Organisation:
    """The organisation if the user may see it (else 404) and do `action` on it (else 403)."""
    reach = BUSINESS_ROLES | ACTION_ROLES[action]
    org = Organisation.objects.filter(scope(user, reach).q(), code=code).first()
    if org is None:
        deny(user, action=action, object_type="orgs.organisation", object_id=code, not_found=True)
    if not can(user, org, action):
        deny(user, action=action, object_type="orgs.organisation", object_id=code, not_found=False)
    return org


def get_unit_for_user(user: User, pk: int, action: str = "view") -> EmployerUnit:
    unit = first_or_404(
        visible_units(user).select_related("organisation").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if not can(user, unit.organisation, action):
        deny(
            user, action=action, object_type="orgs.employerunit", object_id=str(pk), not_found=False
        )
    return unit


def get_unit_by_credit_code_for_user(user: User, credit_code: str) -> EmployerUnit | None:
    """The employer unit with this credit code among those the user may see, else None: a
    unit outside the scope is answered as one that does not exist."""
    code = credit_code.strip().upper()
    if not code:
        return None
    return visible_units(user).filter(credit_code=code).first()


def get_org_to_move_for_user(user: User, code: str) -> Organisation:
    """An organisation the user may move (else 404 or 403): moving takes the subtree out of its
    parent, so only an officer of the parent may do it, and the root never moves."""
    org = get_org_for_user(user, code, action="move")
    if org.parent is None or not can(user, org.parent, "edit"):
        deny(user, action="move", object_type="orgs.organisation", object_id=code, not_found=False)
    return org
