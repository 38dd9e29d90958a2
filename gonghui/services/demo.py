"""Hardship files for the demo: a few households of the demo's grassroots union, one at each
stage (draft, submitted, returned, approved with aid given, closed), through the real actions;
and a spreadsheet of files kept on paper, to try the import with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.orgs.models import Organisation
from gonghui.people.models import Membership, Person
from gonghui.services import actions
from gonghui.services.models import AssistanceKind, Cause, Finances, HardshipFile

DIBAO = Decimal("650")
# income, medical, schooling, cause, household beside the worker (relation, name, birth year)
HOUSEHOLDS: list[Plan] = [
    ("14000", "3000", "0", "", [("spouse", "李秀兰", 1982), ("child", "王小明", 2012)]),
    ("30000", "2000", "4000", "", [("child", "张雨", 2008)]),
    ("60000", "0", "0", Cause.ILLNESS, [("spouse", "赵敏", 1979)]),
    ("20000", "0", "0", "", [("parent", "刘桂芳", 1950)]),
    ("16000", "6000", "0", "", []),
]


Plan = tuple[str, str, str, str, list[tuple[str, str, int]]]


def _open(by: User, union: Organisation, person: Person, plan: Plan) -> HardshipFile:
    income, medical, schooling, cause, household = plan
    file = actions.open_file(
        by=by,
        union=union,
        person=person,
        details=actions.FileDetails(
            dibao_line=DIBAO,
            cause=cause,
            finances=Finances(
                income=Decimal(income),
                medical=Decimal(medical),
                schooling=Decimal(schooling),
                cause_note="丈夫确诊重病，长期住院" if cause else "",
            ),
            worker_income=Decimal(income),
        ),
    )
    for relation, name, year in household:
        actions.add_member(
            by=by,
            file=file,
            member=actions.MemberDetails(relation=relation, name=name, birth_year=year),
        )
    return file


def build_hardship_files(*, keeper: User, approver: User, union: Organisation) -> int:
    """Open the demo's files in `union`; returns how many (none without members there)."""
    people = [
        m.person
        for m in Membership.objects.current()
        .filter(union=union)
        .select_related("person")[: len(HOUSEHOLDS)]
    ]
    files = [
        _open(keeper, union, person, plan) for person, plan in zip(people, HOUSEHOLDS, strict=False)
    ]
    year = timezone.localdate().year
    for index, file in enumerate(files):
        if index == 0:
            continue  # stays a draft
        actions.submit_file(by=keeper, file=file)
        if index == 1:
            continue  # waits for the county's approval
        if index == 3:
            actions.return_file(by=approver, file=file, reason="请补充家庭收入证明")
            continue
        actions.approve_file(by=approver, file=file, note="已入户核实")
        actions.record_assistance(
            by=keeper,
            file=file,
            details=actions.AssistanceDetails(
                paid_on=date(year, 1, 15),
                kind=AssistanceKind.WARMTH,
                amount=Decimal("2000"),
                fund_source="元旦春节送温暖资金",
            ),
        )
        if index == 4:
            actions.close_file(by=keeper, file=file, reason="recovered", note="已再就业")
    return len(files)


# household size, income, medical, schooling, cause, date filed as typed (for the sample)
SAMPLE_HOUSEHOLDS = [
    ("3", "12000", "2000", "0", "", "2023.3.15"),
    ("4", "26000", "0", "6000", "", "2022年9月1日"),
    ("2", "30000", "0", "0", "疾病", "2024/5/20"),
    ("3", "9600", "1500", "1200", "", ""),
    ("5", "36000", "4000", "3000", "", "2021.11"),
]
SAMPLE_HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "家庭人口",
    "家庭年收入",
    "医疗支出",
    "教育支出",
    "致困原因",
    "低保标准",
    "建档日期",
    "备注",
]


def write_hardship_sample(folder: Path, *, union: Organisation) -> Path | None:
    """The files a union keeps in Excel, as its office keeps them: a title above the header, a
    序号 and a 备注 column, dates as people type them, a 合计 row below. Its workers are
    members without a file yet, so that it imports as it is (None without such members)."""
    from openpyxl import Workbook

    filed = set(HardshipFile.objects.open().values_list("person_id", flat=True))
    people = [
        m.person
        for m in Membership.objects.current()
        .filter(union=union)
        .exclude(person__in=filed)
        .select_related("person")
        .order_by("-pk")[: len(SAMPLE_HOUSEHOLDS)]
    ]
    if not people:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"困难职工档案导入示例-{union.code}.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "困难职工档案"
    sheet.append([f"{union.name}困难职工档案登记表"])
    sheet.append(SAMPLE_HEADER)
    for n, (person, plan) in enumerate(zip(people, SAMPLE_HOUSEHOLDS, strict=False), start=1):
        size, income, medical, schooling, cause, filed_on = plan
        number = person.reveal_identity_number()
        sheet.append(
            [
                n,
                person.name,
                number,
                size,
                income,
                medical,
                schooling,
                cause,
                str(DIBAO),
                filed_on,
                "",
            ]
        )
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"  # the number kept as text
    sheet.append(["合计", f"{len(people)}户"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SAMPLE_HEADER))
    workbook.save(path)
    return path
