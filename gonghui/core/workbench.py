"""The officer's workbench: what waits for this user, and the key figures of their scope.

Each programme contributes through this one registry, from its AppConfig.ready():

    workbench.contribute_todos("honours", honours.workbench.todos)
    workbench.contribute_figures("people", people.workbench.figures)

A to-do source takes the signed-in user and gives the items waiting for them, each a count, a
sentence and the page where the rows are. A figure source takes the user and, on an
organisation's page, that organisation; it gives figures of the user's whole scope, or of the
organisation's subtree. Sources read through the programme's own permission functions, so an
item or a figure never counts a row the user could not open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.utils.functional import Promise

from gonghui.core.actor import Actor

U = TypeVar("U")
Org = TypeVar("Org")


@dataclass(frozen=True)
class Todo:
    """Something waiting for the user: `text` says what (with the count), `url` where."""

    text: str | Promise
    count: int
    url: str
    programme: str | Promise
    # the day by which it must be done, if there is one; sooner ones come first
    due: date | None = None


@dataclass(frozen=True)
class Figure:
    """A key figure: a count of rows the user may see, linked to the list of those rows."""

    label: str | Promise
    value: int
    url: str


_todo_sources: dict[str, Callable[[Any], Iterable[Todo]]] = {}
_figure_sources: dict[str, Callable[[Any, Any], Iterable[Figure]]] = {}


def contribute_todos(name: str, source: Callable[[U], Iterable[Todo]]) -> None:
    _todo_sources[name] = source


def contribute_figures(name: str, source: Callable[[U, Org], Iterable[Figure]]) -> None:
    _figure_sources[name] = source


def todos_for(user: Actor) -> list[Todo]:
    """Every programme's to-dos for the user: those with a day first, soonest first."""
    items = [item for source in _todo_sources.values() for item in source(user) if item.count]
    return sorted(items, key=lambda item: (item.due is None, item.due or date.max))


def figures_for(user: Actor, organisation: models.Model | None = None) -> list[Figure]:
    """The key figures of the user's scope, or of `organisation`'s subtree (which the caller
    has checked the user may see), in the order the programmes were registered."""
    return [figure for source in _figure_sources.values() for figure in source(user, organisation)]
