"""Which accounts a security administrator may manage: those of their subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.orgs.permissions import deny, scope

SECURITY = frozenset({Role.SECURITY})


def administered_users(user: Any) -> QuerySet[User]:
    """Accounts whose organisation lies in the user's security-administrator subtree."""
    return User.objects.filter(scope(user, SECURITY).q("organisation__"))


def get_account_for_user(user: Any, pk: int) -> User:
    account = administered_users(user).select_related("organisation").filter(pk=pk).first()
    if account is None:
        deny(
            user,
            action="administer",
            object_type="accounts.user",
            object_id=str(pk),
            not_found=True,
        )
    return account


def get_assignment_for_user(user: Any, pk: int) -> RoleAssignment:
    reach = scope(user, SECURITY)
    assignment = (
        RoleAssignment.objects.filter(reach.q("organisation__"), pk=pk)
        .select_related("user", "organisation")
        .first()
    )
    if assignment is None:
        deny(
            user,
            action="administer",
            object_type="accounts.roleassignment",
            object_id=str(pk),
            not_found=True,
        )
    return assignment
