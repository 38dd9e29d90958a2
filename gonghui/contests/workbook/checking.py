"""Reading every sheet of a contest workbook and checking each row: its own cells, then the
references between sheets that need no database."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.contests import actions, scoring
from gonghui.contests.actions import AspectSpec
from gonghui.contests.models import validate_contest_code_not_reserved
from gonghui.contests.workbook.sheets import (
    COMPETITOR_SHEET,
    COMPETITOR_SPEC,
    CONTEST_SHEET,
    CONTEST_SPEC,
    JUDGE_SHEET,
    JUDGE_SPEC,
    MARK_SHEET,
    MARK_SPEC,
    NO,
    POLICIES,
    SCHEME_SHEET,
    SCHEME_SPEC,
    SKILL_SHEET,
    SKILL_SPEC,
    YES,
    Collector,
    ParsedWorkbook,
    PersonRow,
    SheetError,
    code_ok,
    parse_date,
    parse_minimum,
    sheet_rows,
)
from gonghui.core.tabular import Row, Spec, is_scientific
from gonghui.core.validators import normalise_credit_code, validate_credit_code
from gonghui.orgs.models import Organisation
from gonghui.people.actions import MEMBER_UNION_TYPES
from gonghui.people.identity import normalise_name, parse_identity


def read_workbook(path: Path, errors: Collector) -> ParsedWorkbook:
    """Every sheet in order, each row checked on its own cells and against the sheets before
    it; the marks are only read here (they are checked against the database on import)."""
    parsed = ParsedWorkbook()
    _read_contest(path, parsed, errors)
    _read_skills(path, parsed, errors)
    _read_schemes(path, parsed, errors)
    _read_people(path, COMPETITOR_SHEET, COMPETITOR_SPEC, parsed.competitors, parsed, errors)
    _read_people(path, JUDGE_SHEET, JUDGE_SPEC, parsed.judges, parsed, errors)
    _check_judges(parsed, errors)
    parsed.marks = list(sheet_rows(path, MARK_SHEET, MARK_SPEC, errors))
    return parsed


def _read_contest(path: Path, parsed: ParsedWorkbook, errors: Collector) -> None:
    """The sheet 竞赛: exactly one row, the contest."""
    sheet, spec = CONTEST_SHEET, CONTEST_SPEC
    for row in sheet_rows(path, sheet, spec, errors):
        if parsed.contest is not None:
            errors.bad(sheet, spec, row, "", _("The sheet 竞赛 has one row: the contest."))
            continue
        parsed.contest = row
        _contest_row(row, errors)
    if parsed.contest is None and not any(e.sheet == CONTEST_SHEET for e in errors.errors):
        errors.errors.append(
            SheetError(CONTEST_SHEET, 0, "", _("The sheet 竞赛 has no contest row."))
        )


def _contest_row(row: Row, errors: Collector) -> None:
    sheet, spec = CONTEST_SHEET, CONTEST_SPEC
    values = row.values
    if not code_ok(values["code"]):
        errors.bad(
            sheet,
            spec,
            row,
            "code",
            _("A code is 1 to 32 letters, digits, dots, hyphens or underscores."),
        )
    else:
        try:
            validate_contest_code_not_reserved(values["code"])
        except ValidationError as error:
            errors.bad(sheet, spec, row, "code", error.messages[0])
    if not values["name"]:
        errors.bad(sheet, spec, row, "name", _("The name is missing."))
    starts, ends = parse_date(values["starts_on"]), parse_date(values["ends_on"])
    for key, value in (("starts_on", starts), ("ends_on", ends)):
        if value is None:
            errors.bad(
                sheet,
                spec,
                row,
                key,
                _("%(value)s is not a date such as 2026-05-01.") % {"value": values[key] or "—"},
            )
    if starts and ends and ends < starts:
        errors.bad(sheet, spec, row, "ends_on", _("A contest cannot end before it starts."))


def _read_skills(path: Path, parsed: ParsedWorkbook, errors: Collector) -> None:
    """The sheet 赛项: one row per skill, its code once."""
    sheet, spec = SKILL_SHEET, SKILL_SPEC
    for row in sheet_rows(path, sheet, spec, errors):
        code = row.values["skill"]
        if not code_ok(code):
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
        _skill_row(row, errors)
        if len(errors.errors) > before:
            parsed.bad_skills.add(code)


def _skill_row(row: Row, errors: Collector) -> None:
    sheet, spec = SKILL_SHEET, SKILL_SPEC
    values = row.values
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
    if parse_minimum(minimum) is None:
        errors.bad(
            sheet,
            spec,
            row,
            "minimum",
            _("The minimum number of competitors is a whole number of at least 1, not %(value)s.")
            % {"value": minimum},
        )


def _read_schemes(path: Path, parsed: ParsedWorkbook, errors: Collector) -> None:
    """The sheet 评分标准: each aspect row on its own, then each skill's scheme by the rule of
    `scoring.scheme_problem`, reported on the skill's row."""
    for row in sheet_rows(path, SCHEME_SHEET, SCHEME_SPEC, errors):
        before = len(errors.errors)
        _scheme_row(row, parsed, errors)
        if len(errors.errors) > before:
            parsed.bad_schemes.add(row.values["skill"])
            parsed.bad_aspects.add((row.values["skill"], row.values["code"]))
    for code, row in parsed.skills.items():
        if code in parsed.bad_skills or code in parsed.bad_schemes:
            continue
        aspects = parsed.schemes.get(code, [])
        problem = scoring.scheme_problem((spec_.code, spec_.max_mark) for _r, spec_ in aspects)
        if problem is not None:
            errors.bad(
                SKILL_SHEET,
                SKILL_SPEC,
                row,
                "skill",
                _("Its aspects in the sheet 评分标准: %(problem)s") % {"problem": problem},
            )
            parsed.bad_schemes.add(code)


def _read_people(
    path: Path,
    sheet: str,
    spec: Spec,
    target: dict[tuple[str, str], PersonRow],
    parsed: ParsedWorkbook,
    errors: Collector,
) -> None:
    """The sheet 选手 or 裁判: each person's row, their number and identity once per skill."""
    identities: dict[tuple[str, str], int] = {}
    for row in sheet_rows(path, sheet, spec, errors):
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
                _("Number %(number)s is listed twice for skill %(skill)s (first in row %(row)d).")
                % {"number": person.number, "skill": person.skill, "row": target[place].row.number},
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


def _check_judges(parsed: ParsedWorkbook, errors: Collector) -> None:
    """No judge competes in the skill they judge, and each skill has one chief judge at most."""
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


def _scheme_row(row: Row, parsed: ParsedWorkbook, errors: Collector) -> None:
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
    if not code_ok(values["code"]):
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
    row: Row, sheet: str, spec: Spec, parsed: ParsedWorkbook, errors: Collector
) -> PersonRow | None:
    """A competitor's or judge's row, or None (and every bad cell reported)."""
    values = row.values
    before = len(errors.errors)
    if values["skill"] not in parsed.skills:
        errors.bad(
            sheet,
            spec,
            row,
            "skill",
            _("No skill %(code)s in the sheet 赛项.") % {"code": values["skill"] or "—"},
        )
    if not code_ok(values["number"]):
        errors.bad(
            sheet,
            spec,
            row,
            "number",
            _("A number is 1 to 16 letters, digits, dots, hyphens or underscores."),
        )
    try:
        name = normalise_name(values["name"])
    except ValidationError as error:
        errors.bad(sheet, spec, row, "name", error.messages[0])
        name = ""
    identity = _identity_number(row, sheet, spec, errors)
    unit_code = _unit_code(row, sheet, spec, errors)
    union = _union(row, sheet, spec, errors)
    chief_text = (values.get("chief") or "").strip().lower()
    if chief_text not in YES | NO:
        errors.bad(
            sheet,
            spec,
            row,
            "chief",
            _("Chief judge is 是 or 否, not %(value)s.") % {"value": values.get("chief")},
        )
    if len(errors.errors) > before:
        return None
    return PersonRow(
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


def _identity_number(row: Row, sheet: str, spec: Spec, errors: Collector) -> str:
    """The resident identity number as stored, or "" (and the cell reported)."""
    number = row.values["identity_number"]
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
        return ""
    try:
        return parse_identity(number).number
    except ValidationError as error:
        errors.bad(sheet, spec, row, "identity_number", error.messages[0])
        return ""


def _unit_code(row: Row, sheet: str, spec: Spec, errors: Collector) -> str:
    """The employer unit's credit code, normalised ("" when none is given or it is bad)."""
    values = row.values
    unit_code = normalise_credit_code(values.get("unit_code") or "")
    if unit_code:
        try:
            validate_credit_code(unit_code)
        except ValidationError as error:
            errors.bad(sheet, spec, row, "unit_code", error.messages[0])
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
    return unit_code


def _union(row: Row, sheet: str, spec: Spec, errors: Collector) -> Organisation | None:
    """The grassroots union named by its code, if any."""
    union_code = row.values.get("union_code") or ""
    if not union_code:
        return None
    union = Organisation.objects.filter(code=union_code).first()
    if union is None or union.type not in MEMBER_UNION_TYPES:
        errors.bad(
            sheet,
            spec,
            row,
            "union_code",
            _("No grassroots union with the code %(code)s.") % {"code": union_code},
        )
        return None
    return union
