"""Competitions' part of the workbench: skills to mark and sign off; contests running."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gonghui.accounts.models import Role, User
from gonghui.contests.marking import SkillSheet
from gonghui.contests.models import ContestStatus, Skill
from gonghui.contests.permissions import judged_skills, visible_contests
from gonghui.core.workbench import Figure, Todo
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import scope
from gonghui.orgs.workbench import reach_q

CONTESTS = _("Competitions")
OFFICERS = frozenset({Role.OFFICER})


def _open_skills() -> QuerySet[Skill]:
    return Skill.objects.filter(contest__status=ContestStatus.RUNNING, signed_off_at__isnull=True)


def todos(user: User) -> Iterator[Todo]:
    # skills of running contests the user runs (an officer of the organiser or above)
    managed = (
        _open_skills()
        .filter(scope(user, OFFICERS).q("contest__organiser__"))
        .select_related("contest")
        .order_by("contest__code", "code")
    )
    for skill in managed:
        names = {"contest": skill.contest.name, "skill": skill.name}
        problems = len(SkillSheet.load(skill).problems)  # marks missing, divergent, recused …
        text = (
            ngettext(
                "%(contest)s · %(skill)s: %(n)d thing blocks the results (missing or divergent marks)",
                "%(contest)s · %(skill)s: %(n)d things block the results (missing or divergent marks)",
                problems,
            )
            % {**names, "n": problems}
            if problems
            else _("%(contest)s · %(skill)s: the marks are complete, ready to sign off") % names
        )
        yield Todo(text, 1, skill.get_absolute_url(), CONTESTS)
    # skills the user judges (a judge may hold no union role at all)
    judging = (
        _open_skills()
        .filter(pk__in=judged_skills(user).values("pk"))
        .exclude(pk__in=[skill.pk for skill in managed])
    )
    count = judging.count()
    yield Todo(
        ngettext(
            "%(n)d skill you judge is not signed off yet",
            "%(n)d skills you judge are not signed off yet",
            count,
        )
        % {"n": count},
        count,
        reverse("contests:list"),
        CONTESTS,
    )


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    running = visible_contests(user).filter(
        reach_q(user, organisation, "organiser__"), status=ContestStatus.RUNNING
    )
    yield Figure(_("Contests running"), running.count(), reverse("contests:list"))
