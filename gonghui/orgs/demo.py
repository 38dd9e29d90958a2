"""The demo federation that `gonghui demo` builds (and `make run` loads on an empty database).

新疆维吾尔自治区总工会 with a federation for every prefecture-level division and directly
administered city, one for every county beneath them (real GB/T 2260 codes and names), a few
industry unions, a few hundred grassroots and joint unions with invented names, an employer
unit for each grassroots union, and six accounts, one for each kind of user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gonghui.accounts.actions import create_user, grant_role
from gonghui.accounts.models import Role, User
from gonghui.core import audit
from gonghui.core.validators import (
    credit_code_check_character,
    validate_credit_code,
    validate_division_code,
)
from gonghui.orgs.actions import placeholder_path
from gonghui.orgs.division_codes import DIRECT_CITIES, PREFECTURES, REGION
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType, path_segment

DEMO_PASSWORD = "gonghui-demo"  # noqa: S105 - printed in the README on purpose

# username, what the account is (printed by `gonghui demo` and `gonghui serve`)
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("federation", "officer of the regional federation (自治区总工会 管理员)"),
    ("prefecture", "officer of 乌鲁木齐市总工会"),
    ("county", "officer of a county federation in 乌鲁木齐市"),
    ("grassroots", "officer of one grassroots union in that county"),
    ("auditor", "auditor of the regional federation (审计员)"),
    ("security", "security administrator of the regional federation (安全管理员)"),
]

ROOT_CODE = REGION[0]
DEFAULT_GRASSROOTS_PER_COUNTY = 3

# username -> (organisation code, role, full name); 650102-G001 is always a grassroots union
ACCOUNT_PLAN: dict[str, tuple[str, str, str]] = {
    "federation": (ROOT_CODE, Role.OFFICER, "王建华"),
    "prefecture": ("650100", Role.OFFICER, "李娜"),
    "county": ("650102", Role.OFFICER, "阿不都热合曼·买买提"),
    "grassroots": ("650102-G001", Role.OFFICER, "古丽娜尔·艾力"),
    "auditor": (ROOT_CODE, Role.AUDITOR, "张敏"),
    "security": (ROOT_CODE, Role.SECURITY, "刘强"),
}

INDUSTRY_UNIONS: tuple[str, ...] = (
    "自治区教育工会",
    "自治区能源化学工会",
    "自治区机械冶金建材工会",
    "自治区交通运输工会",
    "自治区财贸轻纺烟草工会",
    "自治区农林水利气象工会",
)

# Invented employer names: 24 x 17 (coprime) gives 408 distinct pairs before any repeats.
BRANDS: tuple[str, ...] = (
    "恒泰", "瑞丰", "嘉禾", "华隆", "博源", "福瑞", "德盛", "雪峰",
    "绿洲", "长盛", "汇通", "明远", "宏达", "鑫源", "安泰", "众和",
    "百川", "金穗", "天和", "祥云", "锦程", "同信", "丰泽", "晨光",
)  # fmt: skip
TRADES: tuple[str, ...] = (
    "建材有限公司", "棉业有限公司", "物流有限公司", "农产品有限公司", "电力工程有限公司",
    "纺织有限公司", "乳业有限公司", "果业有限公司", "建筑工程有限公司", "能源化工有限公司",
    "商贸有限公司", "番茄制品有限公司", "机械制造有限公司", "矿业有限公司",
    "酒店管理有限公司", "道路运输有限公司", "食品有限公司",
)  # fmt: skip
COMMUNITIES: tuple[str, ...] = (
    "幸福路", "团结路", "友好", "新华", "和平", "光明", "胜利", "人民路", "朝阳", "解放路",
)  # fmt: skip

_ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class DemoConflict(Exception):
    """The database already holds something the demo would create."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    organisation: Organisation
    role: str


@dataclass(frozen=True)
class DemoSummary:
    root: Organisation
    organisations: dict[str, int]  # how many of each OrgType value
    units: int
    accounts: tuple[DemoAccount, ...]

    @property
    def total_organisations(self) -> int:
        return sum(self.organisations.values())


@dataclass
class _Plan:
    levels: list[list[Organisation]] = field(default_factory=list)
    units: list[EmployerUnit] = field(default_factory=list)

    @property
    def organisations(self) -> list[Organisation]:
        return [org for level in self.levels for org in level]


def organisation_code(body: str) -> str:
    """GB 11714: eight characters and a MOD 11 check character (10 is X, 11 is 0)."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(*, prefix: str, division_code: str, body: str) -> str:
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    first17 = prefix + division_code + organisation_code(body)
    code = first17 + credit_code_check_character(first17)
    validate_credit_code(code)
    return code


def database_is_empty() -> bool:
    return not Organisation.objects.exists() and not User.objects.exists()


def _org(
    code: str, name: str, org_type: str, parent: Organisation | None, division_code: str
) -> Organisation:
    validate_division_code(division_code)
    return Organisation(
        code=code,
        name=name,
        type=org_type,
        parent=parent,
        division_code=division_code,
        path=placeholder_path(),
        depth=parent.depth + 1 if parent else 0,
    )


def _plan(grassroots_per_county: int) -> _Plan:
    root = _org(ROOT_CODE, f"{REGION[1]}总工会", OrgType.FEDERATION, None, ROOT_CODE)
    plan = _Plan(levels=[[root], [], [], []])
    hosts: list[Organisation] = []  # the county-level federations that get grassroots unions
    for code, name, counties in PREFECTURES:
        prefecture = _org(code, f"{name}总工会", OrgType.PREFECTURE, root, code)
        plan.levels[1].append(prefecture)
        for county_code, county_name in counties:
            county = _org(
                county_code, f"{county_name}总工会", OrgType.COUNTY, prefecture, county_code
            )
            plan.levels[2].append(county)
            hosts.append(county)
    for code, name in DIRECT_CITIES:
        city = _org(code, f"{name}总工会", OrgType.PREFECTURE, root, code)
        plan.levels[1].append(city)
        hosts.append(city)
    for number, name in enumerate(INDUSTRY_UNIONS, start=1):
        plan.levels[1].append(
            _org(f"{ROOT_CODE}-HY{number:02d}", name, OrgType.INDUSTRY, root, ROOT_CODE)
        )

    serial = 0
    for host_index, host in enumerate(hosts):
        place = host.name.removesuffix("总工会")
        for j in range(grassroots_per_county):
            serial += 1
            # every other county's last union is a joint union of small employers
            is_joint = j > 0 and j == grassroots_per_county - 1 and host_index % 2 == 1
            employer = f"新疆{BRANDS[serial % len(BRANDS)]}{TRADES[serial % len(TRADES)]}"
            union = _org(
                f"{host.code}-G{j + 1:03d}",
                f"{place}{COMMUNITIES[serial % len(COMMUNITIES)]}社区联合工会"
                if is_joint
                else f"{employer}工会",
                OrgType.JOINT if is_joint else OrgType.GRASSROOTS,
                host,
                host.division_code,
            )
            union.credit_code = credit_code(
                prefix="81", division_code=host.division_code, body=f"MB{serial:06d}"
            )
            plan.levels[3].append(union)
            if not is_joint:
                plan.units.append(
                    EmployerUnit(
                        name=employer,
                        credit_code=credit_code(
                            prefix="91", division_code=host.division_code, body=f"MA{serial:06d}"
                        ),
                        organisation=union,
                        division_code=host.division_code,
                    )
                )
    return plan


def _check_conflicts(plan: _Plan) -> None:
    codes = [org.code for org in plan.organisations]
    taken = sorted(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
    if taken:
        raise DemoConflict(
            f"organisation codes the demo would create already exist: {', '.join(taken[:10])}"
        )
    credit_codes = [org.credit_code for org in plan.organisations if org.credit_code]
    credit_codes += [unit.credit_code for unit in plan.units]
    clashes = sorted(
        {
            *Organisation.objects.filter(credit_code__in=credit_codes).values_list(
                "credit_code", flat=True
            ),
            *EmployerUnit.objects.filter(credit_code__in=credit_codes).values_list(
                "credit_code", flat=True
            ),
        }
    )
    if clashes:
        raise DemoConflict(
            f"credit codes the demo would use are already registered: {', '.join(clashes[:10])}"
        )
    users = sorted(
        User.objects.filter(username__in=ACCOUNT_PLAN).values_list("username", flat=True)
    )
    if users:
        raise DemoConflict(f"demo usernames are already taken: {', '.join(users)}")


def _insert_level(orgs: list[Organisation]) -> None:
    # bulk_create sets the pks (SQLite 3.35+, PostgreSQL); the paths are made from them
    Organisation.objects.bulk_create(orgs, batch_size=500)
    for org in orgs:
        assert org.pk is not None, "this database does not return ids from bulk inserts"
        org.path = (org.parent.path if org.parent else "") + path_segment(org.pk)
    Organisation.objects.bulk_update(orgs, ["path"], batch_size=500)


def _create_accounts(*, by: User | None, orgs: dict[str, Organisation]) -> tuple[DemoAccount, ...]:
    accounts = []
    for username, _description in DEMO_ACCOUNTS:
        code, role, full_name = ACCOUNT_PLAN[username]
        organisation = orgs[code]
        user = create_user(
            by=by,
            username=username,
            full_name=full_name,
            organisation=organisation,
            password=DEMO_PASSWORD,
        )
        grant_role(by=by, user=user, organisation=organisation, role=role)
        accounts.append(DemoAccount(username, organisation, role))
    return tuple(accounts)


@transaction.atomic
def build_demo(
    *, by: User | None = None, grassroots_per_county: int = DEFAULT_GRASSROOTS_PER_COUNTY
) -> DemoSummary:
    """Create the demo federation, its units and accounts; raise DemoConflict on any clash."""
    if grassroots_per_county < 1:
        raise ValueError("grassroots_per_county must be at least 1")
    plan = _plan(grassroots_per_county)
    _check_conflicts(plan)
    for level in plan.levels:
        _insert_level(level)
    EmployerUnit.objects.bulk_create(plan.units, batch_size=500)
    orgs = plan.organisations
    entries = [
        audit.Entry(action="org.create", by=by, obj=org, changes=audit.diff({}, org.snapshot()))
        for org in orgs
    ]
    entries += [
        audit.Entry(action="unit.create", by=by, obj=unit, changes=audit.diff({}, unit.snapshot()))
        for unit in plan.units
    ]
    audit.record_many(entries)
    accounts = _create_accounts(by=by, orgs={org.code: org for org in orgs})
    root = plan.levels[0][0]
    counts = dict(Counter(org.type for org in orgs))
    extra: dict[str, Any] = {
        "organisations": counts,
        "units": len(plan.units),
        "accounts": [a.username for a in accounts],
        "grassroots_per_county": grassroots_per_county,
    }
    audit.record(
        action="demo.load",
        by=by,
        organisation=root,
        object_type="demo",
        object_repr=root.name,
        extra=extra,
    )
    return DemoSummary(root=root, organisations=counts, units=len(plan.units), accounts=accounts)
