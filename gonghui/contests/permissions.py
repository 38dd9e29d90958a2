"""Who sees and runs which contests: a contest lies in its organising union's subtree.

Officers of the organiser or of a union above it run the contest (scheme, registration,
judges, marks, sign-off); viewers there read it; everyone else gets the same 404 as for a
contest that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gonghui.accounts.models import BUSINESS_ROLES, User
from gonghui.contests.models import Contest, ContestQuerySet, Skill
from gonghui.core.access import deny, first_or_404
from gonghui.orgs.models import Organisation, OrganisationQuerySet
from gonghui.orgs.permissions import can, get_org_for_user, orgs_for_action, scope, visible_orgs
from gonghui.people.actions import MEMBER_UNION_TYPES

# What each action on a contest requires, in terms of the organisation tree's actions.
CONTEST_ACTIONS = {"view": "view", "export": "export", "manage": "edit", "sign_off": "edit"}
# What a chief judge's own account may do on their skill (besides viewing it).
CHIEF_ACTIONS = frozenset({"view", "sign_off"})


def visible_contests(user: User) -> ContestQuerySet:
    """Contests organised by a union in the user's subtree."""
    return Contest.objects.filter(scope(user, BUSINESS_ROLES).q("organiser__"))


def can_manage(user: User, contest: Contest) -> bool:
    return can(user, contest.organiser, "edit")


def organisers_for(user: User) -> OrganisationQuerySet:
    """The unions under which this user may organise a new contest."""
    return orgs_for_action(user, CONTEST_ACTIONS["manage"])


def get_organisers_for_user(user: User, action: str = "manage") -> OrganisationQuerySet:
    """The unions under which this user may organise a new contest; 403 when there are none."""
    organisers = organisers_for(user)
    if not organisers.exists():
        deny(user, action=action, object_type="contests.contest", object_id="", not_found=False)
    return organisers


def get_organiser_for_user(user: User, code: str) -> Organisation:
    """One union, by code, under which the user may organise a contest (404 when the user
    cannot see it, 403 when they may not organise under it)."""
    return get_org_for_user(user, code, action=CONTEST_ACTIONS["manage"])


def entrant_unions(user: User) -> OrganisationQuerySet:
    """The grassroots unions in the user's scope that a competitor or judge may belong to."""
    return visible_orgs(user).filter(type__in=MEMBER_UNION_TYPES)


def get_contest_for_user(user: User, code: str, action: str = "view") -> Contest:
    """The contest if visible (else 404) and `action` allowed on it (else 403)."""
    contest = first_or_404(
        visible_contests(user).select_related("organiser").filter(code=code),
        user,
        action=action,
        object_id=code,
    )
    if not can(user, contest.organiser, CONTEST_ACTIONS[action]):
        deny(user, action=action, object_type="contests.contest", object_id=code, not_found=False)
    return contest


def judged_skills(user: User) -> QuerySet[Skill]:
    """Skills on which the user's account is linked to a judge (whatever their roles)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Skill.objects.none()
    return Skill.objects.filter(judges__user=user)


def is_chief_judge(user: User, skill: Skill) -> bool:
    return (
        bool(getattr(user, "pk", None)) and skill.judges.filter(is_chief=True, user=user).exists()
    )


def linkable_account(user: User, username: str) -> User | None:
    """An active account of a union in the user's scope, to be linked to a judge."""
    return User.objects.filter(
        username=username.strip(), organisation__in=visible_orgs(user), is_active=True
    ).first()


def get_skill_for_user(user: User, pk: int, action: str = "view") -> Skill:
    """A skill of a visible contest, or one the user judges (else 404), with `action` allowed
    (else 403). The chief judge's own account may view the skill and sign it off or reopen
    it, even without a role on the organising union."""
    skills = Skill.objects.select_related("contest__organiser", "signed_off_by").filter(pk=pk)
    skill = first_or_404(
        skills.filter(
            Q(contest__in=visible_contests(user)) | Q(pk__in=judged_skills(user).values("pk"))
        ),
        user,
        action=action,
        object_id=pk,
    )
    if can(user, skill.contest.organiser, CONTEST_ACTIONS[action]):
        return skill
    if action in CHIEF_ACTIONS and is_chief_judge(user, skill):
        return skill
    if action == "view" and judged_skills(user).filter(pk=pk).exists():
        return skill
    deny(user, action=action, object_type="contests.skill", object_id=str(pk), not_found=False)
