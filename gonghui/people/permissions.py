"""Which people and memberships a user may see: those of unions in their subtree.

A person is visible through any membership (current or past) in a visible union, so after a
transfer both the old union and the new one see the person and the whole history.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gonghui.accounts.models import BUSINESS_ROLES, User
from gonghui.accounts.types import Actor
from gonghui.core.access import deny, first_or_404
from gonghui.orgs.models import Organisation, OrganisationQuerySet
from gonghui.orgs.permissions import Scope, can, orgs_for_action, scope
from gonghui.people.models import (
    ImportBatch,
    Membership,
    MembershipQuerySet,
    Person,
    PersonQuerySet,
)


def seen_scope(user: Actor) -> Scope | None:
    """The subtrees whose people `user` may read about; None for the system (every one)."""
    return None if user is None else scope(user, BUSINESS_ROLES)


def sees_union(user: Actor, union: Organisation) -> bool:
    """Whether a person's membership of `union` may be described to `user` (by name, union…).

    Outside it a person is only "registered in a union outside your scope".
    """
    seen = seen_scope(user)
    return seen is None or seen.contains(union)


def visible_memberships(user: User) -> MembershipQuerySet:
    return Membership.objects.filter(scope(user, BUSINESS_ROLES).q("union__"))


def visible_people(user: User) -> PersonQuerySet:
    return Person.objects.filter(pk__in=visible_memberships(user).values("person"))


def get_person_for_user(user: User, pk: int, action: str = "view") -> Person:
    """The person if visible (else 404), and `action` allowed on one of their unions (else 403)."""
    person = first_or_404(
        visible_people(user).select_related("unit").filter(pk=pk), user, action=action, object_id=pk
    )
    if action != "view" and not any(
        can(user, m.union, action) for m in person.memberships.select_related("union")
    ):
        deny(user, action=action, object_type="people.person", object_id=str(pk), not_found=False)
    return person


def get_membership_for_user(user: User, pk: int, action: str = "view") -> Membership:
    membership = first_or_404(
        visible_memberships(user).select_related("person", "union").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if not can(user, membership.union, action):
        deny(
            user, action=action, object_type="people.membership", object_id=str(pk), not_found=False
        )
    return membership


def can_reveal(user: User, person: Person) -> bool:
    """Reveal is allowed where the user holds the reveal role over the person's current union."""
    current = person.memberships.current().select_related("union").first()
    return current is not None and can(user, current.union, "reveal")


def get_person_to_reveal_for_user(user: User, pk: int) -> Person:
    """A visible person (else 404) whose identity number or phone the user may reveal: the
    reveal role over their current union (else 403)."""
    person = get_person_for_user(user, pk)
    if not can_reveal(user, person):
        deny(user, action="reveal", object_type="people.person", object_id=str(pk), not_found=False)
    return person


def get_registering_unions_for_user(user: User) -> OrganisationQuerySet:
    """The unions in which the user may register members; 403 when there are none."""
    unions = orgs_for_action(user, "edit")
    if not unions.exists():
        deny(user, action="edit", object_type="people.person", object_id="", not_found=False)
    return unions


def visible_batches(user: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(union__in=orgs_for_action(user, "view"))


def get_batch_for_user(user: User, pk: int, action: str = "view") -> ImportBatch:
    """A batch of a union the user sees (else 404); rolling back needs the import right (else 403)."""
    batch = first_or_404(
        visible_batches(user).select_related("union", "created_by").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if action != "view" and not orgs_for_action(user, "import").filter(pk=batch.union_id).exists():
        deny(
            user,
            action=action,
            object_type="people.importbatch",
            object_id=str(pk),
            not_found=False,
        )
    return batch
