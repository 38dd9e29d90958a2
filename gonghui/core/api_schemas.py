"""What every API operation shares: the base of its inputs, its errors, ids and pages.

Every input schema derives from `Input`, which refuses keys it does not know; every operation
declares its answers with `answers()`, so the OpenAPI document lists each error a client can
get, in the one error shape the API uses.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.errors import ValidationError as RequestInvalid
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import ConfigDict, Field

from gonghui.core.bounds import ID

MAX_PAGE = 200

Id = Annotated[int, ID.schema()]


class Input(Schema):
    """An input: a key the schema does not name is a mistake, not something to ignore."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    """An error: what went wrong in words, and for a refused form, the reasons per field."""

    detail: str
    errors: dict[str, list[str]] | None = None


class ProblemOut(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class InvalidOut(Schema):
    """A request that does not fit the operation's schema: each problem and where it is."""

    detail: list[ProblemOut]


# Every operation may answer these: a request that does not fit the schema, and a fault of
# the server (as JSON, in the same shape as every other error).
_ALWAYS: dict[int, Any] = {422: InvalidOut, 500: ErrorOut}


def answers(ok: dict[int, Any], *refusals: int, public: bool = False) -> dict[int, Any]:
    """The responses an operation declares: its own, the refusals it makes (400 a rule
    broken, 403 not allowed, 404 not found or not visible, 409 a conflict with what exists,
    429 too many attempts), 401 unless it is open to all, and those every operation may give."""
    signed_in = {} if public else {401: ErrorOut}
    return {**ok, **{code: ErrorOut for code in refusals}, **signed_in, **_ALWAYS}


class PageIn(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=ID.high)


def _refuse_nul(value: Any, where: list[Any]) -> None:
    """Text holding the NUL character is refused (422) wherever it comes: no database text
    column takes it (PostgreSQL refuses it outright), and no person types it."""
    if isinstance(value, str):
        if "\x00" in value:
            raise RequestInvalid(
                [
                    {
                        "type": "string_nul",
                        "loc": where,
                        "msg": "Text may not contain the NUL character (\\u0000)",
                    }
                ]
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, where)
            _refuse_nul(item, [*where, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, [*where, index])


class OneValueParser(Parser):
    """A parameter that takes one value and is given several is refused (422), not read as
    whichever came last; text holding the NUL character is refused (422) in the body, the
    query and forms alike."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = super().parse_body(request)
        _refuse_nul(body, ["body"])
        return body

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key in data:
            values = data.getlist(key)
            result[key] = values if key in list_fields or len(values) > 1 else values[0]
        _refuse_nul(result, ["query"])
        return result


class Pages(LimitOffsetPagination):
    """Limit and offset, bounded: at most a page of MAX_PAGE rows, never past the last row."""

    Input = PageIn  # type: ignore[assignment]  # ninja reads the bounds from Input

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        count = self._items_count(queryset)
        offset, limit = pagination.offset, pagination.limit
        if offset > count:
            raise RequestInvalid(
                [
                    {
                        "type": "less_than_equal",
                        "loc": ["query", "offset"],
                        "msg": f"Input should be less than or equal to {count}, the number of rows",
                        "ctx": {"le": count},
                    }
                ]
            )
        return {self.items_attribute: queryset[offset : offset + limit], "count": count}
