"""The hardship files API under /api/v1/services/: the same actions and scope as the pages.

Identity numbers are masked; a file's money and health are answered only on the file itself,
to those who may open it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, Input, Pages, answers
from gonghui.core.bounds import Day
from gonghui.orgs.permissions import get_org_for_user
from gonghui.services import actions
from gonghui.services.bounds import AMOUNT, DIBAO_LINE, MONEY
from gonghui.services.eligibility import assess
from gonghui.services.models import (
    Assistance,
    AssistanceKind,
    Cause,
    CloseReason,
    Finances,
    HardshipFile,
    HardshipVisit,
    Relation,
)
from gonghui.services.permissions import filtered_files, find_member, get_file_for_user

router = Router(tags=["services"])

Money = Annotated[Decimal, MONEY.schema()]


class FileFields(Schema):
    id: int
    worker_name: str
    identity_number: str
    union_code: str
    status: str
    tier: str
    household_size: int
    dibao_line: Decimal
    updated_at: datetime


class FileOut(FileFields):
    @staticmethod
    def resolve_worker_name(obj: HardshipFile) -> str:
        return obj.person.name

    @staticmethod
    def resolve_identity_number(obj: HardshipFile) -> str:
        return obj.person.identity_masked

    @staticmethod
    def resolve_union_code(obj: HardshipFile) -> str:
        return obj.union.code


class HouseholdMemberOut(Schema):
    id: int
    relation: str
    name: str
    birth_year: int
    identity_number: str
    income: Decimal
    is_disabled: bool
    is_ill: bool


class FileFiguresOut(Schema):
    income: Decimal
    medical: Decimal
    schooling: Decimal
    disability: Decimal
    job_seeking: Decimal
    hardship_costs: Decimal
    cause_note: str


class FileDetailOut(FileFields):
    cause: str
    figure: Decimal
    explanation: str
    figures: FileFiguresOut
    members: list[HouseholdMemberOut]
    last_reason: str
    close_reason: str


class FileAssistanceOut(Schema):
    id: int
    paid_on: date
    kind: str
    period: str
    amount: Decimal
    fund_source: str
    note: str


class FileVisitOut(Schema):
    id: int
    visited_on: date
    visitors: str
    findings: str
    next_due_on: date


class FileVisitIn(Input):
    visited_on: Day
    visitors: str = Field(max_length=128)
    findings: str = Field(max_length=2000)


class FileFiguresIn(Input):
    dibao_line: Annotated[Decimal, DIBAO_LINE.schema()]
    income: Money
    medical: Money = Decimal(0)
    schooling: Money = Decimal(0)
    disability: Money = Decimal(0)
    job_seeking: Money = Decimal(0)
    hardship_costs: Money = Decimal(0)
    cause: Cause = Cause.NONE
    cause_note: str = Field(default="", max_length=500)
    worker_income: Money = Decimal(0)
    worker_disabled: bool = False
    worker_ill: bool = False

    def details(self) -> actions.FileDetails:
        return actions.FileDetails(
            dibao_line=self.dibao_line,
            cause=self.cause,
            finances=Finances(
                income=self.income,
                medical=self.medical,
                schooling=self.schooling,
                disability=self.disability,
                job_seeking=self.job_seeking,
                hardship_costs=self.hardship_costs,
                cause_note=self.cause_note.strip(),
            ),
            worker_income=self.worker_income,
            worker_disabled=self.worker_disabled,
            worker_ill=self.worker_ill,
        )


class FileIn(FileFiguresIn):
    union_code: str = Field(max_length=32)
    identity_number: str = Field(max_length=20)


class HouseholdMemberIn(Input):
    relation: Relation
    name: str = Field(max_length=64)
    birth_year: int = Field(ge=1900, le=2100)
    income: Money = Decimal(0)
    is_disabled: bool = False
    is_ill: bool = False
    identity_number: str = Field(default="", max_length=20)


class FileReasonIn(Input):
    reason: str = Field(default="", max_length=2000)


class FileCloseIn(Input):
    close_reason: CloseReason
    note: str = Field(default="", max_length=2000)


class FileAssistanceIn(Input):
    paid_on: Day
    kind: AssistanceKind
    amount: Annotated[Decimal, AMOUNT.schema()]
    fund_source: str = Field(max_length=64)
    note: str = Field(default="", max_length=200)


def _detail(file: HardshipFile) -> dict[str, Any]:
    finances = file.finances()
    assessment = assess(
        finances=finances,
        household_size=file.household_size,
        dibao_line=file.dibao_line,
        cause=file.cause,
    )
    members = []
    for member in file.members.all():
        details = member.details()
        members.append(
            {
                "id": member.pk,
                "relation": member.relation,
                "name": member.name,
                "birth_year": member.birth_year,
                "identity_number": member.identity_masked,
                "income": details["income"],
                "is_disabled": details["disabled"],
                "is_ill": details["ill"],
            }
        )
    return {
        "id": file.pk,
        "worker_name": file.person.name,
        "identity_number": file.person.identity_masked,
        "union_code": file.union.code,
        "status": file.status,
        "tier": file.tier,
        "household_size": file.household_size,
        "dibao_line": file.dibao_line,
        "updated_at": file.updated_at,
        "cause": file.cause,
        "figure": assessment.figure,
        "explanation": assessment.explanation,
        "figures": finances.__dict__,
        "members": members,
        "last_reason": file.last_reason,
        "close_reason": file.close_reason,
    }


@router.get(
    "/services/files",
    response=answers({200: list[FileOut]}),
    summary="Hardship files in your scope",
)
@paginate(Pages)
def list_files(
    request: AuthedRequest,
    tier: str = "",
    status: str = "",
    union: str = "",
    q: str = "",
    due: str = "",
) -> Any:
    """`due=visit`: approved files whose last visit (or approval) is six months old or more."""
    params = {"tier": tier, "status": status, "union": union, "q": q, "due": due}
    return filtered_files(request.user, params).select_related("person", "union").order_by("pk")


@router.post(
    "/services/files",
    response=answers({201: FileDetailOut}, 400, 403, 404),
    summary="Open a hardship file (draft)",
)
def create_file(request: AuthedRequest, payload: FileIn) -> Any:
    union = get_org_for_user(request.user, payload.union_code, action="edit")
    person = find_member(request.user, payload.identity_number)
    file = actions.open_file(by=request.user, union=union, person=person, details=payload.details())
    return 201, _detail(file)


@router.get(
    "/services/files/{file_id}",
    response=answers({200: FileDetailOut}, 404),
    summary="One hardship file, with its household and the figure that decided its tier",
)
def get_file(request: AuthedRequest, file_id: Id) -> Any:
    return _detail(get_file_for_user(request.user, file_id))


@router.put(
    "/services/files/{file_id}",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Change a draft or returned file's figures",
)
def update_file(request: AuthedRequest, file_id: Id, payload: FileFiguresIn) -> Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    return _detail(actions.update_file(by=request.user, file=file, details=payload.details()))


@router.post(
    "/services/files/{file_id}/members",
    response=answers({201: FileDetailOut}, 400, 403, 404),
    summary="Add a household member",
)
def add_member(request: AuthedRequest, file_id: Id, payload: HouseholdMemberIn) -> Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    actions.add_member(
        by=request.user,
        file=file,
        member=actions.MemberDetails(**payload.model_dump()),
    )
    return 201, _detail(get_file_for_user(request.user, file_id))


@router.delete(
    "/services/files/{file_id}/members/{member_id}",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Remove a household member",
)
def remove_member(request: AuthedRequest, file_id: Id, member_id: Id) -> Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    actions.remove_member(by=request.user, file=file, member_id=member_id)
    return _detail(get_file_for_user(request.user, file_id))


@router.post(
    "/services/files/{file_id}/submit",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Submit for approval",
)
def submit_file(request: AuthedRequest, file_id: Id) -> Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    return _detail(actions.submit_file(by=request.user, file=file))


@router.post(
    "/services/files/{file_id}/approve",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Approve (county-level union or above)",
)
def approve_file(request: AuthedRequest, file_id: Id, payload: FileReasonIn) -> Any:
    file = get_file_for_user(request.user, file_id, action="review")
    return _detail(actions.approve_file(by=request.user, file=file, note=payload.reason))


@router.post(
    "/services/files/{file_id}/return",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Return for changes, with the reason",
)
def return_file(request: AuthedRequest, file_id: Id, payload: FileReasonIn) -> Any:
    file = get_file_for_user(request.user, file_id, action="review")
    return _detail(actions.return_file(by=request.user, file=file, reason=payload.reason))


@router.post(
    "/services/files/{file_id}/close",
    response=answers({200: FileDetailOut}, 400, 403, 404),
    summary="Close the file (脱困, 退休, 调离, 去世)",
)
def close_file(request: AuthedRequest, file_id: Id, payload: FileCloseIn) -> Any:
    file = get_file_for_user(request.user, file_id, action="act")
    closed = actions.close_file(
        by=request.user, file=file, reason=payload.close_reason, note=payload.note
    )
    return _detail(closed)


@router.get(
    "/services/files/{file_id}/assistance",
    response=answers({200: list[FileAssistanceOut]}, 404),
    summary="The file's assistance ledger",
)
def list_assistance(request: AuthedRequest, file_id: Id) -> Any:
    return list(get_file_for_user(request.user, file_id).assistance.all())


@router.post(
    "/services/files/{file_id}/assistance",
    response=answers({201: FileAssistanceOut}, 400, 403, 404),
    summary="Record assistance (不重复救助, 送温暖 caps)",
)
def add_assistance(
    request: AuthedRequest, file_id: Id, payload: FileAssistanceIn
) -> Assistance | Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    details = actions.AssistanceDetails(**payload.model_dump())
    return 201, actions.record_assistance(by=request.user, file=file, details=details)


@router.get(
    "/services/files/{file_id}/visits",
    response=answers({200: list[FileVisitOut]}, 404),
    summary="The household's visits (走访)",
)
def list_visits(request: AuthedRequest, file_id: Id) -> Any:
    return list(get_file_for_user(request.user, file_id).visits.all())


@router.post(
    "/services/files/{file_id}/visits",
    response=answers({201: FileVisitOut}, 400, 403, 404),
    summary="Record a visit; the next is due six months on",
)
def add_visit(request: AuthedRequest, file_id: Id, payload: FileVisitIn) -> HardshipVisit | Any:
    file = get_file_for_user(request.user, file_id, action="keep")
    details = actions.VisitDetails(**payload.model_dump())
    return 201, actions.record_visit(by=request.user, file=file, details=details)
