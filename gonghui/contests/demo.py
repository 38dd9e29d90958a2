"""Demo contests: a finished regional contest with three skills, one prefecture contest under
way (a conflict of interest, a divergence to resolve, marks missing), and sample workbooks.

Everything goes through the actions, so the demo is also audited like real work. Names and
identity numbers are invented; identity numbers are valid and distinct from the roster's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from gonghui.accounts.types import Actor
from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, EntrantDetails, MarkEntry
from gonghui.contests.marking import SkillSheet
from gonghui.contests.models import Contest, ContestLevel, ContestStatus, Skill
from gonghui.contests.workbook import SHEETS
from gonghui.core.validators import credit_code_check_character, identity_check_character
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType
from gonghui.people.actions import identity_digests
from gonghui.people.models import Person

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭"
GIVEN = ["伟", "芳", "建国", "海燕", "志强", "丽娟", "晓东", "玉兰", "俊杰", "春梅", "文博", "子涵"]
TRANSLITERATED = [
    "阿依古丽·买买提",
    "艾力·吐尔逊",
    "古丽娜尔·艾买提",
    "努尔兰·叶尔兰",
    "迪丽努尔·阿迪力",
]

WELDING = [
    AspectSpec("A1", "焊缝外观成形", "M", Decimal("15.00"), "A 外观"),
    AspectSpec("A2", "焊缝尺寸偏差", "M", Decimal("15.00"), "A 外观"),
    AspectSpec("B1", "射线探伤合格", "M", Decimal("30.00"), "B 内部质量"),
    AspectSpec("C1", "工艺规范与操作", "J", Decimal("20.00"), "C 工艺"),
    AspectSpec("C2", "安全文明生产", "J", Decimal("20.00"), "C 工艺"),
]
ELECTRICAL = [
    AspectSpec("A1", "电路安装正确", "M", Decimal("35.00"), "A 安装"),
    AspectSpec("A2", "调试一次成功", "M", Decimal("25.00"), "A 安装"),
    AspectSpec("B1", "布线工艺", "J", Decimal("25.00"), "B 工艺"),
    AspectSpec("B2", "安全规范", "J", Decimal("15.00"), "B 工艺"),
]
TURNING = [
    AspectSpec("A1", "外圆尺寸精度", "M", Decimal("30.00"), "A 精度"),
    AspectSpec("A2", "螺纹配合", "M", Decimal("20.00"), "A 精度"),
    AspectSpec("A3", "表面粗糙度", "M", Decimal("20.50"), "A 精度"),
    AspectSpec("B1", "程序与工艺", "J", Decimal("19.50"), "B 工艺"),
    AspectSpec("B2", "职业素养", "J", Decimal("10.00"), "B 工艺"),
]


@dataclass
class _People:
    """Invented people, each with a fresh valid identity number."""

    rng: random.Random
    serial: int = 0

    def next(self) -> tuple[str, str]:
        while True:
            self.serial += 1
            first17 = f"650104{1975 + self.serial % 25}{1 + self.serial % 12:02d}{1 + self.serial % 28:02d}{(500 + self.serial) % 1000:03d}"
            number = first17 + identity_check_character(first17)
            if not Person.objects.filter(identity_hash__in=identity_digests(number)).exists():
                break
        if self.serial % 7 == 0:
            name = TRANSLITERATED[self.serial % len(TRANSLITERATED)]
        else:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
        return number, name


def _units(organisations: list[Organisation], count: int) -> list[EmployerUnit]:
    return list(
        EmployerUnit.objects.filter(organisation__in=organisations).select_related("organisation")[
            :count
        ]
    )


def _register(
    skill: Skill,
    people: _People,
    units: list[EmployerUnit],
    *,
    competitors: int,
    judges: int,
    by: Actor,
    judge_units: list[EmployerUnit],
) -> None:
    for n in range(1, competitors + 1):
        number, name = people.next()
        unit = units[(n - 1) % len(units)] if units else None
        actions.register_competitor(
            by=by,
            skill=skill,
            details=EntrantDetails(
                number=f"{skill.code}-{n:03d}",
                identity_number=number,
                name=name,
                unit=unit,
                union=_union_of(unit),
            ),
        )
    for n in range(1, judges + 1):
        number, name = people.next()
        unit = judge_units[(n - 1) % len(judge_units)] if judge_units else None
        actions.add_judge(
            by=by,
            skill=skill,
            details=EntrantDetails(
                number=f"J{n}", identity_number=number, name=name, unit=unit, union=_union_of(unit)
            ),
            is_chief=n == 1,
        )


def _union_of(unit: EmployerUnit | None) -> Organisation | None:
    if unit is None or unit.organisation.type not in {OrgType.GRASSROOTS, OrgType.JOINT}:
        return None
    return unit.organisation


def _marks(sheet: SkillSheet, rng: random.Random, *, complete: float = 1.0) -> list[MarkEntry]:
    entries: list[MarkEntry] = []
    for competitor in sheet.competitors:
        ability = rng.uniform(0.45, 0.95)
        if rng.random() > complete:
            continue
        judges = sheet.eligible_judges(competitor)
        for aspect in sheet.aspects:
            if aspect.is_judgement:
                base = min(2, int(ability * 3))
                for judge in judges:
                    score = base + (1 if rng.random() < ability - base / 3 else 0)
                    entries.append(MarkEntry(competitor, aspect, judge, str(score)))
            else:
                share = min(1.0, max(0.0, ability + rng.uniform(-0.1, 0.1)))
                mark = (aspect.max_mark * Decimal(str(round(share, 3)))).quantize(Decimal("0.01"))
                entries.append(MarkEntry(competitor, aspect, None, str(mark)))
    return entries


@transaction.atomic
def build_contests(
    *, root: Organisation, prefecture: Organisation, by: Actor = None
) -> list[Contest]:
    """The finished regional contest and the prefecture contest in progress."""
    rng = random.Random(2026)
    people = _People(rng)
    everywhere = list(Organisation.objects.subtree(root).filter(type=OrgType.GRASSROOTS)[:60])
    units = _units(everywhere, 40)
    finished = _finished_contest(root, people, units, rng, by=by)
    running = _running_contest(prefecture, people, units, rng, by=by)
    return [finished, running]


def _finished_contest(
    root: Organisation, people: _People, units: list[EmployerUnit], rng: random.Random, *, by: Actor
) -> Contest:
    """The regional contest: three skills fully marked and signed off."""
    contest = actions.create_contest(
        by=by,
        code="XJ-2026-JN",
        name="2026年新疆职工职业技能大赛",
        theme="技能强国 匠心筑梦",
        organiser=root,
        starts_on=date(2026, 5, 12),
        ends_on=date(2026, 5, 15),
        level=ContestLevel.REGIONAL,
    )
    plans = [
        ("HG", "焊工", "worldskills", 5, WELDING, 16),
        ("DG", "电工", "national", 5, ELECTRICAL, 20),
        ("SK", "数控车工", "national", 8, TURNING, 12),
    ]
    for code, name, policy, minimum, scheme, count in plans:
        skill = actions.create_skill(
            by=by,
            contest=contest,
            code=code,
            name=name,
            medal_policy=policy,
            minimum_competitors=minimum,
        )
        actions.set_scheme(by=by, skill=skill, aspects=scheme)
        # judges from units with no competitors, so that nobody is short of judges
        _register(
            skill, people, units[:20], competitors=count, judges=5, by=by, judge_units=units[30:35]
        )
        sheet = SkillSheet.load(skill)
        actions.enter_marks(by=by, skill=skill, entries=_marks(sheet, rng))
        actions.sign_off_skill(by=by, skill=skill)
    _set_status(contest, ContestStatus.FINISHED, by=by)
    return contest


def _running_contest(
    prefecture: Organisation,
    people: _People,
    units: list[EmployerUnit],
    rng: random.Random,
    *,
    by: Actor,
) -> Contest:
    """The prefecture contest under way: a recused judge, a divergence, marks missing."""
    local = list(Organisation.objects.subtree(prefecture).filter(type=OrgType.GRASSROOTS)[:20])
    local_units = _units(local, 12)
    contest = actions.create_contest(
        by=by,
        code="UR-2026-LD",
        name="乌鲁木齐市2026年“安康杯”劳动竞赛",
        theme="安全生产 岗位建功",
        organiser=prefecture,
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 12, 10),
        level=ContestLevel.PREFECTURE,
    )
    _set_status(contest, ContestStatus.RUNNING, by=by)
    skill = actions.create_skill(
        by=by, contest=contest, code="DG", name="维修电工", medal_policy="national"
    )
    actions.set_scheme(by=by, skill=skill, aspects=ELECTRICAL)
    # judges J1–J3 come from elsewhere in the region; J4 works where competitor DG-001 works,
    # so the grid shows J4 recused for DG-001
    outside = [u for u in units if u not in local_units][:3]
    _register(
        skill,
        people,
        local_units[:6],
        competitors=10,
        judges=4,
        by=by,
        judge_units=[*outside, local_units[0]] if len(outside) == 3 and local_units else [],
    )
    sheet = SkillSheet.load(skill)
    entries = _marks(sheet, rng, complete=0.7)
    judged = next((a for a in sheet.aspects if a.is_judgement), None)
    first = sheet.competitors[0]
    eligible = sheet.eligible_judges(first)
    if judged is not None and len(eligible) >= 2:
        entries = [e for e in entries if not (e.competitor == first and e.aspect == judged)]
        scores = ["3", "1"] + ["2"] * (len(eligible) - 2)  # more than 1 apart: flagged
        entries += [MarkEntry(first, judged, j, s) for j, s in zip(eligible, scores, strict=True)]
    actions.enter_marks(by=by, skill=skill, entries=entries)
    return contest


def _set_status(contest: Contest, status: str, *, by: Actor) -> None:
    actions.update_contest(
        by=by,
        contest=contest,
        name=contest.name,
        theme=contest.theme,
        starts_on=contest.starts_on,
        ends_on=contest.ends_on,
        level=contest.level,
        status=status,
    )


# The sample workbook's headers as an officer's spreadsheet has them (竞赛 without its
# optional 主题), in the order of the sheets.
SAMPLE_HEADERS = {
    "竞赛": ["竞赛代码", "竞赛名称", "开始日期", "结束日期"],
    "赛项": ["赛项代码", "赛项名称", "奖项规则", "最少参赛人数"],
    "评分标准": ["赛项代码", "子标准", "评分项代码", "评分项说明", "类型", "分值"],
    "选手": [
        "赛项代码",
        "选手编号",
        "姓名",
        "公民身份号码",
        "工作单位",
        "单位统一社会信用代码",
        "基层工会代码",
    ],
    "裁判": [
        "赛项代码",
        "裁判编号",
        "姓名",
        "公民身份号码",
        "工作单位",
        "单位统一社会信用代码",
        "基层工会代码",
        "裁判长",
    ],
    "评分": ["赛项代码", "选手编号", "评分项代码", "裁判编号", "分数"],
}


def write_sample_workbooks(folder: Path, *, unions: list[Organisation]) -> tuple[Path, Path]:
    """A clean contest workbook to import, and the same with bad rows on purpose."""
    assert [name for name, _spec in SHEETS] == list(SAMPLE_HEADERS)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    rows = _sample_rows(rng, [u.code for u in unions] or [""])
    clean = _save_sample(folder / "contest-workbook.xlsx", rows)
    bad = {name: [list(row) for row in content] for name, content in rows.items()}
    bad["评分标准"][2][5] = 29.5  # maxima add up to 99.50
    bad["选手"][1][3] = bad["选手"][1][3][:-1] + ("0" if bad["选手"][1][3][-1] != "0" else "1")
    bad["评分"][0][4] = 45  # above the maximum of 40
    bad["评分"].append(["CG", "CG-99", "A1", "", 10])  # no such competitor
    broken = _save_sample(folder / "contest-workbook-with-errors.xlsx", bad)
    return clean, broken


def _sample_rows(rng: random.Random, union_codes: list[str]) -> dict[str, list[list[Any]]]:
    """The rows of a clean sample workbook: one skill, six competitors, four judges, marks."""
    people = _sample_people(rng)
    rows: dict[str, list[list[Any]]] = {
        "竞赛": [["SAMPLE-2026", "2026年职工技能竞赛（导入样例）", "2026-06-01", "2026-06-02"]],
        "赛项": [["CG", "钳工", "national", 3]],
        "评分标准": [
            ["CG", "A 精度", "A1", "尺寸精度", "M", 40],
            ["CG", "A 精度", "A2", "配合间隙", "M", 30],
            ["CG", "B 工艺", "B1", "操作规范", "J", 30],
        ],
        "选手": [],
        "裁判": [],
        "评分": [],
    }
    for n in range(6):
        number, name = people[n]
        rows["选手"].append(
            [
                "CG",
                f"CG-{n + 1:02d}",
                name,
                number,
                f"样例机械厂{n % 3 + 1}",
                _sample_credit_code(n % 3),
                union_codes[n % len(union_codes)],
            ]
        )
    for n in range(4):
        number, name = people[8 + n]
        rows["裁判"].append(
            [
                "CG",
                f"J{n + 1}",
                name,
                number,
                f"样例检测中心{n + 1}",
                _sample_credit_code(10 + n),
                "",
                "是" if n == 0 else "否",
            ]
        )
    for n in range(6):
        competitor = f"CG-{n + 1:02d}"
        rows["评分"].append(["CG", competitor, "A1", "", round(rng.uniform(25, 40), 2)])
        rows["评分"].append(["CG", competitor, "A2", "", round(rng.uniform(18, 30), 2)])
        base = rng.choice([1, 2])
        for j in range(4):
            rows["评分"].append(
                ["CG", competitor, "B1", f"J{j + 1}", base + (j % 2 if base < 3 else 0)]
            )
    return rows


def _sample_people(rng: random.Random) -> list[tuple[str, str]]:
    """Fourteen invented people (identity number, name) for the sample workbook."""
    people: list[tuple[str, str]] = []
    serial = 0
    while len(people) < 14:
        serial += 1
        first17 = f"650105{1980 + serial % 20}{1 + serial % 12:02d}{1 + serial % 28:02d}{(700 + serial) % 1000:03d}"
        number = first17 + identity_check_character(first17)
        people.append((number, rng.choice(SURNAMES) + rng.choice(GIVEN)))
    return people


def _sample_credit_code(n: int) -> str:
    first17 = f"91650105{770000000 + n:09d}"
    return first17 + credit_code_check_character(first17)


def _save_sample(path: Path, content: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, header in SAMPLE_HEADERS.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in content[name]:
            sheet.append(row)
        for cell in sheet[1]:
            sheet.column_dimensions[cell.column_letter].width = 16
        if name in {"选手", "裁判"}:
            for row_cells in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
                for cell in row_cells:
                    cell.number_format = "@"  # identity numbers stay text
    workbook.save(path)
    return path
