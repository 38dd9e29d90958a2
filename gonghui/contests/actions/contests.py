"""Writes to contests, their skills and the skills' marking schemes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.contests import scoring
from gonghui.contests.bounds import MAX_MARK
from gonghui.contests.models import (
    Aspect,
    AspectType,
    Contest,
    ContestLevel,
    ContestStatus,
    Mark,
    MedalPolicyChoice,
    Skill,
)
from gonghui.core import audit
from gonghui.core.tabular.base import parse_typed_number
from gonghui.orgs.models import Organisation


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A contest cannot end before it starts.")})


@transaction.atomic
def create_contest(
    *,
    by: Actor,
    code: str,
    name: str,
    organiser: Organisation,
    starts_on: date,
    ends_on: date,
    theme: str = "",
    level: str = ContestLevel.REGIONAL,
) -> Contest:
    """Open a contest organised by `organiser` (its subtree's officers run it)."""
    _check_dates(starts_on, ends_on)
    contest = Contest(
        code=code.strip(),
        name=name.strip(),
        theme=theme.strip(),
        organiser=organiser,
        starts_on=starts_on,
        ends_on=ends_on,
        level=level,
    )
    contest.full_clean()
    contest.save()
    audit.record(
        action="contest.create", by=by, obj=contest, changes=audit.diff({}, contest.snapshot())
    )
    return contest


@transaction.atomic
def update_contest(
    *,
    by: Actor,
    contest: Contest,
    name: str,
    starts_on: date,
    ends_on: date,
    theme: str = "",
    level: str = ContestLevel.REGIONAL,
    status: str = ContestStatus.PREPARING,
) -> Contest:
    """Change a contest's name, theme, dates, level or status (its code and organiser stay)."""
    _check_dates(starts_on, ends_on)
    contest = Contest.objects.select_for_update().select_related("organiser").get(pk=contest.pk)
    before = contest.snapshot()
    contest.name, contest.theme = name.strip(), theme.strip()
    contest.starts_on, contest.ends_on, contest.level, contest.status = (
        starts_on,
        ends_on,
        level,
        status,
    )
    contest.full_clean()
    changes = audit.diff(before, contest.snapshot())
    if changes:
        contest.save(
            update_fields=["name", "theme", "starts_on", "ends_on", "level", "status", "updated_at"]
        )
        audit.record(action="contest.update", by=by, obj=contest, changes=changes)
    return contest


def _check_open(skill: Skill) -> None:
    if skill.signed_off_at is not None:
        raise ValidationError(
            _(
                "Skill %(skill)s has been signed off by the chief judge and is locked; the chief judge must reopen it first."
            )
            % {"skill": skill.code}
        )


@transaction.atomic
def create_skill(
    *,
    by: Actor,
    contest: Contest,
    code: str,
    name: str,
    medal_policy: str = MedalPolicyChoice.NATIONAL,
    minimum_competitors: int = 1,
) -> Skill:
    """Add a skill (赛项) to a contest."""
    skill = Skill(
        contest=contest,
        code=code.strip(),
        name=name.strip(),
        medal_policy=medal_policy,
        minimum_competitors=minimum_competitors,
    )
    if Skill.objects.filter(contest=contest, code=skill.code).exists():
        raise ValidationError(
            {"code": _("The contest already has a skill with the code %(code)s.") % {"code": code}}
        )
    skill.full_clean(exclude=["contest"])
    skill.save()
    audit.record(
        action="contest.skill.create", by=by, obj=skill, changes=audit.diff({}, skill.snapshot())
    )
    return skill


@transaction.atomic
def update_skill(
    *, by: Actor, skill: Skill, name: str, medal_policy: str, minimum_competitors: int
) -> Skill:
    """Rename a skill or change its medal policy or minimum; refused once signed off."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    _check_open(skill)
    before = skill.snapshot()
    skill.name, skill.medal_policy, skill.minimum_competitors = (
        name.strip(),
        medal_policy,
        minimum_competitors,
    )
    skill.full_clean(exclude=["contest"])
    changes = audit.diff(before, skill.snapshot())
    if changes:
        skill.save(update_fields=["name", "medal_policy", "minimum_competitors"])
        audit.record(action="contest.skill.update", by=by, obj=skill, changes=changes)
    return skill


# ---------------------------------------------------------------- the marking scheme


@dataclass(frozen=True)
class AspectSpec:
    """One aspect as an officer or a workbook states it."""

    code: str
    description: str
    kind: str
    max_mark: Decimal
    sub_criterion: str = ""
    descriptors: tuple[str, ...] = ()


def parse_max_mark(text: str | Decimal) -> Decimal:
    """A maximum mark: positive, at most two decimals, at most 100."""
    try:
        value = text if isinstance(text, Decimal) else parse_typed_number(text)
    except ValueError as refused:
        raise ValidationError(str(refused)) from None
    if not MAX_MARK.holds(value):
        raise ValidationError(
            _(
                "A maximum mark is more than 0 and at most 100, with at most two decimals, not %(value)s."
            )
            % {"value": text}
        )
    return value.quantize(Decimal("0.01"))


def check_scheme(aspects: Sequence[AspectSpec]) -> None:
    """Each aspect's type M or J and its maximum a valid mark; then the scheme rule of
    `scoring.scheme_problem` (codes unique, maxima adding up to exactly 100)."""
    maxima = []
    for aspect in aspects:
        if aspect.kind not in AspectType.values:
            raise ValidationError(
                _("Aspect %(code)s: the type is M (measurement) or J (judgement), not %(kind)s.")
                % {"code": aspect.code, "kind": aspect.kind}
            )
        maxima.append((aspect.code, parse_max_mark(aspect.max_mark)))
    problem = scoring.scheme_problem(maxima)
    if problem is not None:
        raise ValidationError(problem)


@transaction.atomic
def set_scheme(*, by: Actor, skill: Skill, aspects: Sequence[AspectSpec]) -> list[Aspect]:
    """Replace a skill's marking scheme (refused unless its maxima add up to 100).

    Once marks exist, only descriptions, sub-criteria and descriptors may change: a change of
    code, type or maximum would silently alter marks already given.
    """
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    _check_open(skill)
    check_scheme(aspects)
    current = {a.code: a for a in skill.aspects.all()}
    wanted = {a.code: a for a in aspects}
    shape = {(a.code, a.kind, a.max_mark) for a in current.values()}
    if Mark.objects.of_skill(skill).exists() and shape != {
        (a.code, a.kind, parse_max_mark(a.max_mark)) for a in aspects
    }:
        raise ValidationError(
            _(
                "Marks have been entered for skill %(skill)s: aspect codes, types and maxima can no longer change."
            )
            % {"skill": skill.code}
        )
    before = {code: _aspect_state(a) for code, a in current.items()}
    Aspect.objects.filter(skill=skill).exclude(code__in=wanted).delete()
    for position, spec in enumerate(aspects):
        aspect = current.get(spec.code) or Aspect(skill=skill, code=spec.code)
        aspect.position = position
        aspect.sub_criterion = spec.sub_criterion.strip()[:64]
        aspect.description = spec.description.strip()[:300]
        aspect.kind = spec.kind
        aspect.max_mark = parse_max_mark(spec.max_mark)
        aspect.descriptors = [d.strip() for d in spec.descriptors][:4]
        aspect.full_clean(exclude=["skill"])
        aspect.save()
    saved = list(skill.aspects.all())
    after = {a.code: _aspect_state(a) for a in saved}
    if before != after:
        audit.record(
            action="contest.scheme.set",
            by=by,
            obj=skill,
            changes={"scheme": (before, after)},
        )
    return saved


def _aspect_state(aspect: Aspect) -> dict[str, Any]:
    return {
        "position": aspect.position,
        "sub_criterion": aspect.sub_criterion,
        "description": aspect.description,
        "kind": aspect.kind,
        "max_mark": f"{aspect.max_mark:.2f}",
        "descriptors": list(aspect.descriptors),
    }
