from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, Pages, answers
from gonghui.orgs import actions
from gonghui.orgs.models import OrgType
from gonghui.orgs.permissions import (
    get_org_for_user,
    get_unit_for_user,
    visible_orgs,
    visible_units,
)
from gonghui.orgs.schemas import (
    MoveIn,
    MoveOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    UnitIn,
    UnitOut,
)

router = Router(tags=["organisations"])


class OrgFilters(Schema):
    type: OrgType | None = None
    parent: str | None = None
    q: str | None = None


@router.get(
    "/orgs", response=answers({200: list[OrganisationOut]}), summary="Organisations in your scope"
)
@paginate(Pages)
def list_orgs(request: AuthedRequest, filters: Query[OrgFilters]) -> Any:
    orgs = visible_orgs(request.user).select_related("parent").order_by("path")
    if filters.type:
        orgs = orgs.of_type(filters.type)
    if filters.parent:
        orgs = orgs.filter(parent__code=filters.parent)
    if filters.q:
        orgs = orgs.matching(filters.q)
    return orgs


@router.get(
    "/orgs/{code}", response=answers({200: OrganisationOut}, 404), summary="One organisation"
)
def get_org(request: AuthedRequest, code: str) -> Any:
    return get_org_for_user(request.user, code)


@router.post(
    "/orgs",
    response=answers({201: OrganisationOut}, 400, 403, 404),
    summary="Add an organisation beneath a parent",
)
def create_org(request: AuthedRequest, payload: OrganisationIn) -> tuple[int, Any]:
    parent = get_org_for_user(request.user, payload.parent_code, action="create_child")
    org = actions.create_organisation(
        by=request.user,
        code=payload.code,
        name=payload.name,
        org_type=payload.type,
        parent=parent,
        division_code=payload.division_code,
        credit_code=payload.credit_code,
    )
    return 201, org


@router.patch(
    "/orgs/{code}",
    response=answers({200: OrganisationOut}, 400, 403, 404),
    summary="Change an organisation",
)
def update_org(request: AuthedRequest, code: str, payload: OrganisationPatch) -> Any:
    org = get_org_for_user(request.user, code, action="edit")
    org = actions.update_organisation(
        by=request.user,
        org=org,
        name=payload.name if payload.name is not None else org.name,
        org_type=payload.type if payload.type is not None else org.type,
        division_code=payload.division_code
        if payload.division_code is not None
        else org.division_code,
        credit_code=payload.credit_code if payload.credit_code is not None else org.credit_code,
    )
    return org


@router.post(
    "/orgs/{code}/move",
    response=answers({200: MoveOut}, 400, 403, 404),
    summary="Move a subtree beneath another parent",
)
def move_org(request: AuthedRequest, code: str, payload: MoveIn) -> Any:
    org = get_org_for_user(request.user, code, action="move")
    if org.parent is not None:
        get_org_for_user(request.user, org.parent.code, action="edit")
    new_parent = get_org_for_user(request.user, payload.new_parent_code, action="create_child")
    moved = actions.move_organisation(by=request.user, org=org, new_parent=new_parent)
    org.refresh_from_db()
    return {"moved": moved, "organisation": org}


@router.get(
    "/units", response=answers({200: list[UnitOut]}), summary="Employer units in your scope"
)
@paginate(Pages)
def list_units(
    request: AuthedRequest, q: str | None = None, organisation: str | None = None
) -> Any:
    units = visible_units(request.user).select_related("organisation").order_by("name", "pk")
    if q:
        units = units.matching(q)
    if organisation:
        units = units.filter(organisation__code=organisation)
    return units


@router.get("/units/{pk}", response=answers({200: UnitOut}, 404), summary="One employer unit")
def get_unit(request: AuthedRequest, pk: Id) -> Any:
    return get_unit_for_user(request.user, pk)


@router.post(
    "/units",
    response=answers({201: UnitOut}, 400, 403, 404),
    summary="Register an employer unit",
)
def create_unit(request: AuthedRequest, payload: UnitIn) -> tuple[int, Any]:
    organisation = get_org_for_user(request.user, payload.organisation_code, action="edit")
    unit = actions.create_unit(
        by=request.user,
        name=payload.name,
        credit_code=payload.credit_code,
        organisation=organisation,
        division_code=payload.division_code,
    )
    return 201, unit
