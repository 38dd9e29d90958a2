"""What a contest workbook holds: its sheets and their columns, and what reading it gives."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError

from gonghui.contests.actions import AspectSpec
from gonghui.contests.models import Contest, MedalPolicyChoice
from gonghui.core.tabular import Column, Row, Spec, UnreadableFile, open_table
from gonghui.core.tabular import base as tabular_base
from gonghui.core.tabular.base import parse_typed_date, parse_typed_number
from gonghui.orgs.models import Organisation, code_validator

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


def in_workbook_order(errors: list[SheetError]) -> list[SheetError]:
    return sorted(errors, key=lambda e: (SHEET_ORDER.get(e.sheet, 0), e.row, e.column, e.message))


POLICIES = {
    "national": MedalPolicyChoice.NATIONAL,
    "全国": MedalPolicyChoice.NATIONAL,
    "优胜奖": MedalPolicyChoice.NATIONAL,
    "worldskills": MedalPolicyChoice.WORLDSKILLS,
    "世界技能大赛": MedalPolicyChoice.WORLDSKILLS,
    "卓越奖": MedalPolicyChoice.WORLDSKILLS,
}
YES, NO = tabular_base.YES, tabular_base.NO


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
class PersonRow:
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
class ParsedWorkbook:
    contest: Row | None = None
    skills: dict[str, Row] = field(default_factory=dict)
    schemes: dict[str, list[tuple[Row, AspectSpec]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    competitors: dict[tuple[str, str], PersonRow] = field(default_factory=dict)
    judges: dict[tuple[str, str], PersonRow] = field(default_factory=dict)
    marks: list[Row] = field(default_factory=list)
    # rows refused on their own cells: marks that name them are not reported again
    rejected: set[tuple[str, str, str]] = field(default_factory=set)  # (sheet, skill, number)
    bad_skills: set[str] = field(default_factory=set)  # skills whose own row is refused
    bad_schemes: set[str] = field(default_factory=set)  # skills whose scheme is refused
    bad_aspects: set[tuple[str, str]] = field(default_factory=set)  # (skill, aspect) refused


class Collector:
    def __init__(self) -> None:
        self.errors: list[SheetError] = []

    def bad(self, sheet: str, spec: Spec, row: Row | int, key: str, message: str) -> None:
        number = row if isinstance(row, int) else row.number
        header = spec.header(key) if key else ""
        self.errors.append(SheetError(sheet, number, header, message))


def sheet_rows(path: Path, sheet: str, spec: Spec, errors: Collector) -> Iterator[Row]:
    try:
        with open_table(path, spec=spec, sheet=sheet, allow_empty=True) as table:
            yield from table
    except UnreadableFile as error:
        errors.errors.append(SheetError(sheet, 0, "", error.message))


def parse_date(text: str) -> date | None:
    """A day as people type it (2026-05-01, 2026/5/1, 2026.05.01, 2026年5月1日, 20260501); a
    month alone is not a contest's day."""
    try:
        day, month_only = parse_typed_date(text)
    except ValueError:
        return None
    return None if month_only else day


def parse_minimum(text: str) -> int | None:
    """The least number of competitors a skill needs (1 when blank): a whole number of at
    least 1, as people type it (１０, 1,000); None when it is not."""
    try:
        number = parse_typed_number(text or "1")
    except ValueError:
        return None
    if number != number.to_integral_value() or number < 1:
        return None
    return int(number)


def code_ok(value: str) -> bool:
    try:
        code_validator(value)
    except ValidationError:
        return False
    return True
