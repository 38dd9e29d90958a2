"""Writes to competitors and judges: registration (non-members recorded), chief judge, removal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.contests.actions.contests import _check_open
from gonghui.contests.actions.marks import _plain
from gonghui.contests.models import (
    Competitor,
    Judge,
    Mark,
    Skill,
)
from gonghui.core import audit
from gonghui.core.audit import Entry
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.people.actions import (
    MEMBER_UNION_TYPES,
    PersonDetails,
    identity_digests,
    record_person,
)
from gonghui.people.identity import normalise_name, parse_identity
from gonghui.people.models import Membership, Person
from gonghui.people.permissions import sees_union, visible_people

E = TypeVar("E", Competitor, Judge)


def find_or_record_person(
    *,
    by: Actor,
    identity_number: str,
    name: str,
    unit: EmployerUnit | None,
    filed_under: Organisation,
) -> Person:
    """The person with this identity number; recorded as a non-member when not in the roster.

    An existing person keeps their roster details; a name that differs from the roster's is
    refused, since it usually means a mistyped identity number. The roster's name is told
    only to an officer who may see the person.
    """
    identity = parse_identity(identity_number)
    person = Person.objects.filter(identity_hash__in=identity_digests(identity.number)).first()
    if person is None:
        return record_person(
            by=by,
            identity_number=identity.number,
            details=PersonDetails(name=name, unit=unit),
            union=filed_under,
        )
    if normalise_name(name) != person.name:
        if by is not None and not visible_people(by).filter(pk=person.pk).exists():
            raise ValidationError(
                {
                    "name": _(
                        "Identity number %(number)s is registered under another name, outside your scope; check the number and the name."
                    )
                    % {"number": person.identity_masked}
                }
            )
        raise ValidationError(
            {
                "name": _(
                    "The roster knows identity number %(number)s as %(roster)s, not %(name)s; check the number."
                )
                % {"number": person.identity_masked, "roster": person.name, "name": name}
            }
        )
    return person


def _roster_union(by: Actor, person: Person) -> Organisation | None:
    """The person's current union, if `by` may see it."""
    membership = Membership.objects.current().select_related("union").filter(person=person).first()
    return membership.union if membership and sees_union(by, membership.union) else None


def _roster_unit(by: Actor, person: Person) -> EmployerUnit | None:
    """The person's employer unit from the roster, if `by` may see it."""
    unit = person.unit
    return unit if unit is not None and sees_union(by, unit.organisation) else None


@dataclass(frozen=True)
class EntrantDetails:
    """A competitor or judge as registered: unit and union default to the roster's."""

    number: str
    identity_number: str
    name: str
    unit: EmployerUnit | None = None
    union: Organisation | None = None


def _entrant_fields(
    *, by: Actor, skill: Skill, details: EntrantDetails
) -> tuple[Person, EmployerUnit | None, Organisation | None]:
    number = details.number.strip()
    if not number:
        raise ValidationError({"number": _("The number is missing.")})
    if details.union is not None and details.union.type not in MEMBER_UNION_TYPES:
        raise ValidationError(
            {"union": _("%(name)s is not a grassroots union.") % {"name": details.union.name}}
        )
    person = find_or_record_person(
        by=by,
        identity_number=details.identity_number,
        name=details.name,
        unit=details.unit,
        filed_under=skill.contest.organiser,
    )
    unit = details.unit or _roster_unit(by, person)
    union = details.union or _roster_union(by, person)
    return person, unit, union


def _check_unique_entrant(
    skill: Skill, model: type[Competitor] | type[Judge], number: str, person: Person
) -> None:
    others = model.objects.filter(skill=skill)
    if others.filter(number=number).exists():
        raise ValidationError(
            {"number": _("Number %(number)s is already taken in this skill.") % {"number": number}}
        )
    if others.filter(person=person).exists():
        raise ValidationError(
            _("%(name)s is already registered in this skill.") % {"name": person.name}
        )
    if model is Competitor and Judge.objects.filter(skill=skill, person=person).exists():
        raise ValidationError(
            _("%(name)s is a judge of this skill and cannot compete in it.") % {"name": person.name}
        )
    if model is Judge and Competitor.objects.filter(skill=skill, person=person).exists():
        raise ValidationError(
            _("%(name)s competes in this skill and cannot judge it.") % {"name": person.name}
        )


@transaction.atomic
def register_competitor(*, by: Actor, skill: Skill, details: EntrantDetails) -> Competitor:
    """Register a competitor; people not in the roster are recorded as non-members."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    person, unit, union = _entrant_fields(by=by, skill=skill, details=details)
    number = details.number.strip()
    competitor = Competitor.objects.filter(skill=skill, number=number).first()
    if competitor is not None and competitor.person_id == person.pk:
        return _update_entrant(
            skill=skill,
            by=by,
            entrant=competitor,
            unit=unit,
            union=union,
            action="contest.competitor.update",
        )
    _check_open(skill)
    _check_unique_entrant(skill, Competitor, number, person)
    competitor = Competitor(skill=skill, number=number, person=person, unit=unit, union=union)
    competitor.full_clean(exclude=["skill", "person", "unit", "union"])
    competitor.save()
    audit.record(
        action="contest.competitor.register",
        by=by,
        obj=competitor,
        changes=audit.diff({}, competitor.snapshot()),
    )
    return competitor


def _update_entrant(
    *,
    by: Actor,
    skill: Skill,
    entrant: E,
    unit: EmployerUnit | None,
    union: Organisation | None,
    action: str,
    is_chief: bool | None = None,
    user: Actor = None,
) -> E:
    before = entrant.snapshot()
    entrant.unit, entrant.union = unit, union
    fields = ["unit", "union"]
    if isinstance(entrant, Judge) and is_chief is not None:
        entrant.is_chief = is_chief
        fields.append("is_chief")
    if isinstance(entrant, Judge) and user is not None:
        entrant.user = user
        fields.append("user")
    changes = audit.diff(before, entrant.snapshot())
    if changes:
        _check_open(skill)  # re-registering unchanged is harmless; changing is not, once locked
        if isinstance(entrant, Judge) and entrant.is_chief:
            _step_down_chief(by=by, skill=skill, keep=entrant)
        entrant.save(update_fields=fields)
        audit.record(action=action, by=by, obj=entrant, changes=changes)
    return entrant


def _step_down_chief(*, by: Actor, skill: Skill, keep: Judge | None) -> None:
    """One chief judge per skill: the previous one steps down, audited."""
    previous_chiefs = Judge.objects.filter(skill=skill, is_chief=True)
    if keep is not None:
        previous_chiefs = previous_chiefs.exclude(pk=keep.pk)
    for previous in previous_chiefs:
        previous.is_chief = False
        previous.save(update_fields=["is_chief"])
        audit.record(
            action="contest.judge.update",
            by=by,
            obj=previous,
            changes={"is_chief": (True, False)},
        )


@transaction.atomic
def add_judge(
    *, by: Actor, skill: Skill, details: EntrantDetails, is_chief: bool = False, user: Actor = None
) -> Judge:
    """Add a judge to a skill; naming a new chief judge replaces the previous one."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    person, unit, union = _entrant_fields(by=by, skill=skill, details=details)
    number = details.number.strip()
    judge = Judge.objects.filter(skill=skill, number=number).first()
    if judge is not None and judge.person_id == person.pk:
        return _update_entrant(
            skill=skill,
            by=by,
            entrant=judge,
            unit=unit,
            union=union,
            action="contest.judge.update",
            is_chief=is_chief,
            user=user,
        )
    _check_open(skill)
    _check_unique_entrant(skill, Judge, number, person)
    if is_chief:
        _step_down_chief(by=by, skill=skill, keep=None)
    judge = Judge(
        skill=skill,
        number=number,
        person=person,
        unit=unit,
        union=union,
        is_chief=is_chief,
        user=user,
    )
    judge.full_clean(exclude=["skill", "person", "unit", "union", "user"])
    judge.save()
    audit.record(
        action="contest.judge.add", by=by, obj=judge, changes=audit.diff({}, judge.snapshot())
    )
    return judge


@transaction.atomic
def remove_entrant(*, by: Actor, entrant: Competitor | Judge, reason: str) -> int:
    """Take a competitor (withdrawn) or a judge (registered by mistake) off an open skill.

    Their marks go with them; the event keeps who they were, how many marks and why.
    Returns the number of marks removed."""
    skill = (
        Skill.objects.select_for_update()
        .select_related("contest__organiser")
        .get(pk=entrant.skill_id)
    )
    _check_open(skill)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why they are taken off the skill.")})
    if isinstance(entrant, Competitor):
        kind, marks = "competitor", Mark.objects.filter(competitor=entrant)
    else:
        kind, marks = "judge", Mark.objects.filter(judge=entrant)
    removed_marks = list(marks.select_related("competitor", "aspect", "judge"))
    removed = len(removed_marks)
    audit.record_many(
        [
            Entry(
                action="contest.mark.remove",
                by=by,
                organisation=skill.contest.organiser,
                object_type="contests.mark",
                object_id=f"{skill.pk}:{m.competitor.number}:{m.aspect.code}:{m.judge.number if m.judge else ''}",
                object_repr=f"{skill.code} {m.competitor.number} {m.aspect.code}",
                changes={"value": (_plain(m.value), None)},
                extra={"skill": skill.code, "judge": m.judge.number if m.judge else None},
            )
            for m in removed_marks
        ]
    )
    audit.record(
        action=f"contest.{kind}.remove",
        by=by,
        obj=entrant,
        changes={name: (value, None) for name, value in entrant.snapshot().items()},
        extra={"reason": reason.strip()[:500], "marks_removed": removed, "skill": skill.code},
    )
    marks.delete()
    entrant.delete()
    return removed
