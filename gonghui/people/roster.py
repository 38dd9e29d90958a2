"""The roster query shared by the web list, the API and exports, and its pages.

Pages are read in pinyin order of the names straight off an index in that order (each
membership carries its person's sort key), from a cursor (the sort key and id of the row a
page starts after), never an offset, so that a later page costs what the first one does. How
the scope is read depends on its shape:

- one union: that union's range of the (union, status, name_key, id) index;
- a few unions: one such range each, merged;
- more (a county, a city, the federation): the (status, name_key, id, union) index walked in
  order, each entry's union checked against the subtree, which the whole tree does not need.

A search is a range of the same indexes: names beginning with the text typed, or whose pinyin
begins with it; a full identity number or mobile is one look-up of its keyed hash. Filters are
checked on the traits the index holds. The page's rows are then read by id.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from gonghui.accounts.models import BUSINESS_ROLES, User
from gonghui.core.validators import normalise_identity_number
from gonghui.orgs.models import Organisation, subtree_q
from gonghui.orgs.permissions import scope
from gonghui.people.actions import identity_digests, note_exact_search, phone_digests
from gonghui.people.identity import pinyin_key
from gonghui.people.models import (
    ENTERPRISE_HEAD,
    FRONTLINE,
    MIGRANT,
    SKILL_ORDER,
    Membership,
    MembershipQuerySet,
    MembershipStatus,
    Person,
)
from gonghui.people.permissions import visible_memberships

_FULL_ID = re.compile(r"^\d{17}[\dXx]$")
_FULL_PHONE = re.compile(r"^1[3-9]\d{9}$")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
PAGE_SIZE = 50
# Up to this many organisations in scope, each union's range is read and the ranges merged;
# beyond, one walk of the whole roster's index in order reads about as few entries.
MERGE_UP_TO = 8
ORDER = ("name_key", "pk")
EXACT_AT_MOST = 1000  # memberships of the people with one identity number or mobile


@dataclass(frozen=True)
class RosterQuery:
    q: str = ""
    union: str = ""
    skill_level: str = ""
    status: str = MembershipStatus.ACTIVE
    frontline: bool = False
    migrant: bool = False
    head: bool = False

    @property
    def is_exact(self) -> bool:
        """A full identity number or mobile: found by its keyed hash, not by name."""
        text = self.q.strip()
        return bool(_FULL_ID.match(text) or _FULL_PHONE.match(text))


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after this row, or (`before`) ending just before it."""

    name_key: str
    pk: int
    before: bool = False

    def encode(self) -> str:
        raw = json.dumps([self.name_key, self.pk, int(self.before)], ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor of a link, or None for a missing or mangled one (the first page)."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            name_key, pk, before = json.loads(raw)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        if not isinstance(name_key, str) or not isinstance(pk, int) or before not in (0, 1):
            return None
        return cls(name_key, pk, bool(before))

    def q(self) -> Q:
        """Rows beyond the cursor; the bound on the key alone starts the index range there."""
        if self.before:
            return Q(name_key__lte=self.name_key) & (
                Q(name_key__lt=self.name_key) | Q(pk__lt=self.pk)
            )
        return Q(name_key__gte=self.name_key) & (Q(name_key__gt=self.name_key) | Q(pk__gt=self.pk))


@dataclass
class RosterPage:
    """One page of the roster, with the cursors of the pages on either side."""

    object_list: list[Membership]
    next_cursor: str = ""
    previous_cursor: str = ""

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def roster(user: User, query: RosterQuery) -> MembershipQuerySet:
    """Memberships in the user's scope matching the query, in pinyin order of the names
    (for counts and exports; a page is read with `roster_page`)."""
    rows = visible_memberships(user).select_related("person", "person__unit", "union")
    if query.union:  # the union and every union beneath it
        rows = rows.filter(_beneath(query.union, "union__"))
    if query.is_exact:
        note_exact_search(by=user, text=query.q.strip())
    return _matching(rows, query).order_by(*ORDER)


def roster_page(
    user: User, query: RosterQuery, *, cursor: Cursor | None = None, size: int = PAGE_SIZE
) -> RosterPage:
    """The page of the roster that starts at `cursor` (the first page without one)."""
    queries = page_queries(user, query, cursor=cursor, size=size)
    with _planned_for_a_page(in_index_order=not query.is_exact):
        keys = _keys(queries, cursor, size + 1)
    rows = _rows(keys)
    if cursor is None or not cursor.before:
        after = rows[size - 1] if len(rows) > size else None
        return RosterPage(
            rows[:size],
            next_cursor=_cursor_of(after),
            previous_cursor=_cursor_of(rows[0], before=True) if cursor and rows else "",
        )
    if len(rows) <= size:  # back at the start: the first page as it is now
        return roster_page(user, query, size=size)
    rows = rows[:size][::-1]
    return RosterPage(
        rows,
        next_cursor=_cursor_of(rows[-1]),
        previous_cursor=_cursor_of(rows[0], before=True),
    )


def page_queries(
    user: User, query: RosterQuery, *, cursor: Cursor | None = None, size: int = PAGE_SIZE
) -> list[Any]:
    """The queries that find a page's rows: each reads one range of an index, in its order,
    from the cursor, and gives the sort key and id of the rows of a page and one more (to know
    whether there is a next page); on the index alone unless a name is searched."""
    order = [f"-{name}" for name in ORDER] if cursor and cursor.before else list(ORDER)
    if query.is_exact:
        # a person or two, found by the hash index; an order would tempt the planner to walk
        # the roster's index instead, checking every member's hash
        order = []
    return [
        (rows.filter(cursor.q()) if cursor else rows)
        .order_by(*order)
        .values_list(*ORDER)[: EXACT_AT_MOST if query.is_exact else size + 1]
        for rows in _sources(user, query)
    ]


def _cursor_of(row: Membership | None, *, before: bool = False) -> str:
    return Cursor(row.name_key, row.pk, before).encode() if row is not None else ""


@contextmanager
def _planned_for_a_page(*, in_index_order: bool) -> Iterator[None]:
    """On PostgreSQL, the queries of a page planned as the quick reads they are: no parallel
    workers or JIT compilation (each costs more than the page), and, unless a person is looked
    up by hash, no sorting. The planner cannot know how many entries of a subtree's walk pass
    its checks (the union's place in the tree, the traits): guessing few, it would gather them
    all and sort them, reading a whole county's members (or millions) for a page. Every page
    query has an index in its order to read."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        yield
        return
    settings = [
        "jit",
        "max_parallel_workers_per_gather",
        *(["enable_sort"] if in_index_order else []),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SET jit = off; SET max_parallel_workers_per_gather = 0"
            + ("; SET enable_sort = off" if in_index_order else "")
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("; ".join(f"RESET {name}" for name in settings))


def _keys(queries: list[Any], cursor: Cursor | None, limit: int) -> list[tuple[str, int]]:
    """Up to `limit` (sort key, id) beyond the cursor: those found by each query, merged in
    roster order."""
    backwards = cursor is not None and cursor.before
    runs = [sorted(keys, reverse=backwards) for keys in queries]  # in order already, but exact
    return list(islice(heapq.merge(*runs, reverse=backwards), limit))


def _rows(keys: list[tuple[str, int]]) -> list[Membership]:
    """The memberships of these keys, in their order, with what a page shows of them."""
    found = (
        Membership.objects.select_related("person", "person__unit", "union")
        .order_by()
        .in_bulk([pk for _key, pk in keys])
    )
    return [found[pk] for _key, pk in keys if pk in found]


def _sources(user: User, query: RosterQuery) -> list[MembershipQuerySet]:
    """The querysets a page is read from, each in index order: see the module's docstring."""
    reach = scope(user, BUSINESS_ROLES)
    if reach.is_empty:
        return []
    if query.is_exact:  # a person or two, found through the hash index
        return [roster(user, query)]
    orgs = Organisation.objects.filter(reach.q())
    if query.union:
        orgs = orgs.filter(_beneath(query.union))
    rows = _matching(Membership.objects.all(), query)
    few = list(orgs.values_list("pk", flat=True)[: MERGE_UP_TO + 1])
    if len(few) <= MERGE_UP_TO:
        return [rows.filter(union_id=pk) for pk in few]
    if not query.union and _is_whole_tree(reach.paths):
        return [rows]
    # `union_id + 0`: checked on each entry of the walk, not used to choose the index
    return [rows.alias(union_checked=F("union_id") + 0).filter(union_checked__in=orgs.values("pk"))]


def _beneath(code: str, prefix: str = "") -> Q:
    """The organisation with this code and its whole subtree (nothing when there is none)."""
    path = Organisation.objects.filter(code=code).values_list("path", flat=True).first()
    return subtree_q(path, prefix) if path else Q(pk__in=[])


def _is_whole_tree(paths: tuple[str, ...]) -> bool:
    roots = set(Organisation.objects.filter(parent=None).values_list("path", flat=True))
    return roots <= set(paths)


def _matching(rows: MembershipQuerySet, query: RosterQuery) -> MembershipQuerySet:
    """The query's status, search text and filters (the scope is applied by the caller)."""
    if query.status in MembershipStatus.values:
        rows = rows.filter(status=query.status)
    text = re.sub(r"\s+", " ", query.q.strip())
    if _FULL_ID.match(text):
        rows = _of_people(rows, identity_hash__in=identity_digests(normalise_identity_number(text)))
    elif _FULL_PHONE.match(text):
        rows = _of_people(rows, phone_hash__in=phone_digests(text))
    elif text:
        rows = _named(rows, text)
    return _with_traits(rows, query)


def _with_traits(rows: MembershipQuerySet, query: RosterQuery) -> MembershipQuerySet:
    """The skill level and flags asked for, checked on the traits the memberships carry."""
    mask = wanted = 0
    if query.skill_level:
        if query.skill_level not in SKILL_ORDER:
            return rows.none()
        mask |= 0b111 << 3
        wanted |= SKILL_ORDER.index(query.skill_level) << 3
    for asked, bit in [
        (query.frontline, FRONTLINE),
        (query.migrant, MIGRANT),
        (query.head, ENTERPRISE_HEAD),
    ]:
        if asked:
            mask |= bit
            wanted |= bit
    if not mask:
        return rows
    return rows.alias(asked_traits=F("traits").bitand(mask)).filter(asked_traits=wanted)


def _of_people(rows: MembershipQuerySet, **digests: list[str]) -> MembershipQuerySet:
    """Memberships of the people with this keyed hash: the people found first, by the hash's
    index, so that no plan reads the roster to compare every member's hash."""
    people = list(Person.objects.filter(**digests).values_list("pk", flat=True)[:EXACT_AT_MOST])
    return rows.filter(person__in=people)


def _named(rows: MembershipQuerySet, text: str) -> MembershipQuerySet:
    """Names that begin with `text`, or whose pinyin does ("zh", "zhang", "zhang1 san").

    Both are one range of sort keys: a name's key begins with the key of its first characters.
    Characters that sound alike share a key, so Chinese text is then matched on the name too.
    """
    text = re.sub(r"[•．・]", "·", text)
    key = pinyin_key(text)
    if not key:
        return rows.none()
    rows = rows.filter(name_key__gte=key, name_key__lt=key[:-1] + chr(ord(key[-1]) + 1))
    if _CHINESE.search(text):
        rows = rows.filter(person__name__startswith=text)
    return rows
