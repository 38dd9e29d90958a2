"""Who sees and acts on which hardship files: a file lies in its grassroots union's subtree.

Officers of the union or above keep the file (draft, members, submit, close, assistance);
officers of a county-level union or above over it approve or return it; viewers there read it;
everyone else gets the same 404 as for a file that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.models import BUSINESS_ROLES, Role, User
from gonghui.accounts.types import Actor
from gonghui.core.access import deny, first_or_404
from gonghui.orgs.models import Organisation, OrganisationQuerySet, OrgType, subtree_q
from gonghui.orgs.permissions import assignments, can, orgs_for_action, scope
from gonghui.people.actions import MEMBER_UNION_TYPES, identity_digests
from gonghui.people.identity import parse_identity
from gonghui.people.models import Person
from gonghui.people.permissions import visible_people
from gonghui.services.models import HardshipFile, HardshipFileQuerySet

# Unions whose officers approve the hardship files beneath them: county level and above.
APPROVING_TYPES = frozenset({OrgType.FEDERATION, OrgType.PREFECTURE, OrgType.COUNTY})
# What each action on a file requires of the user's roles in the workflow's words.
FILE_ACTIONS = {
    "view": frozenset(),
    "keep": frozenset({"keeper"}),
    "review": frozenset({"approver"}),
    "act": frozenset({"keeper", "approver"}),
}


def visible_files(user: User) -> HardshipFileQuerySet:
    """Files kept by a union in the user's subtree (officer or viewer)."""
    return HardshipFile.objects.filter(scope(user, BUSINESS_ROLES).q("union__"))


def approvable_q(user: User) -> Q:
    """Files the user may approve: beneath a county-level (or higher) union they are officer of."""
    condition = Q(pk__in=[])
    for assignment in assignments(user):
        org = assignment.organisation
        if assignment.role == Role.OFFICER and org.type in APPROVING_TYPES:
            condition |= subtree_q(org.path, "union__") & ~Q(union=org)
    return condition


def is_approver(user: User, union: Organisation) -> bool:
    return any(
        a.role == Role.OFFICER
        and a.organisation.type in APPROVING_TYPES
        and union.path.startswith(a.organisation.path)
        and union.pk != a.organisation.pk
        for a in assignments(user)
    )


def file_roles(user: Actor, file: HardshipFile) -> frozenset[str]:
    """The workflow roles the user holds on this file now: keeper, approver."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = set()
    if can(user, file.union, "edit"):
        roles.add("keeper")
    if is_approver(user, file.union):
        roles.add("approver")
    return frozenset(roles)


def keeping_unions(user: User) -> OrganisationQuerySet:
    """The grassroots unions in which the user may open a hardship file."""
    return orgs_for_action(user, "edit").filter(type__in=MEMBER_UNION_TYPES)


def get_keeping_unions_for_user(user: User) -> OrganisationQuerySet:
    """As `keeping_unions`; 403 when there are none."""
    unions = keeping_unions(user)
    if not unions.exists():
        deny(
            user, action="keep", object_type="services.hardshipfile", object_id="", not_found=False
        )
    return unions


def get_file_for_user(user: User, pk: int, action: str = "view") -> HardshipFile:
    """A visible file (else 404) on which the user holds a role `action` needs (else 403)."""
    file = first_or_404(
        visible_files(user).select_related("person", "union").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    needed = FILE_ACTIONS[action]
    if needed and not needed & file_roles(user, file):
        deny(
            user,
            action=action,
            object_type="services.hardshipfile",
            object_id=str(pk),
            not_found=False,
        )
    return file


def filtered_files(user: User, params: Mapping[str, str]) -> HardshipFileQuerySet:
    """The visible files under the list's filters (tier, status, union subtree, name, due a
    visit)."""
    files = visible_files(user).filtered(
        tier=params.get("tier", ""),
        status=params.get("status", ""),
        q=params.get("q", ""),
        due=params.get("due", ""),
    )
    if code := params.get("union", "").strip():
        union = Organisation.objects.filter(code=code).first()
        # a union outside the scope filters to nothing, as one that does not exist
        files = files.filter(subtree_q(union.path, "union__")) if union else files.none()
    return files


def find_member(user: User, number: str) -> Person:
    """The worker by identity number, among the people of the user's scope."""
    try:
        identity = parse_identity(number)
    except ValidationError as error:
        raise ValidationError({"identity_number": error.messages}) from error
    person = (
        visible_people(user).filter(identity_hash__in=identity_digests(identity.number)).first()
    )
    if person is None:
        raise ValidationError(
            {"identity_number": _("No member with this identity number within your scope.")}
        )
    return person
