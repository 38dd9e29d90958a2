"""Writes to marks and their sign-off by the chief judge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.contests.actions.contests import _check_open
from gonghui.contests.marking import SkillSheet, conflict_reason
from gonghui.contests.models import (
    Aspect,
    Competitor,
    Judge,
    Mark,
    Skill,
)
from gonghui.contests.scoring import JUDGEMENT_SCORES, diverges
from gonghui.core import audit
from gonghui.core.audit import Entry
from gonghui.core.tabular.base import parse_typed_number


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
    text = text.strip()
    try:
        value = parse_typed_number(text)
    except ValueError as refused:
        raise ValidationError(str(refused)) from None
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
def enter_marks(*, by: Actor, skill: Skill, entries: Sequence[MarkEntry]) -> int:
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
    by: Actor,
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


def _check_chief(by: Actor, skill: Skill) -> Judge:
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
def sign_off_skill(*, by: Actor, skill: Skill) -> Skill:
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
    skill.signed_off_for = f"{chief.number} {chief.person.name}"[:80]
    # in person: the chief judge's own account; otherwise an officer signs on their behalf
    skill.signed_off_in_person = (
        chief.user_id is not None and chief.user_id == skill.signed_off_by_id
    )
    skill.save(
        update_fields=["signed_off_at", "signed_off_by", "signed_off_for", "signed_off_in_person"]
    )
    audit.record(
        action="contest.skill.sign_off",
        by=by,
        obj=skill,
        extra={
            "chief_judge": skill.signed_off_for,
            "in_person": skill.signed_off_in_person,
            "competitors": len(sheet.competitors),
        },
    )
    return skill


@transaction.atomic
def reopen_skill(*, by: Actor, skill: Skill, reason: str) -> Skill:
    """The chief judge withdraws the sign-off so that marks can be corrected; says why."""
    skill = Skill.objects.select_for_update().select_related("contest__organiser").get(pk=skill.pk)
    if skill.signed_off_at is None:
        raise ValidationError(_("Skill %(skill)s is not signed off.") % {"skill": skill.code})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the marks must be reopened.")})
    chief = _check_chief(by, skill)
    signed = skill.signed_off_at
    skill.signed_off_at, skill.signed_off_by = None, None
    skill.signed_off_for, skill.signed_off_in_person = "", False
    skill.save(
        update_fields=["signed_off_at", "signed_off_by", "signed_off_for", "signed_off_in_person"]
    )
    audit.record(
        action="contest.skill.reopen",
        by=by,
        obj=skill,
        extra={
            "chief_judge": f"{chief.number} {chief.person.name}",
            "in_person": chief.user_id is not None and chief.user_id == getattr(by, "pk", None),
            "reason": reason.strip()[:500],
            "signed_off_at": signed.isoformat(),
        },
    )
    return skill
