"""Which accounts a security administrator may manage: those of their subtree."""

from __future__ import annotations

from django.db.models import QuerySet

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.access import first_or_404
from gonghui.orgs.permissions import scope

SECURITY = frozenset({Role.SECURITY})


def administers_accounts(user: User) -> bool:
    """Whether the user is a security administrator anywhere."""
    return not scope(user, SECURITY).is_empty


def administered_users(user: User) -> QuerySet[User]:
    """Accounts whose organisation lies in the user's security-administrator subtree."""
    return User.objects.filter(scope(user, SECURITY).q("organisation__"))


def accounts_without_role(user: User) -> QuerySet[User]:
    """Active accounts of the subtree that hold no role yet, the administrator's own aside."""
    return (
        administered_users(user)
        .filter(is_active=True, assignments__isnull=True)
        .exclude(pk=user.pk)
    )


def get_account_for_user(user: User, pk: int) -> User:
    accounts = administered_users(user).select_related("organisation").filter(pk=pk)
    return first_or_404(accounts, user, action="administer", object_id=pk)


def get_assignment_for_user(user: User, pk: int) -> RoleAssignment:
    assignments = RoleAssignment.objects.filter(scope(user, SECURITY).q("organisation__"), pk=pk)
    return first_or_404(
        assignments.select_related("user", "organisation"), user, action="administer", object_id=pk
    )
