"""The contest workbook: one .xlsx with the sheets 竞赛, 赛项, 评分标准, 选手, 裁判 and 评分.

`import_workbook` reads every sheet, checks every row (its own cells, then the references
between sheets, then what the actions would say), and writes only when no row in any sheet
is bad; a dry run does the same and rolls back. Everything goes through `actions`, inside one
transaction with a savepoint per step, so the check and the import cannot disagree, and
importing the same workbook again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, EntrantDetails, MarkEntry
from gonghui.contests.marking import conflict_reason
from gonghui.contests.models import Aspect, Competitor, Contest, Judge, MedalPolicyChoice, Skill
from gonghui.core.tabular import Column, Row, Spec, UnreadableFile, is_scientific, open_table
from gonghui.core.validators import normalise_credit_code, validate_credit_code
from gonghui.orgs.actions import create_unit
from gonghui.orgs.models import EmployerUnit, Organisation, code_validator
from gonghui.people.actions import MEMBER_UNION_TYPES
from gonghui.people.identity import normalise_name, parse_identity

CONTEST_SHEET, SKILL_SHEET, SCHEME_SHEET = "竞赛", "赛项", "评分标准"
COMPETITOR_SHEET, JUDGE_SHEET, MARK_SHEET = "选手", "裁判", "评分"

CONTEST_SPEC = Spec(
    (
        Column("code", "竞赛代码", ("contest code",)),
        Column("name", "竞赛名称", ("contest name",)),
        Column("starts_on", "开始日期", ("start date",)),
        Column("ends_on", "结束日期", ("end date",)),
        Column("theme", "主题", ("theme",), required=False),
    )
)
SKILL_SPEC = Spec(
    (
        Column("skill", "赛项代码", ("skill code",)),
        Column("name", "赛项名称", ("skill name",)),
        Column("policy", "奖项规则", ("medal policy",)),
        Column("minimum", "最少参赛人数", ("minimum competitors",), required=False),
    )
)
SCHEME_SPEC = Spec(
    (
        Column("skill", "赛项代码", ("skill code",)),
        Column("sub_criterion", "子标准", ("sub-criterion",), required=False),
        Column("code", "评分项代码", ("aspect code",)),
        Column("description", "评分项说明", ("description",)),
        Column("kind", "类型", ("type",)),
        Column("max_mark", "分值", ("maximum mark", "max mark")),
    )
)
_PERSON_COLUMNS = (
    Column("identity_number", "公民身份号码", ("identity number", "身份证号码", "身份证号")),
    Column("unit_name", "工作单位", ("employer",), required=False),
    Column("unit_code", "单位统一社会信用代码", ("unit credit code",), required=False),
    Column("union_code", "基层工会代码", ("union code",), required=False),
)
COMPETITOR_SPEC = Spec(
    (
        Column("skill", "赛项代码", ("skill code",)),
        Column("number", "选手编号", ("competitor number",)),
        Column("name", "姓名", ("name",)),
        *_PERSON_COLUMNS,
    )
)
JUDGE_SPEC = Spec(
    (
        Column("skill", "赛项代码", ("skill code",)),
        Column("number", "裁判编号", ("judge number",)),
        Column("name", "姓名", ("name",)),
        *_PERSON_COLUMNS,
        Column("chief", "裁判长", ("chief judge",), required=False),
    )
)
MARK_SPEC = Spec(
    (
        Column("skill", "赛项代码", ("skill code",)),
        Column("competitor", "选手编号", ("competitor number",)),
        Column("aspect", "评分项代码", ("aspect code",)),
        Column("judge", "裁判编号", ("judge number",), required=False),
        Column("value", "分数", ("mark", "score")),
    )
)
SHEETS = (
    (CONTEST_SHEET, CONTEST_SPEC),
    (SKILL_SHEET, SKILL_SPEC),
    (SCHEME_SHEET, SCHEME_SPEC),
    (COMPETITOR_SHEET, COMPETITOR_SPEC),
    (JUDGE_SHEET, JUDGE_SPEC),
    (MARK_SHEET, MARK_SPEC),
)
ERROR_HEADERS = ("工作表", "行号", "列", "错误")
SHEET_ORDER = {name: position for position, (name, _spec) in enumerate(SHEETS)}


def _in_workbook_order(errors: list[SheetError]) -> list[SheetError]:
    return sorted(errors, key=lambda e: (SHEET_ORDER.get(e.sheet, 0), e.row, e.column, e.message))


POLICIES = {
    "national": MedalPolicyChoice.NATIONAL,
    "全国": MedalPolicyChoice.NATIONAL,
    "优胜奖": MedalPolicyChoice.NATIONAL,
    "worldskills": MedalPolicyChoice.WORLDSKILLS,
    "世界技能大赛": MedalPolicyChoice.WORLDSKILLS,
    "卓越奖": MedalPolicyChoice.WORLDSKILLS,
}
YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"", "否", "n", "no", "false", "0"}


@dataclass(frozen=True, order=True)
class SheetError:
    """One bad row: the sheet, its row number as the spreadsheet shows it, the column, why."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list[SheetError] = field(default_factory=list)
    contest: Contest | None = None
    created: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def is_clean(self) -> bool:
        return not self.errors


@dataclass
class _Person:
    row: Row
    skill: str
    number: str
    name: str
    identity_number: str
    unit_name: str
    unit_code: str
    union: Organisation | None
    chief: bool = False


@dataclass
class _Parsed:
    contest: Row | None = None
    skills: dict[str, Row] = field(default_factory=dict)
    schemes: dict[str, list[tuple[Row, AspectSpec]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    competitors: dict[tuple[str, str], _Person] = field(default_factory=dict)
    judges: dict[tuple[str, str], _Person] = field(default_factory=dict)
    marks: list[Row] = field(default_factory=list)
    # rows refused on their own cells: marks that name them are not reported again
    rejected: set[tuple[str, str, str]] = field(default_factory=set)  # (sheet, skill, number)
    bad_skills: set[str] = field(default_factory=set)  # skills whose own row is refused
    bad_schemes: set[str] = field(default_factory=set)  # skills whose scheme is refused
    bad_aspects: set[tuple[str, str]] = field(default_factory=set)  # (skill, aspect) refused


class _Collector:
    def __init__(self) -> None:
        self.errors: list[SheetError] = []

    def bad(self, sheet: str, spec: Spec, row: Row | int, key: str, message: str) -> None:
        number = row if isinstance(row, int) else row.number
        header = spec.header(key) if key else ""
        self.errors.append(SheetError(sheet, number, header, message))


def _rows(path: Path, sheet: str, spec: Spec, errors: _Collector) -> Iterator[Row]:
    try:
        with open_table(path, spec=spec, sheet=sheet, allow_empty=True) as table:
            yield from table
    except UnreadableFile as error:
        errors.errors.append(SheetError(sheet, 0, "", error.message))


def _date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _code_ok(value: str) -> bool:
    try:
        code_validator(value)
    except ValidationError:
        return False
    return True


def _read(path: Path, errors: _Collector) -> _Parsed:
    parsed = _Parsed()
    sheet, spec = CONTEST_SHEET, CONTEST_SPEC
    for row in _rows(path, sheet, spec, errors):
        if parsed.contest is not None:
            errors.bad(sheet, spec, row, "", _("The sheet 竞赛 has one row: the contest."))
            continue
        parsed.contest = row
        values = row.values
        if not _code_ok(values["code"]):
            errors.bad(
                sheet,
                spec,
                row,
                "code",
                _("A code is 1 to 32 letters, digits, dots, hyphens or underscores."),
            )
        if not values["name"]:
            errors.bad(sheet, spec, row, "name", _("The name is missing."))
        starts, ends = _date(values["starts_on"]), _date(values["ends_on"])
        for key, value in (("starts_on", starts), ("ends_on", ends)):
            if value is None:
                errors.bad(
                    sheet,
                    spec,
                    row,
                    key,
                    _("%(value)s is not a date such as 2026-05-01.")
                    % {"value": values[key] or "—"},
                )
        if starts and ends and ends < starts:
            errors.bad(sheet, spec, row, "ends_on", _("A contest cannot end before it starts."))
    if parsed.contest is None and not any(e.sheet == CONTEST_SHEET for e in errors.errors):
        errors.errors.append(
            SheetError(CONTEST_SHEET, 0, "", _("The sheet 竞赛 has no contest row."))
        )

    sheet, spec = SKILL_SHEET, SKILL_SPEC
    for row in _rows(path, sheet, spec, errors):
        values = row.values
        code = values["skill"]
        if not _code_ok(code):
            errors.bad(
                sheet,
                spec,
                row,
                "skill",
                _("A code is 1 to 32 letters, digits, dots, hyphens or underscores."),
            )
            continue
        if code in parsed.skills:
            errors.bad(
                sheet,
                spec,
                row,
                "skill",
                _("Skill %(code)s is listed twice (first in row %(row)d).")
                % {"code": code, "row": parsed.skills[code].number},
            )
            continue
        parsed.skills[code] = row
        before = len(errors.errors)
        if not values["name"]:
            errors.bad(sheet, spec, row, "name", _("The name is missing."))
        if values["policy"].strip().lower() not in POLICIES:
            errors.bad(
                sheet,
                spec,
                row,
                "policy",
                _("The medal policy is national or worldskills, not %(value)s.")
                % {"value": values["policy"] or "—"},
            )
        minimum = values.get("minimum") or "1"
        if not minimum.isdigit() or int(minimum) < 1:
            errors.bad(
                sheet,
                spec,
                row,
                "minimum",
                _(
                    "The minimum number of competitors is a whole number of at least 1, not %(value)s."
                )
                % {"value": minimum},
            )
        if len(errors.errors) > before:
            parsed.bad_skills.add(code)

    sheet, spec = SCHEME_SHEET, SCHEME_SPEC
    for row in _rows(path, sheet, spec, errors):
        before = len(errors.errors)
        _scheme_row(row, parsed, errors)
        if len(errors.errors) > before:
            parsed.bad_schemes.add(row.values["skill"])
            parsed.bad_aspects.add((row.values["skill"], row.values["code"]))
    for code, row in parsed.skills.items():
        if code in parsed.bad_skills:
            continue
        aspects = parsed.schemes.get(code, [])
        total = sum((spec_.max_mark for _r, spec_ in aspects), Decimal(0))
        if total != 100 and code not in parsed.bad_schemes:
            errors.bad(
                SKILL_SHEET,
                SKILL_SPEC,
                row,
                "skill",
                _(
                    "The maxima of skill %(code)s add up to %(total)s in the sheet 评分标准, not 100."
                )
                % {"code": code, "total": f"{total:.2f}"},
            )
            parsed.bad_schemes.add(code)

    for sheet, spec, target in (
        (COMPETITOR_SHEET, COMPETITOR_SPEC, parsed.competitors),
        (JUDGE_SHEET, JUDGE_SPEC, parsed.judges),
    ):
        identities: dict[tuple[str, str], int] = {}
        for row in _rows(path, sheet, spec, errors):
            person = _person(row, sheet, spec, parsed, errors)
            if person is None:
                parsed.rejected.add((sheet, row.values["skill"], row.values["number"]))
                continue
            place = (person.skill, person.number)
            if place in target:
                errors.bad(
                    sheet,
                    spec,
                    row,
                    "number",
                    _(
                        "Number %(number)s is listed twice for skill %(skill)s (first in row %(row)d)."
                    )
                    % {
                        "number": person.number,
                        "skill": person.skill,
                        "row": target[place].row.number,
                    },
                )
                continue
            seen = identities.get((person.skill, person.identity_number))
            if seen:
                errors.bad(
                    sheet,
                    spec,
                    row,
                    "identity_number",
                    _("This person is listed twice for skill %(skill)s (first in row %(row)d).")
                    % {"skill": person.skill, "row": seen},
                )
                continue
            identities[(person.skill, person.identity_number)] = row.number
            target[place] = person
    for (skill, _number), judge in parsed.judges.items():
        competing = next(
            (
                c
                for c in parsed.competitors.values()
                if c.skill == skill and c.identity_number == judge.identity_number
            ),
            None,
        )
        if competing is not None:
            errors.bad(
                JUDGE_SHEET,
                JUDGE_SPEC,
                judge.row,
                "identity_number",
                _("This judge also competes in skill %(skill)s (选手 row %(row)d).")
                % {"skill": skill, "row": competing.row.number},
            )
    for skill in parsed.skills:
        chiefs = [j for j in parsed.judges.values() if j.skill == skill and j.chief]
        for extra in chiefs[1:]:
            errors.bad(
                JUDGE_SHEET,
                JUDGE_SPEC,
                extra.row,
                "chief",
                _("Skill %(skill)s already has a chief judge (row %(row)d).")
                % {"skill": skill, "row": chiefs[0].row.number},
            )

    parsed.marks = list(_rows(path, MARK_SHEET, MARK_SPEC, errors))
    return parsed


def _scheme_row(row: Row, parsed: _Parsed, errors: _Collector) -> None:
    sheet, spec = SCHEME_SHEET, SCHEME_SPEC
    values = row.values
    if values["skill"] not in parsed.skills:
        errors.bad(
            sheet,
            spec,
            row,
            "skill",
            _("No skill %(code)s in the sheet 赛项.") % {"code": values["skill"] or "—"},
        )
        return
    if not _code_ok(values["code"]):
        errors.bad(
            sheet,
            spec,
            row,
            "code",
            _("A code is 1 to 32 letters, digits, dots, hyphens or underscores."),
        )
        return
    if any(s.code == values["code"] for _r, s in parsed.schemes[values["skill"]]):
        errors.bad(
            sheet,
            spec,
            row,
            "code",
            _("Aspect %(code)s is listed twice for this skill.") % {"code": values["code"]},
        )
        return
    kind = values["kind"].strip().upper()
    if kind not in {"M", "J"}:
        errors.bad(
            sheet,
            spec,
            row,
            "kind",
            _("The type is M (measurement) or J (judgement), not %(value)s.")
            % {"value": values["kind"] or "—"},
        )
        return
    try:
        maximum = actions.parse_max_mark(values["max_mark"])
    except ValidationError as error:
        errors.bad(sheet, spec, row, "max_mark", error.messages[0])
        return
    if not values["description"]:
        errors.bad(sheet, spec, row, "description", _("The description is missing."))
        return
    parsed.schemes[values["skill"]].append(
        (
            row,
            AspectSpec(
                values["code"],
                values["description"],
                kind,
                maximum,
                values.get("sub_criterion") or "",
            ),
        )
    )


def _person(
    row: Row, sheet: str, spec: Spec, parsed: _Parsed, errors: _Collector
) -> _Person | None:
    values = row.values
    ok = True
    if values["skill"] not in parsed.skills:
        errors.bad(
            sheet,
            spec,
            row,
            "skill",
            _("No skill %(code)s in the sheet 赛项.") % {"code": values["skill"] or "—"},
        )
        ok = False
    if not _code_ok(values["number"]):
        errors.bad(
            sheet,
            spec,
            row,
            "number",
            _("A number is 1 to 16 letters, digits, dots, hyphens or underscores."),
        )
        ok = False
    try:
        name = normalise_name(values["name"])
    except ValidationError as error:
        errors.bad(sheet, spec, row, "name", error.messages[0])
        ok, name = False, ""
    number = values["identity_number"]
    identity = ""
    if is_scientific(number):
        errors.bad(
            sheet,
            spec,
            row,
            "identity_number",
            _(
                "The spreadsheet turned this value into a number (%(value)s) and lost its last digits; format the column as text and enter it again."
            )
            % {"value": number},
        )
        ok = False
    else:
        try:
            identity = parse_identity(number).number
        except ValidationError as error:
            errors.bad(sheet, spec, row, "identity_number", error.messages[0])
            ok = False
    unit_code = normalise_credit_code(values.get("unit_code") or "")
    if unit_code:
        try:
            validate_credit_code(unit_code)
        except ValidationError as error:
            errors.bad(sheet, spec, row, "unit_code", error.messages[0])
            ok = False
    elif values.get("unit_name"):
        errors.bad(
            sheet,
            spec,
            row,
            "unit_code",
            _(
                "The employer unit needs its unified social credit code: units are told apart by it."
            ),
        )
        ok = False
    union = None
    union_code = values.get("union_code") or ""
    if union_code:
        union = Organisation.objects.filter(code=union_code).first()
        if union is None or union.type not in MEMBER_UNION_TYPES:
            errors.bad(
                sheet,
                spec,
                row,
                "union_code",
                _("No grassroots union with the code %(code)s.") % {"code": union_code},
            )
            ok = False
    chief_text = (values.get("chief") or "").strip().lower()
    if chief_text not in YES | NO:
        errors.bad(
            sheet,
            spec,
            row,
            "chief",
            _("Chief judge is 是 or 否, not %(value)s.") % {"value": values.get("chief")},
        )
        ok = False
    if not ok:
        return None
    return _Person(
        row,
        values["skill"],
        values["number"],
        name,
        identity,
        values.get("unit_name") or "",
        unit_code,
        union,
        chief_text in YES,
    )


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


class _Abort(Exception):
    """Roll the import back: it was a dry run, or some row was bad."""


def import_workbook(
    path: Path | str,
    *,
    by: Any,
    organiser: Organisation | None = None,
    dry_run: bool = False,
    may_manage: Callable[[Contest], bool] = lambda contest: True,
) -> ImportReport:
    """Check a contest workbook and (unless a dry run or any row is bad) import all of it."""
    path = Path(path)
    collector = _Collector()
    parsed = _read(path, collector)
    report = ImportReport(errors=collector.errors)
    if parsed.contest is None or any(e.row == 0 for e in report.errors):
        # a sheet is missing or unreadable: rows cannot be checked against it
        report.errors = _in_workbook_order(report.errors)
        return report
    try:
        with transaction.atomic():
            _apply(parsed, report, collector, by=by, organiser=organiser, may_manage=may_manage)
            report.errors = _in_workbook_order(collector.errors)
            if report.errors or dry_run:
                raise _Abort
            report.written = True
    except _Abort:
        pass
    if not report.written:
        report.contest = None if report.created else report.contest
    return report


def _step(
    collector: _Collector,
    sheet: str,
    spec: Spec,
    row: Row,
    key: str,
    work: Callable[..., Any],
    **arguments: Any,
) -> Any:
    """Run one action in a savepoint; a refusal becomes this row's error."""
    try:
        with transaction.atomic():
            return work(**arguments)
    except ValidationError as error:
        collector.bad(sheet, spec, row, key, " ".join(error.messages))
        return None


def _apply(
    parsed: _Parsed,
    report: ImportReport,
    collector: _Collector,
    *,
    by: Any,
    organiser: Organisation | None,
    may_manage: Callable[[Contest], bool],
) -> None:
    assert parsed.contest is not None
    row = parsed.contest
    values = row.values
    starts, ends = _date(values["starts_on"]), _date(values["ends_on"])
    contest, problem = _contest_for(values["code"], organiser, may_manage)
    if problem:
        collector.bad(CONTEST_SHEET, CONTEST_SPEC, row, "code", problem)
        return
    if any(e.sheet == CONTEST_SHEET for e in collector.errors):
        # The contest row is bad (and reported): check the other sheets against a stand-in,
        # in this transaction that will be rolled back, so that their bad rows are found too.
        if contest is None:
            assert organiser is not None
            starts = starts or ends or date(2000, 1, 1)
            contest = Contest.objects.create(
                code=values["code"] if _code_ok(values["code"]) else "-",
                name=values["name"] or "-",
                organiser=organiser,
                starts_on=starts,
                ends_on=ends if ends and ends >= starts else starts,
            )
            report.created = True
    elif contest is None and starts is not None and ends is not None:
        assert organiser is not None
        contest = _step(
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
        report.created = True
    elif contest is not None and starts is not None and ends is not None:
        existing = contest
        contest = _step(
            collector,
            CONTEST_SHEET,
            CONTEST_SPEC,
            row,
            "name",
            actions.update_contest,
            by=by,
            contest=existing,
            name=values["name"],
            starts_on=starts,
            ends_on=ends,
            theme=values.get("theme") if values.get("theme") is not None else existing.theme,
            level=existing.level,
            status=existing.status,
        )
    if contest is None:
        return
    report.contest = contest
    counts: dict[str, int] = defaultdict(int)
    skills: dict[str, Skill] = {}
    for code, skill_row in parsed.skills.items():
        if code in parsed.bad_skills:
            continue  # reported on its row; what refers to it is not reported again
        v = skill_row.values
        policy = POLICIES[v["policy"].strip().lower()]
        minimum = int(v.get("minimum") or "1")
        existing_skill = Skill.objects.filter(contest=contest, code=code).first()
        if existing_skill is None:
            skill = _step(
                collector,
                SKILL_SHEET,
                SKILL_SPEC,
                skill_row,
                "skill",
                actions.create_skill,
                by=by,
                contest=contest,
                code=code,
                name=v["name"],
                medal_policy=policy,
                minimum_competitors=minimum,
            )
        elif (
            existing_skill.name,
            existing_skill.medal_policy,
            existing_skill.minimum_competitors,
        ) == (v["name"], policy, minimum):
            skill = existing_skill
        else:
            skill = _step(
                collector,
                SKILL_SHEET,
                SKILL_SPEC,
                skill_row,
                "name",
                actions.update_skill,
                by=by,
                skill=existing_skill,
                name=v["name"],
                medal_policy=policy,
                minimum_competitors=minimum,
            )
        if skill is None:
            continue
        skills[code] = skill
        counts["skills"] += 1
        scheme = [spec_ for _r, spec_ in parsed.schemes.get(code, [])]
        current = [
            (a.code, a.description, a.kind, a.max_mark, a.sub_criterion)
            for a in skill.aspects.all()
        ]
        if code in parsed.bad_schemes:
            continue  # its bad 评分标准 rows are reported; marks against it would only repeat them
        if current != [
            (a.code, a.description, a.kind, a.max_mark, a.sub_criterion) for a in scheme
        ]:
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
    units: dict[str, EmployerUnit] = {}
    entrants: dict[str, dict[tuple[str, str], Any]] = {COMPETITOR_SHEET: {}, JUDGE_SHEET: {}}
    for sheet, spec, people in (
        (COMPETITOR_SHEET, COMPETITOR_SPEC, parsed.competitors),
        (JUDGE_SHEET, JUDGE_SPEC, parsed.judges),
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
            if sheet == COMPETITOR_SHEET:
                done = _step(
                    collector,
                    sheet,
                    spec,
                    person.row,
                    "number",
                    actions.register_competitor,
                    by=by,
                    skill=skill,
                    details=details,
                )
            else:
                chief = person.chief
                done = _step(
                    collector,
                    sheet,
                    spec,
                    person.row,
                    "number",
                    actions.add_judge,
                    by=by,
                    skill=skill,
                    details=details,
                    is_chief=chief,
                )
            if done is not None:
                entrants[sheet][key] = done
                counts["competitors" if sheet == COMPETITOR_SHEET else "judges"] += 1
    _marks(parsed, skills, entrants, collector, by, counts)
    report.counts = dict(counts)


def _unit(
    person: _Person,
    contest: Contest,
    units: dict[str, EmployerUnit],
    by: Any,
    collector: _Collector,
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
    parsed: _Parsed,
    skills: dict[str, Skill],
    entrants: dict[str, dict[tuple[str, str], Any]],
    collector: _Collector,
    by: Any,
    counts: dict[str, int],
) -> None:
    sheet, spec = MARK_SHEET, MARK_SPEC
    # marks are checked against the workbook's scheme, so that they are checked even when the
    # scheme itself is refused (its aspects are then unsaved and nothing will be written)
    aspects: dict[tuple[str, str], Aspect] = {}
    for code, skill in skills.items():
        saved = {each.code: each for each in skill.aspects.all()}
        for _row, wanted in parsed.schemes.get(code, []):
            aspects[(code, wanted.code)] = saved.get(wanted.code) or Aspect(
                skill=skill, code=wanted.code, kind=wanted.kind, max_mark=wanted.max_mark
            )
    by_skill: dict[str, list[tuple[Row, MarkEntry]]] = defaultdict(list)
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in parsed.marks:
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
            continue
        if skill_code not in skills:
            continue  # the skill itself is bad: reported on its own row
        competitor: Competitor | None = entrants[COMPETITOR_SHEET].get(
            (skill_code, v["competitor"])
        )
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
            continue
        aspect = aspects.get((skill_code, v["aspect"]))
        if aspect is None and (skill_code, v["aspect"]) in parsed.bad_aspects:
            continue  # its 评分标准 row is reported
        if aspect is None:
            collector.bad(
                sheet,
                spec,
                row,
                "aspect",
                _("No aspect %(code)s in the scheme of skill %(skill)s.")
                % {"code": v["aspect"] or "—", "skill": skill_code},
            )
            continue
        judge: Judge | None = None
        if aspect.is_judgement:
            if not v.get("judge"):
                collector.bad(
                    sheet,
                    spec,
                    row,
                    "judge",
                    _("Aspect %(code)s is judged: give the judge's number.")
                    % {"code": aspect.code},
                )
                continue
            judge = entrants[JUDGE_SHEET].get((skill_code, v["judge"]))
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
                continue
            reason = conflict_reason(judge, competitor)
            if reason:
                collector.bad(sheet, spec, row, "judge", reason)
                continue
        elif v.get("judge"):
            collector.bad(
                sheet,
                spec,
                row,
                "judge",
                _("Aspect %(code)s is measured: leave the judge's number empty.")
                % {"code": aspect.code},
            )
            continue
        key = (skill_code, competitor.number, aspect.code, judge.number if judge else "")
        if key in seen:
            collector.bad(
                sheet,
                spec,
                row,
                "value",
                _("This mark is given twice (first in row %(row)d).") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        try:
            actions.parse_value(aspect, v["value"])
        except ValidationError as error:
            collector.bad(sheet, spec, row, "value", error.messages[0])
            continue
        by_skill[skill_code].append((row, MarkEntry(competitor, aspect, judge, v["value"])))
    for code, rows in by_skill.items():
        if collector.errors:
            return  # nothing will be written: spare the work
        entries = [entry for _row, entry in rows]
        changed = _step(
            collector,
            sheet,
            spec,
            rows[0][0],
            "value",
            actions.enter_marks,
            by=by,
            skill=skills[code],
            entries=entries,
        )
        counts["marks"] += len(entries)
        counts["marks_changed"] += changed or 0


__all__ = [
    "ERROR_HEADERS",
    "SHEETS",
    "ImportReport",
    "SheetError",
    "import_workbook",
]
