"""Reading the register: filters shared by the officer list, the hall of honour and exports;
benefit totals per person, year or organisation; spreadsheet exports (audited)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http.response import HttpResponseBase

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.bounds import ID, YEAR, whole_number
from gonghui.core.tabular import Cell, csv_response, xlsx_response
from gonghui.honours.models import BenefitEntry, HonoureeQuerySet, HonoureeStatus, HonourLevel

LEVEL_NAMES = {
    HonourLevel.NATIONAL: "全国",
    HonourLevel.REGIONAL: "自治区（省）",
    HonourLevel.PREFECTURE: "地州市",
    HonourLevel.COUNTY: "县（市、区）",
}
STATUS_NAMES = {
    HonoureeStatus.ACTIVE: "保持",
    HonoureeStatus.REVOKED: "已撤销",
    HonoureeStatus.DECEASED: "已故",
}


@dataclass(frozen=True)
class RegisterQuery:
    q: str = ""
    level: str = ""
    year: int | None = None
    prefecture: int | None = None
    trade: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RegisterQuery:
        level = params.get("level", "")
        status = params.get("status", "")
        return cls(
            q=str(params.get("q", "")).strip()[:64],
            level=level if level in HonourLevel.values else "",
            year=whole_number(params.get("year"), YEAR),
            prefecture=whole_number(params.get("prefecture"), ID),
            trade=str(params.get("trade", "")).strip()[:64],
            status=status if status in HonoureeStatus.values else "",
        )


def register(honourees: HonoureeQuerySet, query: RegisterQuery) -> HonoureeQuerySet:
    rows = honourees.select_related("kind", "organisation", "prefecture")
    if query.q:
        rows = rows.filter(
            Q(name__icontains=query.q)
            | Q(unit_name__icontains=query.q)
            | Q(story__icontains=query.q)
        )
    if query.level:
        rows = rows.filter(level=query.level)
    if query.year:
        rows = rows.filter(year=query.year)
    if query.prefecture:
        rows = rows.filter(prefecture_id=query.prefecture)
    if query.trade:
        rows = rows.filter(trade__icontains=query.trade)
    if query.status:
        rows = rows.filter(status=query.status)
    return rows.order_by("-year", "name", "pk")


@dataclass(frozen=True)
class Total:
    key: str
    entries: int
    amount: Decimal


GROUPINGS = {
    "year": ("year", "year"),
    "organisation": ("honouree__organisation__name", "honouree__organisation__name"),
    "person": ("honouree__name", "honouree__name"),
}


def benefit_totals(entries: QuerySet[BenefitEntry], *, by: str) -> list[Total]:
    """Sums of the ledger grouped per year, per organisation or per person."""
    rows = entries.order_by()
    if by == "year":
        rows = rows.annotate(year=ExtractYear("on"))
    field = GROUPINGS[by][0]
    grouped = rows.values(field).annotate(n=Count("pk"), amount=Sum("amount")).order_by(field)
    return [
        Total(
            key=str(row[field]),
            entries=row["n"],
            amount=Decimal(row["amount"] or 0).quantize(Decimal("0.01")),
        )
        for row in grouped
    ]


REGISTER_HEADERS = (
    "姓名",
    "荣誉",
    "级别",
    "年度",
    "工会",
    "地州市",
    "单位",
    "行业",
    "状态",
    "原因",
)


def _register_rows(honourees: Iterable[Any]) -> Iterable[list[Any]]:
    for h in honourees:
        yield [
            h.name,
            h.kind.name,
            LEVEL_NAMES.get(h.level, h.level),
            h.year,
            h.organisation.name,
            h.prefecture.name if h.prefecture else "",
            h.unit_name,
            h.trade,
            STATUS_NAMES.get(h.status, h.status),
            h.status_reason,
            h.retired_on,
            "是" if h.receives_allowance else "否",
            "是" if h.is_in_hardship else "否",
        ]


def export_register(user: User, honourees: HonoureeQuerySet, file_format: str) -> HttpResponseBase:
    """The register as a spreadsheet: no identity numbers or phones, audited."""
    audit.record(
        action="honouree.export",
        by=user,
        object_type="honours.honouree",
        extra={"format": file_format},
    )
    rows = _register_rows(honourees.iterator())
    if file_format == "xlsx":
        return xlsx_response(rows, REGISTER_HEADERS, filename="荣誉名册.xlsx")
    return csv_response(rows, REGISTER_HEADERS, filename="荣誉名册.csv")


TOTAL_HEADERS = {"year": "年度", "organisation": "工会", "person": "姓名"}


def export_totals(
    user: User, totals: list[Total], grouping: str, file_format: str
) -> HttpResponseBase:
    audit.record(
        action="benefit.export",
        by=user,
        object_type="honours.benefitentry",
        extra={"format": file_format, "by": grouping},
    )
    headers = (TOTAL_HEADERS[grouping], "笔数", "金额（元）")
    rows: list[list[Cell]] = [[t.key, t.entries, t.amount] for t in totals]
    if file_format == "xlsx":
        return xlsx_response(rows, headers, filename="待遇合计.xlsx")
    return csv_response(rows, headers, filename="待遇合计.csv")
