"""Sorting and paging for the list pages, driven by query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort(
    request: HttpRequest, queryset: QuerySet[Any], columns: dict[str, str], default: str
) -> tuple[QuerySet[Any], Sorting]:
    """Order by ?sort=<column> or ?sort=-<column>; unknown columns fall back to the default."""
    wanted = request.GET.get("sort", default)
    key = wanted.lstrip("-")
    if key not in columns:
        wanted, key = default, default.lstrip("-")
    descending = wanted.startswith("-")
    field = columns[key]
    return queryset.order_by(f"-{field}" if descending else field, "pk"), Sorting(key, descending)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page[Any]:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


MAX_OFFSET = 2**63 - 1


@dataclass
class QuickPage:
    """A page found without counting the whole table: one row more than shown tells if there is a next."""

    object_list: list[Any]
    number: int
    has_next: bool
    per_page: int

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0


def quick_page(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE
) -> QuickPage:
    """Page through a table of millions: no COUNT(*), just the rows of this page and one more."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    # an offset the database can hold (a 64-bit integer): a page past the rows is empty anyway
    number = min(number, MAX_OFFSET // per_page)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return QuickPage(rows[:per_page], number, len(rows) > per_page, per_page)


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters, for building links."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
