"""Importing past honourees so that the register starts complete: every row checked first,
every bad row reported with its number and reason, nothing written unless all are good."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.bounds import YEAR
from gonghui.core.personal import contact_details_in
from gonghui.core.tabular import Column, Row, RowError, Spec, Table, open_table
from gonghui.core.tabular.base import parse_typed_date, parse_yes_no
from gonghui.honours.models import Honouree, HonoureeStatus, HonourKind, HonourLevel
from gonghui.orgs.models import Organisation, OrgType
from gonghui.people.actions import identity_digests
from gonghui.people.identity import parse_identity
from gonghui.people.models import Person

HONOUREE_SPEC = Spec(
    (
        Column("name", "姓名", ("name",), help=gettext_lazy("At most 64 characters.")),
        Column(
            "kind",
            "荣誉名称",
            ("荣誉", "honour"),
            help=gettext_lazy("An honour kept in the settings, e.g. 自治区劳动模范."),
        ),
        Column(
            "level", "荣誉级别", ("级别", "level"), help=gettext_lazy("全国, 自治区, 地州市 or 县.")
        ),
        Column("year", "年度", ("year", "授予年度"), help=gettext_lazy("Four digits, e.g. 2015.")),
        Column(
            "union",
            "工会代码",
            ("union", "union_code"),
            help=gettext_lazy("The code of a union you may edit."),
        ),
        Column(
            "identity_number",
            "公民身份号码",
            ("身份证号", "identity_number"),
            required=False,
            help=gettext_lazy("18 characters; the person must be on the roster."),
        ),
        Column("unit", "工作单位", ("unit",), required=False),
        Column("trade", "行业", ("trade",), required=False),
        Column(
            "status",
            "荣誉状态",
            ("状态", "status"),
            required=False,
            help=gettext_lazy("保持 (the default), 已撤销 or 已故."),
        ),
        Column(
            "reason",
            "原因",
            ("reason",),
            required=False,
            help=gettext_lazy("Required when revoked or deceased."),
        ),
        Column("consent", "同意公开", ("consent",), required=False, help=gettext_lazy("是 or 否.")),
        Column(
            "allowance", "享受津贴", ("allowance",), required=False, help=gettext_lazy("是 or 否.")
        ),
        Column(
            "retired_on",
            "退休日期",
            ("retired_on",),
            required=False,
            help=gettext_lazy("YYYY-MM-DD."),
            month_means_first_day=True,
        ),
        Column("story", "事迹", ("story",), required=False),
    )
)
LEVELS = {
    "全国": HonourLevel.NATIONAL,
    "国家级": HonourLevel.NATIONAL,
    "自治区": HonourLevel.REGIONAL,
    "自治区级": HonourLevel.REGIONAL,
    "省级": HonourLevel.REGIONAL,
    "自治区（省）级": HonourLevel.REGIONAL,
    "地州市": HonourLevel.PREFECTURE,
    "地州市级": HonourLevel.PREFECTURE,
    "市级": HonourLevel.PREFECTURE,
    "县": HonourLevel.COUNTY,
    "县级": HonourLevel.COUNTY,
    **{level.value: level for level in HonourLevel},
}
STATUSES = {
    "": HonoureeStatus.ACTIVE,
    "保持": HonoureeStatus.ACTIVE,
    "已撤销": HonoureeStatus.REVOKED,
    "撤销": HonoureeStatus.REVOKED,
    "已故": HonoureeStatus.DECEASED,
    **{status.value: status for status in HonoureeStatus},
}


@dataclass
class HonoureePlan:
    rows: list[Honouree] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_checked: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.errors


def _prefecture(org: Organisation, cache: dict[str, Organisation]) -> Organisation | None:
    for length in range(len(org.path), 0, -10):
        found = cache.get(org.path[:length])
        if found is not None and found.type == OrgType.PREFECTURE:
            return found
    return None


PROGRESS_EVERY = 200  # rows between two progress reports


@dataclass
class _Known:
    """What every row is checked against, read once per import."""

    kinds: dict[str, HonourKind]
    orgs: dict[str, Organisation]  # the unions the importer may write to, by code
    prefectures: dict[str, Organisation]  # by path
    existing: set[tuple[str, int, int, int]]  # (name, kind, year, union) in the register
    seen: set[tuple[str, int, int, str]] = field(default_factory=set)  # earlier in the file


def plan_honouree_import(
    table: Table | Iterable[Any],
    *,
    allowed: Any,
    progress: Callable[[int], None] | None = None,
) -> HonoureePlan:
    """Check every row; `allowed` is the queryset of unions the importer may write to.

    `progress`, if given, hears the number of rows checked so far, now and then and at the end.
    """
    plan = HonoureePlan()
    known = _Known(
        kinds={k.name: k for k in HonourKind.objects.all()},
        orgs={o.code: o for o in allowed},
        prefectures={o.path: o for o in Organisation.objects.filter(type=OrgType.PREFECTURE)},
        existing=set(Honouree.objects.values_list("name", "kind_id", "year", "organisation_id")),
    )
    checked = 0
    for row in table:
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
        honouree, errors = _check_row(row, known)
        if honouree is None:
            plan.errors.extend(errors)
        else:
            plan.rows.append(honouree)
    plan.rows_checked = checked
    if progress is not None:
        progress(checked)
    return plan


def _check_row(row: Row, known: _Known) -> tuple[Honouree | None, list[RowError]]:
    """One row as an honouree to add, or None and every reason why not."""
    v = row.values
    errors: list[RowError] = []

    def bad(key: str, message: str) -> None:
        errors.append(RowError(row.number, HONOUREE_SPEC.header(key), message))

    name = v.get("name", "").strip()
    if not name or len(name) > 64:
        bad("name", _("The name is missing or longer than 64 characters."))
    kind = known.kinds.get(v.get("kind", "").strip())
    if kind is None:
        bad(
            "kind",
            _("Unknown honour; known: %(known)s.") % {"known": "、".join(known.kinds) or "—"},
        )
    level = LEVELS.get(v.get("level", "").strip())
    if level is None:
        bad("level", _("Write the level as 全国, 自治区, 地州市 or 县."))
    year_text = v.get("year", "").strip().removesuffix("年")
    year = int(year_text) if year_text.isdigit() else 0
    if not YEAR.holds(year):
        bad("year", _("Write the year as four digits, e.g. 2015."))
    union = known.orgs.get(v.get("union", "").strip())
    if union is None:
        bad("union", _("No union with this code within your scope."))
    person = _person(v.get("identity_number", "").strip(), bad)
    status = STATUSES.get(v.get("status", "").strip())
    if status is None:
        bad("status", _("Write the status as 保持, 已撤销 or 已故."))
    elif status != HonoureeStatus.ACTIVE and not v.get("reason", "").strip():
        bad("reason", _("A revoked or deceased honouree needs a reason."))
    consent, allowance = parse_yes_no(v.get("consent", "")), parse_yes_no(v.get("allowance", ""))
    if consent is None:
        bad("consent", _("Write 是 or 否."))
    if allowance is None:
        bad("allowance", _("Write 是 or 否."))
    for key in ("story", "unit", "trade"):  # shown in the hall of honour
        if refusal := contact_details_in(v.get(key, "")):
            bad(key, refusal)
    if not errors and kind and union and level:
        if (name, kind.pk, year, union.pk) in known.existing:
            bad("name", _("This honour is already in the register."))
        elif (name, kind.pk, year, union.code) in known.seen:
            bad("name", _("This honour appears twice in the file."))
        known.seen.add((name, kind.pk, year, union.code))
    retired_text = v.get("retired_on", "").strip()
    try:
        retired_on = parse_typed_date(retired_text)[0] if retired_text else None
    except ValueError:
        retired_on = None
    if retired_text and retired_on is None:
        bad("retired_on", _("Write the date as YYYY-MM-DD."))
    if errors or kind is None or union is None or level is None:
        return None, errors
    honouree = Honouree(
        person=person,
        name=name,
        organisation=union,
        prefecture=_prefecture(union, known.prefectures),
        unit_name=v.get("unit", "").strip()[:128],
        trade=v.get("trade", "").strip()[:64],
        kind=kind,
        level=level,
        year=year,
        status=status or HonoureeStatus.ACTIVE,
        status_reason=v.get("reason", "").strip()[:200],
        publication_consent=bool(consent),
        receives_allowance=bool(allowance),
        retired_on=retired_on,
        is_frontline=bool(person and person.is_frontline),
        story=v.get("story", "").strip(),
    )
    return honouree, errors


def _person(number: str, bad: Callable[[str, str], None]) -> Person | None:
    """The roster's member with this identity number, if one is given."""
    if not number:
        return None
    try:
        identity = parse_identity(number)
    except Exception as error:  # the validator's own message, in the user's language
        bad("identity_number", " ".join(getattr(error, "messages", [str(error)])))
        return None
    person = Person.objects.filter(identity_hash__in=identity_digests(identity.number)).first()
    if person is None:
        bad("identity_number", _("No member with this identity number on the roster."))
    return person


@transaction.atomic
def apply_honouree_import(*, plan: HonoureePlan, by: Actor, source: str) -> int:
    """Write a clean plan: all rows, each audited, or nothing."""
    if not plan.is_clean:
        raise ValueError("a plan with errors is never applied")
    created = Honouree.objects.bulk_create(plan.rows, batch_size=500)
    audit.record_many(
        [
            audit.Entry(action="honouree.import", by=by, obj=h, extra={"source": source})
            for h in created
        ]
    )
    return len(created)


@dataclass(frozen=True)
class UploadedHonourees:
    plan: HonoureePlan
    created: int  # 0 on a dry run or when any row is bad


def import_uploaded_honourees(
    upload: Any, *, allowed: Any, by: Actor, dry_run: bool
) -> UploadedHonourees:
    """Check an uploaded .xlsx/.csv and, when every row is good (and not a dry run), write it.

    The pipeline the page and the API share; raises UnreadableFile for a file it cannot read.
    """
    suffix = Path(str(upload.name)).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        with open_table(handle.name, spec=HONOUREE_SPEC) as table, transaction.atomic():
            plan = plan_honouree_import(table, allowed=allowed)
            created = 0
            if plan.is_clean and not dry_run:
                created = apply_honouree_import(plan=plan, by=by, source=str(upload.name))
    return UploadedHonourees(plan=plan, created=created)
