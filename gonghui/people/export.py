"""Exporting the roster: streamed, masked unless revealing is allowed, and audited."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from gonghui.accounts.models import Role, User
from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.tabular import Cell
from gonghui.orgs.permissions import Scope, scope
from gonghui.people.models import CHINESE_SKILL_LEVELS, Membership, MembershipQuerySet, SkillLevel

EXPORT_HEADERS = (
    "姓名",
    "公民身份号码",
    "性别",
    "出生年份",
    "手机号码",
    "入会日期",
    "工作单位",
    "单位统一社会信用代码",
    "岗位",
    "技能等级",
    "一线职工",
    "农民工",
    "企业负责人",
    "工会代码",
    "工会名称",
    "会籍状态",
)
GENDER_NAMES = {"M": "男", "F": "女"}
STATUS_NAMES = {"active": "在籍", "transferred": "已转出", "left": "已离会"}


def _yes(value: bool) -> str:
    return "是" if value else "否"


class Export:
    """Rows of a roster export; counts what it wrote and how many it revealed."""

    def __init__(self, memberships: MembershipQuerySet, *, reveal_within: Scope | None) -> None:
        self.memberships = memberships.select_related("person", "person__unit", "union").order_by(
            "union__path", "person__name_key", "pk"
        )
        self.reveal_within = reveal_within
        self.rows = 0
        self.revealed = 0

    def _row(self, m: Membership) -> Sequence[Cell]:
        p = m.person
        full = self.reveal_within is not None and self.reveal_within.contains(m.union)
        if full:
            self.revealed += 1
        return (
            p.name,
            p.reveal_identity_number() if full else p.identity_masked,
            GENDER_NAMES[p.gender],
            p.birth_year,
            (p.reveal_phone() if full else p.phone_masked) if p.phone_sealed else "",
            m.joined_on,
            p.unit.name if p.unit else "",
            p.unit.credit_code if p.unit else "",
            p.post,
            CHINESE_SKILL_LEVELS[SkillLevel(p.skill_level)],
            _yes(p.is_frontline),
            _yes(p.is_migrant),
            _yes(p.is_enterprise_head),
            m.union.code,
            m.union.name,
            STATUS_NAMES.get(m.status, m.status),
        )

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        for membership in self.memberships.iterator(chunk_size=2000):
            self.rows += 1
            yield self._row(membership)


def reveal_scope(user: User) -> Scope:
    return scope(user, frozenset({Role.REVEAL}))


def record_export(
    *, by: Actor, export: Export, organisation: Any, format: str, filters: dict[str, Any]
) -> None:
    audit.record(
        action="member.export",
        by=by,
        organisation=organisation,
        object_type="people.membership",
        extra={"rows": export.rows, "revealed": export.revealed, "format": format, **filters},
    )
