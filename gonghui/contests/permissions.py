"""Who sees and runs which contests: a contest lies in its organising union's subtree.

Officers of the organiser or of a union above it run the contest (scheme, registration,
judges, marks, sign-off); viewers there read it; everyone else gets the same 404 as for a
contest that does not exist.
"""

from __future__ import annotations

from typing import Any

from gonghui.accounts.models import BUSINESS_ROLES
from gonghui.contests.models import Contest, ContestQuerySet, Skill
from gonghui.orgs.permissions import can, deny, first_or_404, orgs_for_action, scope

# What each action on a contest requires, in terms of the organisation tree's actions.
CONTEST_ACTIONS = {"view": "view", "export": "export", "manage": "edit"}


def visible_contests(user: Any) -> ContestQuerySet:
    """Contests organised by a union in the user's subtree."""
    return Contest.objects.filter(scope(user, BUSINESS_ROLES).q("organiser__"))


def can_manage(user: Any, contest: Contest) -> bool:
    return can(user, contest.organiser, "edit")


def organisers_for(user: Any) -> Any:
    """The unions under which this user may organise a new contest."""
    return orgs_for_action(user, "edit")


def get_contest_for_user(user: Any, code: str, action: str = "view") -> Contest:
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


def get_skill_for_user(user: Any, pk: int, action: str = "view") -> Skill:
    """A skill of a visible contest (else 404) with `action` allowed (else 403)."""
    skill = first_or_404(
        Skill.objects.select_related("contest__organiser", "signed_off_by").filter(
            pk=pk, contest__in=visible_contests(user)
        ),
        user,
        action=action,
        object_id=pk,
    )
    if not can(user, skill.contest.organiser, CONTEST_ACTIONS[action]):
        deny(user, action=action, object_type="contests.skill", object_id=str(pk), not_found=False)
    return skill
