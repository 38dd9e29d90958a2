"""Hardship files for the demo: a few households of the demo's grassroots union, one at each
stage (draft, submitted, returned, approved with aid given, closed), through the real actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
