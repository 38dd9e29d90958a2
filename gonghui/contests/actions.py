"""Writes to contests: contests and skills, schemes, registration, judges, marks, sign-off.

Every function is atomic and audited. Marks are refused when they break the rules (bounds, a
judge with a conflict of interest, a skill signed off by its chief judge) with a message that
says why in the officer's language; nothing else is changed by a refused write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.contests.marking import SkillSheet, conflict_reason
from gonghui.contests.models import (
    Aspect,
    AspectType,
    Competitor,
    Contest,
    ContestLevel,
    ContestStatus,
    Judge,
    Mark,
    MedalPolicyChoice,
    Skill,
)
from gonghui.contests.scoring import JUDGEMENT_SCORES, diverges
from gonghui.core import audit
from gonghui.core.audit import Entry
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.people.actions import MEMBER_UNION_TYPES, PersonDetails, identity_digest, record_person
from gonghui.people.identity import normalise_name, parse_identity
from gonghui.people.models import Membership, Person

# ---------------------------------------------------------------- contests and skills

E = TypeVar("E", Competitor, Judge)


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A contest cannot end before it starts.")})


@transaction.atomic
def create_contest(
    *,
    by: Any,
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
    by: Any,
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
    by: Any,
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
    *, by: Any, skill: Skill, name: str, medal_policy: str, minimum_competitors: int
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
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError(_("%(value)s is not a number.") % {"value": text}) from None
    if (
        not value.is_finite()
        or value <= 0
        or value > 100
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            _(
                "A maximum mark is more than 0 and at most 100, with at most two decimals, not %(value)s."
            )
            % {"value": text}
        )
    return value.quantize(Decimal("0.01"))


def check_scheme(aspects: Sequence[AspectSpec]) -> None:
    """Codes unique, types M or J, maxima valid and adding up to exactly 100."""
    codes = [a.code for a in aspects]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError(
            _("Aspect codes must be unique in a scheme: %(codes)s.")
            % {"codes": "、".join(duplicates)}
        )
    for aspect in aspects:
        if aspect.kind not in AspectType.values:
            raise ValidationError(
                _("Aspect %(code)s: the type is M (measurement) or J (judgement), not %(kind)s.")
                % {"code": aspect.code, "kind": aspect.kind}
            )
        parse_max_mark(aspect.max_mark)
    total = sum((a.max_mark for a in aspects), Decimal(0))
    if total != 100:
        raise ValidationError(
            _("The maxima of a marking scheme add up to 100; these add up to %(total)s.")
            % {"total": f"{total:.2f}"}
        )


@transaction.atomic
def set_scheme(*, by: Any, skill: Skill, aspects: Sequence[AspectSpec]) -> list[Aspect]:
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


# ---------------------------------------------------------------- competitors and judges


def find_or_record_person(
    *,
    by: Any,
    identity_number: str,
    name: str,
    unit: EmployerUnit | None,
    filed_under: Organisation,
) -> Person:
    """The person with this identity number; recorded as a non-member when not in the roster.

    An existing person keeps their roster details; a name that differs from the roster's is
    refused, since it usually means a mistyped identity number.
    """
    identity = parse_identity(identity_number)
    person = Person.objects.filter(identity_hash=identity_digest(identity.number)).first()
    if person is None:
        return record_person(
            by=by,
            identity_number=identity.number,
            details=PersonDetails(name=name, unit=unit),
            union=filed_under,
        )
    if normalise_name(name) != person.name:
        raise ValidationError(
            {
                "name": _(
                    "The roster knows identity number %(number)s as %(roster)s, not %(name)s; check the number."
                )
                % {"number": person.identity_masked, "roster": person.name, "name": name}
            }
        )
    return person


def _roster_union(person: Person) -> Organisation | None:
    membership = Membership.objects.current().select_related("union").filter(person=person).first()
    return membership.union if membership else None


@dataclass(frozen=True)
class EntrantDetails:
    """A competitor or judge as registered: unit and union default to the roster's."""

    number: str
    identity_number: str
    name: str
    unit: EmployerUnit | None = None
    union: Organisation | None = None


def _entrant_fields(
    *, by: Any, skill: Skill, details: EntrantDetails
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
    unit = details.unit or person.unit
    union = details.union or _roster_union(person)
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
def register_competitor(*, by: Any, skill: Skill, details: EntrantDetails) -> Competitor:
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
    by: Any,
    skill: Skill,
    entrant: E,
    unit: EmployerUnit | None,
    union: Organisation | None,
    action: str,
    is_chief: bool | None = None,
    user: Any = None,
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


def _step_down_chief(*, by: Any, skill: Skill, keep: Judge | None) -> None:
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
    *, by: Any, skill: Skill, details: EntrantDetails, is_chief: bool = False, user: Any = None
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
def remove_entrant(*, by: Any, entrant: Competitor | Judge, reason: str) -> int:
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


# ---------------------------------------------------------------- marks


@dataclass(frozen=True)
class MarkEntry:
    """One cell of the grid: a competitor's mark on an aspect (for a judge, on J aspects).

    `value` is the text typed; empty clears the cell."""

    competitor: Competitor
    aspect: Aspect
    judge: Judge | None
    value: str


def parse_value(aspect: Aspect, text: str) -> Decimal | int:
    """A measurement mark from 0 to the maximum (two decimals), or a judgement score 0–3."""
    text = text.strip().replace("，", ".").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("「%(value)s」 is not a number.") % {"value": text}) from None
    if aspect.is_judgement:
        if (
            not value.is_finite()
            or value != value.to_integral_value()
            or int(value) not in JUDGEMENT_SCORES
        ):
            raise ValidationError(
                _("Aspect %(code)s is judged: a score of 0, 1, 2 or 3, not %(value)s.")
                % {"code": aspect.code, "value": text}
            )
        return int(value)
    if (
        not value.is_finite()
        or not 0 <= value <= aspect.max_mark
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            _("Aspect %(code)s: a mark from 0 to %(max)s with at most two decimals, not %(value)s.")
            % {"code": aspect.code, "max": f"{aspect.max_mark:.2f}", "value": text}
        )
    return value.quantize(Decimal("0.01")) + 0  # + 0 turns a typed -0 into 0


def _check_entry(skill: Skill, entry: MarkEntry) -> None:
    if entry.competitor.skill_id != skill.pk or entry.aspect.skill_id != skill.pk:
        raise ValidationError(_("This competitor or aspect belongs to another skill."))
    if entry.aspect.is_judgement:
        if entry.judge is None:
            raise ValidationError(
                _("Aspect %(code)s is judged: each judge's score is entered separately.")
                % {"code": entry.aspect.code}
            )
        if entry.judge.skill_id != skill.pk:
            raise ValidationError(_("This judge belongs to another skill."))
        reason = conflict_reason(entry.judge, entry.competitor)
        if reason and entry.value.strip():  # clearing a score given before the conflict is fine
            raise ValidationError(reason, code="conflict")
    elif entry.judge is not None:
        raise ValidationError(
            _(
                "Aspect %(code)s is measured: the judges' team gives one mark, entered without a judge."
            )
            % {"code": entry.aspect.code}
        )


def _scores_of(competitor: Competitor, aspect: Aspect) -> list[int]:
    return [
        s
        for s in Mark.objects.filter(
            competitor=competitor, aspect=aspect, judge__isnull=False
        ).values_list("score", flat=True)
        if s is not None
    ]


@transaction.atomic
def enter_marks(*, by: Any, skill: Skill, entries: Sequence[MarkEntry]) -> int:
    """Enter, correct or clear marks; all or none. Returns how many marks changed.

    Refused for a signed-off skill, a judge with a conflict of interest, or a value out of
    bounds. A correction that brings judges' scores back within one point is recorded as
    resolving the divergence.
    """
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    events: list[Entry] = []
    touched: set[tuple[int, int]] = set()
    before_divergent: dict[tuple[int, int], bool] = {}
    for entry in entries:
        _check_entry(skill, entry)
        key = (entry.competitor.pk, entry.aspect.pk)
        if entry.aspect.is_judgement and key not in before_divergent:
            before_divergent[key] = diverges(_scores_of(entry.competitor, entry.aspect))
        existing = Mark.objects.filter(
            competitor=entry.competitor, aspect=entry.aspect, judge=entry.judge
        ).first()
        old = existing.value if existing else None
        text = entry.value.strip()
        new = parse_value(entry.aspect, text) if text else None
        if old == new:
            continue
        _check_open(skill)  # the same marks again are no change; any change needs an open skill
        if new is None:
            assert existing is not None
            existing.delete()
        elif existing is None:
            existing = Mark(
                skill=skill, competitor=entry.competitor, aspect=entry.aspect, judge=entry.judge
            )
        if existing is not None and new is not None:
            if entry.aspect.is_judgement:
                existing.score = int(new)
            else:
                existing.mark = Decimal(new)
            existing.entered_by = by if getattr(by, "pk", None) else None
            existing.save()
        touched.add(key)
        events.append(
            Entry(
                action="contest.mark.enter" if old is None else "contest.mark.correct",
                by=by,
                organisation=skill.contest.organiser,
                object_type="contests.mark",
                object_id=f"{skill.pk}:{entry.competitor.number}:{entry.aspect.code}:{entry.judge.number if entry.judge else ''}",
                object_repr=f"{skill.code} {entry.competitor.number} {entry.aspect.code}",
                changes={"value": (_plain(old), _plain(new))},
                extra={"skill": skill.code, "judge": entry.judge.number if entry.judge else None},
            )
        )
    for key in touched & set(before_divergent):
        competitor = next(e.competitor for e in entries if (e.competitor.pk, e.aspect.pk) == key)
        aspect = next(e.aspect for e in entries if (e.competitor.pk, e.aspect.pk) == key)
        now = diverges(_scores_of(competitor, aspect))
        if before_divergent[key] != now:
            events.append(
                Entry(
                    action="contest.mark.divergence_resolved"
                    if not now
                    else "contest.mark.divergence_flagged",
                    by=by,
                    organisation=skill.contest.organiser,
                    object_type="contests.skill",
                    object_id=str(skill.pk),
                    object_repr=f"{skill.code} {competitor.number} {aspect.code}",
                    extra={"competitor": competitor.number, "aspect": aspect.code},
                )
            )
    if events:
        audit.record_many(events)
    return sum(1 for e in events if e.action in {"contest.mark.enter", "contest.mark.correct"})


def enter_mark(
    *,
    by: Any,
    skill: Skill,
    competitor: Competitor,
    aspect: Aspect,
    judge: Judge | None,
    value: str,
) -> Mark | None:
    """One cell of the grid; returns the mark as saved (None when cleared)."""
    enter_marks(by=by, skill=skill, entries=[MarkEntry(competitor, aspect, judge, value)])
    return Mark.objects.filter(competitor=competitor, aspect=aspect, judge=judge).first()


def _plain(value: Decimal | int | None) -> str | int | None:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


# ---------------------------------------------------------------- sign-off


def _check_chief(by: Any, skill: Skill) -> Judge:
    chief = skill.judges.select_related("person").filter(is_chief=True).first()
    if chief is None:
        raise ValidationError(
            _("Skill %(skill)s has no chief judge: name one among its judges first.")
            % {"skill": skill.code}
        )
    if chief.user_id is not None and chief.user_id != getattr(by, "pk", None):
        raise ValidationError(
            _("Only the chief judge %(name)s may do this, signed in with their own account.")
            % {"name": chief.person.name}
        )
    return chief


@transaction.atomic
def sign_off_skill(*, by: Any, skill: Skill) -> Skill:
    """The chief judge signs the skill's marks off: they are locked and the results stand.

    Refused while marks are missing or divergent, or a competitor lacks three judges."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    _check_open(skill)
    chief = _check_chief(by, skill)
    sheet = SkillSheet.load(skill)
    if sheet.problems:
        raise ValidationError(
            [_("The marks cannot be signed off yet:"), *sheet.problems], code="blocked"
        )
    skill.signed_off_at = timezone.now()
    skill.signed_off_by = by if getattr(by, "pk", None) else None
    skill.save(update_fields=["signed_off_at", "signed_off_by"])
    audit.record(
        action="contest.skill.sign_off",
        by=by,
        obj=skill,
        extra={
            "chief_judge": f"{chief.number} {chief.person.name}",
            "competitors": len(sheet.competitors),
        },
    )
    return skill


@transaction.atomic
def reopen_skill(*, by: Any, skill: Skill, reason: str) -> Skill:
    """The chief judge withdraws the sign-off so that marks can be corrected; says why."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    if skill.signed_off_at is None:
        raise ValidationError(_("Skill %(skill)s is not signed off.") % {"skill": skill.code})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the marks must be reopened.")})
    chief = _check_chief(by, skill)
    signed = skill.signed_off_at
    skill.signed_off_at, skill.signed_off_by = None, None
    skill.save(update_fields=["signed_off_at", "signed_off_by"])
    audit.record(
        action="contest.skill.reopen",
        by=by,
        obj=skill,
        extra={
            "chief_judge": f"{chief.number} {chief.person.name}",
            "reason": reason.strip()[:500],
            "signed_off_at": signed.isoformat(),
        },
    )
    return skill
