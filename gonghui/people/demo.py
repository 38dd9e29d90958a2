"""A realistic demo roster, and a sample file with a few bad rows for a new user to import.

Names are invented from common surnames and given names, with transliterated names written
with the interpunct; identity numbers are valid for the member's county and unique; nothing
here is anyone's real data.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.types import Actor
from gonghui.core.validators import identity_check_character
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType
from gonghui.people.identity import Identity
from gonghui.people.importing.planning import Units, plan_rows
from gonghui.people.importing.writing import BatchWriter
from gonghui.people.models import CHINESE_SKILL_LEVELS, ImportBatch, SkillLevel
from gonghui.people.tabular import MEMBER_SPEC, MemberRow, row_values, rows_sealer

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华红梅玉兰志强海燕春梅晓东丽娟文博子涵欣怡浩然宇轩梓萱一诺雨桐俊杰佳怡"
TRANSLITERATED = [
    "阿依古丽",
    "古丽娜尔",
    "艾力",
    "买买提",
    "吐尔逊",
    "热依拉",
    "阿不都热合曼",
    "努尔兰",
    "帕提古丽",
    "阿迪力",
    "米娜瓦尔",
    "叶尔兰",
    "哈力木拉提",
    "迪丽努尔",
    "艾克拜尔",
    "巴合提古丽",
]
POSTS = [
    "钳工",
    "焊工",
    "电工",
    "车工",
    "司机",
    "化验员",
    "调度员",
    "仓管员",
    "会计",
    "技术员",
    "营业员",
    "护士",
    "教师",
    "采油工",
    "纺纱工",
]
SKILLS = (
    [SkillLevel.NONE] * 5
    + [SkillLevel.JUNIOR] * 3
    + [SkillLevel.INTERMEDIATE] * 3
    + [SkillLevel.SENIOR] * 2
    + [
        SkillLevel.TECHNICIAN,
        SkillLevel.SENIOR_TECHNICIAN,
    ]
)
SAMPLE_HEADERS = [c.header for c in MEMBER_SPEC.columns if c.key != "gender"]
EVERY_COLUMN = frozenset(c.key for c in MEMBER_SPEC.columns)


def _name(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return f"{rng.choice(TRANSLITERATED)}·{rng.choice(TRANSLITERATED)}"
    given = GIVEN[rng.randrange(len(GIVEN) - 1) :][: rng.choice((1, 2))]
    return rng.choice(SURNAMES) + given


def _identity(rng: random.Random, area: str, used: set[str]) -> Identity:
    while True:
        born = date(1963, 1, 1) + timedelta(days=rng.randrange(40 * 365))
        body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + identity_check_character(body)
        if number not in used:
            used.add(number)
            return Identity(number, born, "M" if int(body[16]) % 2 else "F")


def _row(
    rng: random.Random, number: int, area: str, used: set[str], unit: EmployerUnit | None
) -> MemberRow:
    identity = _identity(rng, area, used)
    name = _name(rng)
    phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
    adult = identity.birth_date + timedelta(days=18 * 366)
    joined = adult + timedelta(days=rng.randrange(max(1, (timezone.localdate() - adult).days)))
    return MemberRow.of(
        number=number,
        identity=identity,
        name=name,
        phone=phone,
        joined_on=joined,
        unit_name=unit.name if unit else "",
        unit_credit_code=unit.credit_code if unit else "",
        post=rng.choice(POSTS),
        skill_level=rng.choice(SKILLS),
        is_frontline=rng.random() < 0.6,
        is_migrant=rng.random() < 0.15,
        is_enterprise_head=rng.random() < 0.02,
    )


def _area(union: Organisation) -> str:
    code = union.division_code or (union.parent.division_code if union.parent else "")
    return code if len(code) == 6 else "650102"


def build_roster(*, members: int, by: Actor = None, seed: int = 2026) -> int:
    """Spread `members` members over the grassroots and joint unions, through the importer."""
    unions = list(
        Organisation.objects.filter(type__in=[OrgType.GRASSROOTS, OrgType.JOINT])
        .select_related("parent")
        .order_by("path")
    )
    if not unions or members <= 0:
        return 0
    unit_of = {u.organisation_id: u for u in EmployerUnit.objects.filter(organisation__in=unions)}
    rng = random.Random(seed)
    used: set[str] = set()
    shares: dict[int, int] = defaultdict(int)
    weights = [rng.lognormvariate(0, 1) for _ in unions]
    for index in rng.choices(range(len(unions)), weights=weights, k=members):
        shares[index] += 1
    root = Organisation.objects.filter(parent=None).order_by("path").first()
    with transaction.atomic():
        # one batch for the whole demo roster, so that it can be rolled back as one
        batch = ImportBatch.objects.create(
            union=root or unions[0],
            file_name="demo roster",
            file_sha256="demo",
            created_by=by,
            rows_total=members,
            options={"demo": True},
        )
        writer = BatchWriter(batch=batch, by=by)
        values, seal = row_values(), rows_sealer()
        for index, count in sorted(shares.items()):
            union = unions[index]
            units = Units(union)
            unit = unit_of.get(union.pk)
            rows = [_row(rng, n + 2, _area(union), used, unit) for n in range(count)]
            for start in range(0, len(rows), 2000):
                plan = plan_rows(
                    rows=seal([values(row) for row in rows[start : start + 2000]]),
                    union=union,
                    present=EVERY_COLUMN,
                    units=units,
                    transfer=False,
                    lock=True,
                )
                writer.write(plan, union=union, units=units)
        writer.finish(rows=members, rejected=0)
    total = members
    return total


def write_sample(folder: Path, *, union: Organisation, seed: int = 7) -> Path:
    """A roster file for `union` with 20 rows, three of them bad, to try the import with."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"会员导入示例-{union.code}.csv"
    unit = EmployerUnit.objects.filter(organisation=union).first()
    rows = []
    for n in range(20):
        row = _row(rng, n + 2, _area(union), set(), unit)
        rows.append(
            [
                row.name,
                row.identity.number,
                row.phone,
                row.joined_on.isoformat() if row.joined_on else "",
                row.unit_name,
                row.unit_credit_code,
                row.post,
                CHINESE_SKILL_LEVELS[SkillLevel(row.skill_level)],
                "是" if row.is_frontline else "否",
                "是" if row.is_migrant else "否",
                "是" if row.is_enterprise_head else "否",
            ]
        )
    rows[4][1] = rows[4][1][:-1] + (
        "0" if rows[4][1][-1] != "0" else "1"
    )  # a wrong check character
    rows[9][2] = "1381234"  # a mobile number that is too short
    rows[14][1] = rows[2][1]  # the same person as an earlier row
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(SAMPLE_HEADERS)
        writer.writerows(rows)
    return path


def write_office_sample(folder: Path, *, union: Organisation, seed: int = 11) -> Path:
    """A roster as a union office keeps it (花名册): a merged title and a 填报 line above the
    header, a 序号 and a 备注 column, dates typed as people type them, a 合计 row and a
    填表人 line below. It imports as it is: every row is good."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"会员花名册示例-{union.code}.xlsx"
    unit = EmployerUnit.objects.filter(organisation=union).first()
    typed = (
        lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
        lambda d: f"{d.year}/{d.month}/{d.day}",
        lambda d: f"{d.year}年{d.month}月{d.day}日",
        lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
        lambda d: f"{d.year}.{d.month}",  # a month alone: its first day
    )
    today = timezone.localdate()
    header = ["序号", *SAMPLE_HEADERS, "备注"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append([f"{union.name}会员花名册"])
    filled_on = f"填报日期：{today.year}年{today.month}月{today.day}日"
    sheet.append([f"填报单位：{union.name}", None, None, None, filled_on])
    sheet.append(header)
    seen: set[str] = set()
    for n in range(12):
        row = _row(rng, n + 4, _area(union), seen, unit)
        joined = typed[n % len(typed)](row.joined_on) if row.joined_on else ""
        sheet.append(
            [
                n + 1,
                row.name,
                row.identity.number,
                row.phone,
                joined,
                row.unit_name,
                row.unit_credit_code,
                row.post,
                CHINESE_SKILL_LEVELS[SkillLevel(row.skill_level)],
                "√" if row.is_frontline else "×",
                "是" if row.is_migrant else "否",
                "Y" if row.is_enterprise_head else "N",
                "",
            ]
        )
    sheet.append([])
    sheet.append(["合计：12人"])
    sheet.append(["填表人：", None, "审核人：", None, "联系电话："])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.merge_cells("A2:D2")
    workbook.save(path)
    return path
