"""Contests for tests: a skill with a scheme, competitors and judges in the personas' tree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, EntrantDetails
from gonghui.contests.models import Contest, Skill
from gonghui.core.validators import credit_code_check_character, identity_check_character
from gonghui.orgs.actions import create_unit
from gonghui.orgs.models import EmployerUnit, Organisation


def identity_number(n: int, *, female: bool = False) -> str:
    """A valid identity number, distinct for each n (birth dates in 1990, county 650102)."""
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    sequence = (n // 336) % 500 * 2 + (0 if female else 1)
    first17 = "650102" + f"1990{month:02d}{day:02d}" + f"{sequence:03d}"
    return first17 + identity_check_character(first17)


def credit_code(n: int) -> str:
    first17 = f"91650102{n:09d}"
    return first17 + credit_code_check_character(first17)


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 一二: names have no digits, so test names spell them out."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def make_unit(n: int, organisation: Organisation, name: str | None = None) -> EmployerUnit:
    return create_unit(
        by=None, name=name or f"单位{n}", credit_code=credit_code(n), organisation=organisation
    )


SCHEME = [
    AspectSpec("A1", "尺寸精度", "M", Decimal("30.00"), sub_criterion="A 精度"),
    AspectSpec("A2", "表面质量", "M", Decimal("25.50"), sub_criterion="A 精度"),
    AspectSpec("B1", "工艺规范", "J", Decimal("24.50"), sub_criterion="B 工艺"),
    AspectSpec("B2", "安全文明", "J", Decimal("20.00"), sub_criterion="B 工艺"),
]


def make_contest(
    organiser: Organisation, code: str = "C2026", name: str = "2026年职工职业技能大赛"
) -> Contest:
    return actions.create_contest(
        by=None,
        code=code,
        name=name,
        organiser=organiser,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 3),
    )


def make_skill(
    contest: Contest,
    code: str = "S1",
    *,
    policy: str = "national",
    minimum: int = 1,
    scheme: list[AspectSpec] | None = None,
) -> Skill:
    skill = actions.create_skill(
        by=None,
        contest=contest,
        code=code,
        name=f"赛项{code}",
        medal_policy=policy,
        minimum_competitors=minimum,
    )
    actions.set_scheme(by=None, skill=skill, aspects=scheme if scheme is not None else SCHEME)
    return skill


def add_competitor(skill: Skill, n: int, **fields: Any):
    return actions.register_competitor(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number=f"C{n:03d}",
            identity_number=identity_number(n),
            name=f"选手{chinese_number(n)}",
            **fields,
        ),
    )


def add_judge(skill: Skill, n: int, *, is_chief: bool = False, user: Any = None, **fields: Any):
    return actions.add_judge(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number=f"J{n}",
            identity_number=identity_number(9000 + n),
            name=f"裁判{chinese_number(n)}",
            **fields,
        ),
        is_chief=is_chief,
        user=user,
    )
