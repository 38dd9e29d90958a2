from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from pydantic import Field, StrictBool

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, Input, answers
from gonghui.core.bounds import Day
from gonghui.orgs.permissions import (
    get_org_for_user,
    get_unit_by_credit_code_for_user,
)
from gonghui.people import actions
from gonghui.people.models import Membership, MembershipStatus, Person
from gonghui.people.permissions import get_membership_for_user, get_person_for_user
from gonghui.people.roster import Cursor, RosterQuery, roster_page

router = Router(tags=["members"])


class MembershipOut(Schema):
    id: int
    union_code: str
    union_name: str
    joined_on: date
    ended_on: date | None
    status: str
    end_reason: str
    transferred_to_code: str | None

    @staticmethod
    def resolve_union_code(obj: Membership) -> str:
        return obj.union.code

    @staticmethod
    def resolve_union_name(obj: Membership) -> str:
        return obj.union.name

    @staticmethod
    def resolve_transferred_to_code(obj: Membership) -> str | None:
        return obj.transferred_to.code if obj.transferred_to_id and obj.transferred_to else None


class PersonOut(Schema):
    """A person as every list shows them: identity number and mobile masked."""

    id: int
    name: str
    identity_number: str
    gender: str
    birth_year: int
    phone: str
    unit_credit_code: str | None
    post: str
    skill_level: str
    is_frontline: bool
    is_migrant: bool
    is_enterprise_head: bool

    @staticmethod
    def resolve_identity_number(obj: Person) -> str:
        return obj.identity_masked

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_unit_credit_code(obj: Person) -> str | None:
        return obj.unit.credit_code if obj.unit_id and obj.unit else None


class MemberOut(Schema):
    membership_id: int
    union_code: str
    status: str
    joined_on: date
    person: PersonOut


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: Person) -> Any:
        return obj.memberships.select_related("union", "transferred_to").order_by(
            "-joined_on", "-pk"
        )


class MemberFilters(Schema):
    union: str | None = None
    q: str | None = None
    status: MembershipStatus = MembershipStatus.ACTIVE
    skill_level: str | None = None
    cursor: str = Field(
        default="",
        max_length=1000,
        description="next_cursor or previous_cursor of a page; empty for the first page",
    )
    limit: int = Field(default=50, ge=1, le=200)


class MemberPage(Schema):
    """A page of members in pinyin order, with the cursors of the pages on either side."""

    items: list[MemberOut]
    next_cursor: str | None
    previous_cursor: str | None


class MemberIn(Input):
    identity_number: str = Field(max_length=20)
    name: str = Field(max_length=64)
    union_code: str = Field(max_length=32)
    joined_on: Day | None = None
    phone: str = Field(default="", max_length=20)
    unit_credit_code: str = Field(default="", max_length=18)
    post: str = Field(default="", max_length=64)
    skill_level: str = ""
    is_frontline: StrictBool = False
    is_migrant: StrictBool = False
    is_enterprise_head: StrictBool = False


class TransferIn(Input):
    to_union_code: str = Field(max_length=32)
    on: Day | None = None


def _member(membership: Membership) -> dict[str, Any]:
    return {
        "membership_id": membership.pk,
        "union_code": membership.union.code,
        "status": membership.status,
        "joined_on": membership.joined_on,
        "person": membership.person,
    }


@router.get(
    "/members",
    response=answers({200: MemberPage}, 400),
    summary="Members in your scope (masked), a page at a time in pinyin order",
)
def list_members(request: AuthedRequest, filters: Query[MemberFilters]) -> Any:
    cursor = Cursor.decode(filters.cursor)
    if filters.cursor and cursor is None:
        raise ValidationError({"cursor": ["not a cursor of this list; leave it empty to start"]})
    query = RosterQuery(
        q=filters.q or "",
        union=filters.union or "",
        status=filters.status,
        skill_level=filters.skill_level or "",
    )
    page = roster_page(request.user, query, cursor=cursor, size=filters.limit)
    return {
        "items": [_member(m) for m in page],
        "next_cursor": page.next_cursor or None,
        "previous_cursor": page.previous_cursor or None,
    }


@router.get(
    "/members/{person_id}",
    response=answers({200: PersonDetailOut}, 404),
    summary="One person with their membership history",
)
def get_member(request: AuthedRequest, person_id: Id) -> Any:
    return get_person_for_user(request.user, person_id)


@router.post(
    "/members",
    response=answers({201: MemberOut}, 400, 403, 404),
    summary="Register a member of a union",
)
def create_member(request: AuthedRequest, payload: MemberIn) -> Any:
    union = get_org_for_user(request.user, payload.union_code, action="edit")
    unit = None
    if payload.unit_credit_code:
        unit = get_unit_by_credit_code_for_user(request.user, payload.unit_credit_code)
        if unit is None:
            raise ValidationError(
                {"unit_credit_code": ["no employer unit with this credit code within your scope"]}
            )
    membership = actions.register_member(
        by=request.user,
        identity_number=payload.identity_number,
        union=union,
        joined_on=payload.joined_on,
        details=actions.PersonDetails(
            name=payload.name,
            phone=payload.phone,
            unit=unit,
            post=payload.post,
            skill_level=payload.skill_level,
            is_frontline=payload.is_frontline,
            is_migrant=payload.is_migrant,
            is_enterprise_head=payload.is_enterprise_head,
        ),
    )
    return 201, _member(membership)


@router.post(
    "/members/memberships/{membership_id}/transfer",
    response=answers({200: MemberOut}, 400, 403, 404),
    summary="Transfer a membership to another union",
)
def transfer(request: AuthedRequest, membership_id: Id, payload: TransferIn) -> Any:
    membership = get_membership_for_user(request.user, membership_id, action="edit")
    to_union = get_org_for_user(request.user, payload.to_union_code, action="edit")
    return _member(
        actions.transfer_member(
            by=request.user, membership=membership, to_union=to_union, on=payload.on
        )
    )
