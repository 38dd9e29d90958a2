from datetime import datetime

from ninja import Schema
from pydantic import Field

from gonghui.core.api_schemas import Input
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType


class OrganisationOut(Schema):
    code: str
    name: str
    type: str
    type_label: str
    parent_code: str | None
    depth: int
    division_code: str
    credit_code: str
    updated_at: datetime

    @staticmethod
    def resolve_type_label(obj: Organisation) -> str:
        return str(OrgType(obj.type).label)

    @staticmethod
    def resolve_parent_code(obj: Organisation) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


class OrganisationIn(Input):
    code: str = Field(max_length=32)
    name: str = Field(max_length=128)
    type: OrgType
    parent_code: str = Field(max_length=32)
    division_code: str = Field(default="", max_length=6)
    credit_code: str = Field(default="", max_length=18)


class OrganisationPatch(Input):
    name: str | None = Field(default=None, max_length=128)
    type: OrgType | None = None
    division_code: str | None = Field(default=None, max_length=6)
    credit_code: str | None = Field(default=None, max_length=18)


class MoveIn(Input):
    new_parent_code: str = Field(max_length=32)


class MoveOut(Schema):
    moved: int
    organisation: OrganisationOut


class UnitOut(Schema):
    id: int
    name: str
    credit_code: str
    organisation_code: str
    division_code: str

    @staticmethod
    def resolve_organisation_code(obj: EmployerUnit) -> str:
        return obj.organisation.code


class UnitIn(Input):
    name: str = Field(max_length=128)
    credit_code: str = Field(max_length=18)
    organisation_code: str = Field(max_length=32)
    division_code: str = Field(default="", max_length=6)
