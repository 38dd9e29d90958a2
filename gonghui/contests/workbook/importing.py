"""Importing a checked contest workbook through the actions, all or nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, EntrantDetails, MarkEntry
from gonghui.contests.marking import conflict_reason
from gonghui.contests.models import Aspect, Competitor, Contest, Judge, Skill
from gonghui.contests.workbook.checking import read_workbook
from gonghui.contests.workbook.sheets import (
    COMPETITOR_SHEET,
    COMPETITOR_SPEC,
    CONTEST_SHEET,
    CONTEST_SPEC,
    JUDGE_SHEET,
    JUDGE_SPEC,
    MARK_SHEET,
    MARK_SPEC,
    POLICIES,
    SKILL_SHEET,
    SKILL_SPEC,
    Collector,
    ImportReport,
    ParsedWorkbook,
    PersonRow,
    in_workbook_order,
    parse_date,
    parse_minimum,
)
from gonghui.core.tabular import Row, Spec
from gonghui.orgs.actions import create_unit
from gonghui.orgs.models import EmployerUnit, Organisation


def _contest_for(
    code: str, organiser: Organisation | None, may_manage: Callable[[Contest], bool]
) -> tuple[Contest | None, str]:
    contest = Contest.objects.select_related("organiser").filter(code=code).first()
    if contest is not None and not may_manage(contest):
        return None, _("The contest code %(code)s is used by a contest you do not run.") % {
            "code": code
        }
    if contest is None and organiser is None:
        return None, _(
            "A new contest needs its organising union (the --organiser option, or the form)."
        )
    return contest, ""


T = TypeVar("T")


@dataclass
class _Entrants:
    """The competitors and judges written, by (skill, number)."""

    competitors: dict[tuple[str, str], Competitor] = field(default_factory=dict)
    judges: dict[tuple[str, str], Judge] = field(default_factory=dict)


class _Abort(Exception):
    """Roll the import back: it was a dry run, or some row was bad."""


def import_workbook(
    path: Path | str,
    *,
    by: Actor,
    organiser: Organisation | None = None,
    dry_run: bool = False,
    may_manage: Callable[[Contest], bool] = lambda contest: True,
) -> ImportReport:
    """Check a contest workbook and (unless a dry run or any row is bad) import all of it."""
    path = Path(path)
    collector = Collector()
    parsed = read_workbook(path, collector)
    report = ImportReport(errors=collector.errors)
    if parsed.contest is None or any(e.row == 0 for e in report.errors):
        # a sheet is missing or unreadable: rows cannot be checked against it
        report.errors = in_workbook_order(report.errors)
        return report
    try:
        with transaction.atomic():
            _apply(parsed, report, collector, by=by, organiser=organiser, may_manage=may_manage)
            report.errors = in_workbook_order(collector.errors)
            if report.errors or dry_run:
                raise _Abort
            report.written = True
    except _Abort:
        pass
    if not report.written:
        report.contest = None if report.created else report.contest
    return report


def _step(
    collector: Collector,
    sheet: str,
    spec: Spec,
    row: Row,
    key: str,
    work: Callable[..., T],
    **arguments: Any,
) -> T | None:
    """Run one action in a savepoint; a refusal becomes this row's error."""
    try:
        with transaction.atomic():
            return work(**arguments)
    except ValidationError as error:
        collector.bad(sheet, spec, row, key, " ".join(error.messages))
        return None


def _apply(
    parsed: ParsedWorkbook,
    report: ImportReport,
    collector: Collector,
    *,
    by: Actor,
    organiser: Organisation | None,
    may_manage: Callable[[Contest], bool],
) -> None:
    """Write the sheets in order through the actions; every refusal becomes its row's error."""
    contest = _write_contest(
        parsed, report, collector, by=by, organiser=organiser, may_manage=may_manage
    )
    if contest is None:
        return
    report.contest = contest
    counts: dict[str, int] = defaultdict(int)
    skills = _write_skills(parsed, contest, collector, by, counts)
    entrants = _write_people(parsed, contest, skills, collector, by, counts)
    _marks(parsed, skills, entrants, collector, by, counts)
    report.counts = dict(counts)


def _write_contest(
    parsed: ParsedWorkbook,
    report: ImportReport,
    collector: Collector,
    *,
    by: Actor,
    organiser: Organisation | None,
    may_manage: Callable[[Contest], bool],
) -> Contest | None:
    """The sheet 竞赛: create the contest or update it; a stand-in when its row is bad."""
    assert parsed.contest is not None
    row = parsed.contest
    values = row.values
    starts, ends = parse_date(values["starts_on"]), parse_date(values["ends_on"])
    contest, problem = _contest_for(values["code"], organiser, may_manage)
    if problem:
        collector.bad(CONTEST_SHEET, CONTEST_SPEC, row, "code", problem)
        return None
    if any(e.sheet == CONTEST_SHEET for e in collector.errors):
        # The contest row is bad (and reported): check the other sheets against a stand-in,
        # in this transaction that will be rolled back, so that their bad rows are found too.
        if contest is None:
            assert organiser is not None
            contest = _stand_in(values["name"], organiser, starts, ends)
            report.created = True
        return contest
    if starts is None or ends is None:
        return contest
    if contest is None:
        assert organiser is not None
        report.created = True
        return _step(
            collector,
            CONTEST_SHEET,
            CONTEST_SPEC,
            row,
            "code",
            actions.create_contest,
            by=by,
            code=values["code"],
            name=values["name"],
            organiser=organiser,
            starts_on=starts,
            ends_on=ends,
            theme=values.get("theme") or "",
        )
    theme = values.get("theme")
    return _step(
        collector,
        CONTEST_SHEET,
        CONTEST_SPEC,
        row,
        "name",
        actions.update_contest,
        by=by,
        contest=contest,
        name=values["name"],
        starts_on=starts,
        ends_on=ends,
        theme=theme if theme is not None else contest.theme,
        level=contest.level,
        status=contest.status,
    )


def _stand_in(
    name: str, organiser: Organisation, starts: date | None, ends: date | None
) -> Contest:
    """A contest that only lets the other sheets be checked; it is always rolled back."""
    starts = starts or ends or date(2000, 1, 1)
    return Contest.objects.create(
        code="-",  # a stand-in: the row's own code may be the cause
        name=name or "-",
        organiser=organiser,
        starts_on=starts,
        ends_on=ends if ends and ends >= starts else starts,
    )


def _write_skills(
    parsed: ParsedWorkbook,
    contest: Contest,
    collector: Collector,
    by: Actor,
    counts: dict[str, int],
) -> dict[str, Skill]:
    """The sheets 赛项 and 评分标准: each good skill created or updated, and its scheme set
    when it differs; the skills written, by code."""
    skills: dict[str, Skill] = {}
    for code, skill_row in parsed.skills.items():
        if code in parsed.bad_skills:
            continue  # reported on its row; what refers to it is not reported again
        skill = _write_skill(skill_row, contest, collector, by)
        if skill is None:
            continue
        skills[code] = skill
        counts["skills"] += 1
        if code in parsed.bad_schemes:
            continue  # its bad 评分标准 rows are reported; marks against it would only repeat them
        scheme = [spec_ for _r, spec_ in parsed.schemes.get(code, [])]
        if _aspect_shapes(skill.aspects.all()) != _aspect_shapes(scheme):
            _step(
                collector,
                SKILL_SHEET,
                SKILL_SPEC,
                skill_row,
                "skill",
                actions.set_scheme,
                by=by,
                skill=skill,
                aspects=scheme,
            )
    return skills


def _aspect_shapes(aspects: Iterable[Aspect | AspectSpec]) -> list[tuple[Any, ...]]:
    return [(a.code, a.description, a.kind, a.max_mark, a.sub_criterion) for a in aspects]


def _write_skill(row: Row, contest: Contest, collector: Collector, by: Actor) -> Skill | None:
    """One skill created, updated, or left alone when the row already says what it holds."""
    v = row.values
    policy = POLICIES[v["policy"].strip().lower()]
    minimum = parse_minimum(v.get("minimum") or "") or 1  # checked before
    existing = Skill.objects.filter(contest=contest, code=v["skill"]).first()
    if existing is None:
        return _step(
            collector,
            SKILL_SHEET,
            SKILL_SPEC,
            row,
            "skill",
            actions.create_skill,
            by=by,
            contest=contest,
            code=v["skill"],
            name=v["name"],
            medal_policy=policy,
            minimum_competitors=minimum,
        )
    if (existing.name, existing.medal_policy, existing.minimum_competitors) == (
        v["name"],
        policy,
        minimum,
    ):
        return existing
    return _step(
        collector,
        SKILL_SHEET,
        SKILL_SPEC,
        row,
        "name",
        actions.update_skill,
        by=by,
        skill=existing,
        name=v["name"],
        medal_policy=policy,
        minimum_competitors=minimum,
    )


def _write_people(
    parsed: ParsedWorkbook,
    contest: Contest,
    skills: dict[str, Skill],
    collector: Collector,
    by: Actor,
    counts: dict[str, int],
) -> _Entrants:
    """The sheets 选手 and 裁判: competitors registered and judges added, by sheet and
    (skill, number); the employer units they name are found or created once."""
    units: dict[str, EmployerUnit] = {}
    entrants = _Entrants()
    for sheet, spec, people, counted in (
        (COMPETITOR_SHEET, COMPETITOR_SPEC, parsed.competitors, "competitors"),
        (JUDGE_SHEET, JUDGE_SPEC, parsed.judges, "judges"),
    ):
        for key, person in people.items():
            skill = skills.get(person.skill)
            if skill is None:
                continue
            unit = _unit(person, contest, units, by, collector, sheet, spec)
            if person.unit_code and unit is None:
                continue
            details = EntrantDetails(
                number=person.number,
                identity_number=person.identity_number,
                name=person.name,
                unit=unit,
                union=person.union,
            )
            work: Callable[..., Competitor | Judge] = actions.register_competitor
            extra = {}
            if sheet == JUDGE_SHEET:
                work, extra = actions.add_judge, {"is_chief": person.chief}
            done = _step(
                collector,
                sheet,
                spec,
                person.row,
                "number",
                work,
                by=by,
                skill=skill,
                details=details,
                **extra,
            )
            if isinstance(done, Competitor):
                entrants.competitors[key] = done
            elif isinstance(done, Judge):
                entrants.judges[key] = done
            if done is not None:
                counts[counted] += 1
    return entrants


def _unit(
    person: PersonRow,
    contest: Contest,
    units: dict[str, EmployerUnit],
    by: Actor,
    collector: Collector,
    sheet: str,
    spec: Spec,
) -> EmployerUnit | None:
    if not person.unit_code:
        return None
    if person.unit_code in units:
        return units[person.unit_code]
    unit = EmployerUnit.objects.filter(credit_code=person.unit_code).first()
    if unit is None:
        home = (
            person.union
            if person.union is not None and person.union.is_within(contest.organiser)
            else contest.organiser
        )
        unit = _step(
            collector,
            sheet,
            spec,
            person.row,
            "unit_code",
            create_unit,
            by=by,
            name=person.unit_name or person.unit_code,
            credit_code=person.unit_code,
            organisation=home,
        )
    if unit is not None:
        units[person.unit_code] = unit
    return unit


def _marks(
    parsed: ParsedWorkbook,
    skills: dict[str, Skill],
    entrants: _Entrants,
    collector: Collector,
    by: Actor,
    counts: dict[str, int],
) -> None:
    """The sheet 评分: every row checked, then each skill's marks entered in one action."""
    aspects = _workbook_aspects(parsed, skills)
    by_skill: dict[str, list[tuple[Row, MarkEntry]]] = defaultdict(list)
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in parsed.marks:
        entry = _mark_entry(row, parsed, skills, entrants, aspects, seen, collector)
        if entry is not None:
            by_skill[row.values["skill"]].append((row, entry))
    for code, rows in by_skill.items():
        if collector.errors:
            return  # nothing will be written: spare the work
        entries = [entry for _row, entry in rows]
        changed = _step(
            collector,
            MARK_SHEET,
            MARK_SPEC,
            rows[0][0],
            "value",
            actions.enter_marks,
            by=by,
            skill=skills[code],
            entries=entries,
        )
        counts["marks"] += len(entries)
        counts["marks_changed"] += changed or 0


def _workbook_aspects(
    parsed: ParsedWorkbook, skills: dict[str, Skill]
) -> dict[tuple[str, str], Aspect]:
    """Each skill's aspects as the workbook states them, by (skill, aspect code).

    Marks are checked against the workbook's scheme, so that they are checked even when the
    scheme itself is refused (its aspects are then unsaved and nothing will be written).
    """
    aspects: dict[tuple[str, str], Aspect] = {}
    for code, skill in skills.items():
        saved = {each.code: each for each in skill.aspects.all()}
        for _row, wanted in parsed.schemes.get(code, []):
            aspects[(code, wanted.code)] = saved.get(wanted.code) or Aspect(
                skill=skill, code=wanted.code, kind=wanted.kind, max_mark=wanted.max_mark
            )
    return aspects


def _mark_entry(
    row: Row,
    parsed: ParsedWorkbook,
    skills: dict[str, Skill],
    entrants: _Entrants,
    aspects: dict[tuple[str, str], Aspect],
    seen: dict[tuple[str, str, str, str], int],
    collector: Collector,
) -> MarkEntry | None:
    """One row of 评分 as a mark to enter, or None: reported, unless what it names is."""
    sheet, spec = MARK_SHEET, MARK_SPEC
    v = row.values
    skill_code = v["skill"]
    if skill_code not in parsed.skills:
        collector.bad(
            sheet,
            spec,
            row,
            "skill",
            _("No skill %(code)s in the sheet 赛项.") % {"code": skill_code or "—"},
        )
        return None
    if skill_code not in skills:
        return None  # the skill itself is bad: reported on its own row
    competitor = entrants.competitors.get((skill_code, v["competitor"]))
    if competitor is None:
        known = (skill_code, v["competitor"]) in parsed.competitors or (
            COMPETITOR_SHEET,
            skill_code,
            v["competitor"],
        ) in parsed.rejected
        if not known:
            collector.bad(
                sheet,
                spec,
                row,
                "competitor",
                _("No competitor %(number)s in skill %(skill)s (sheet 选手).")
                % {"number": v["competitor"] or "—", "skill": skill_code},
            )
        return None
    aspect = aspects.get((skill_code, v["aspect"]))
    if aspect is None and (skill_code, v["aspect"]) in parsed.bad_aspects:
        return None  # its 评分标准 row is reported
    if aspect is None:
        collector.bad(
            sheet,
            spec,
            row,
            "aspect",
            _("No aspect %(code)s in the scheme of skill %(skill)s.")
            % {"code": v["aspect"] or "—", "skill": skill_code},
        )
        return None
    usable, judge = _mark_judge(row, parsed, entrants, aspect, competitor, collector)
    if not usable:
        return None
    key = (skill_code, competitor.number, aspect.code, judge.number if judge else "")
    if key in seen:
        collector.bad(
            sheet,
            spec,
            row,
            "value",
            _("This mark is given twice (first in row %(row)d).") % {"row": seen[key]},
        )
        return None
    seen[key] = row.number
    try:
        actions.parse_value(aspect, v["value"])
    except ValidationError as error:
        collector.bad(sheet, spec, row, "value", error.messages[0])
        return None
    return MarkEntry(competitor, aspect, judge, v["value"])


def _mark_judge(
    row: Row,
    parsed: ParsedWorkbook,
    entrants: _Entrants,
    aspect: Aspect,
    competitor: Competitor,
    collector: Collector,
) -> tuple[bool, Judge | None]:
    """Whether the row's judge fits its aspect (a judge free of conflict for a judgement,
    none for a measurement), and that judge."""
    sheet, spec = MARK_SHEET, MARK_SPEC
    v = row.values
    skill_code = v["skill"]
    if not aspect.is_judgement:
        if v.get("judge"):
            collector.bad(
                sheet,
                spec,
                row,
                "judge",
                _("Aspect %(code)s is measured: leave the judge's number empty.")
                % {"code": aspect.code},
            )
            return False, None
        return True, None
    if not v.get("judge"):
        collector.bad(
            sheet,
            spec,
            row,
            "judge",
            _("Aspect %(code)s is judged: give the judge's number.") % {"code": aspect.code},
        )
        return False, None
    judge = entrants.judges.get((skill_code, v["judge"]))
    if judge is None:
        if (skill_code, v["judge"]) not in parsed.judges and (
            JUDGE_SHEET,
            skill_code,
            v["judge"],
        ) not in parsed.rejected:
            collector.bad(
                sheet,
                spec,
                row,
                "judge",
                _("No judge %(number)s in skill %(skill)s (sheet 裁判).")
                % {"number": v["judge"], "skill": skill_code},
            )
        return False, None
    reason = conflict_reason(judge, competitor)
    if reason:
        collector.bad(sheet, spec, row, "judge", reason)
        return False, None
    return True, judge
