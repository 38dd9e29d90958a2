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


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters, for building links."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
