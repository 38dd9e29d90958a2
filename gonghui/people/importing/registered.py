"""Who among a file's people is registered already: looked up by identity digest, a chunk at a
time, or read once for the whole roster when the import is as large as it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gonghui.people.importing.checking import FirstRows
from gonghui.people.models import Membership, MembershipStatus, Person


def ids_by_digest(cursor: Any, digests: list[str]) -> dict[str, int]:
    """The ids of the people with these identity digests, in plain queries: on a fresh roster
    it finds nobody, and the ORM's per-parameter work would cost more than the search."""
    table = Person._meta.db_table
    if cursor.db.vendor == "postgresql":  # one parameter, not thousands: the digests joined
        cursor.execute(
            f"SELECT identity_hash, id FROM {table} WHERE identity_hash = ANY(string_to_array(%s, ','))",  # noqa: S608 - fixed names
            [",".join(digests)],
        )
        return dict(cursor.fetchall())
    found: dict[str, int] = {}
    for start in range(0, len(digests), 900):  # under SQLite's old 999-parameter default
        part = digests[start : start + 900]
        cursor.execute(
            f"SELECT identity_hash, id FROM {table} WHERE identity_hash IN ({', '.join(['%s'] * len(part))})",  # noqa: S608 - fixed names
            part,
        )
        found.update(cursor.fetchall())
    return found


def roster_size(cursor: Any) -> int:
    """How many people are registered, at most (the highest id: no count of the table)."""
    cursor.execute(f"SELECT MAX(id) FROM {Person._meta.db_table}")  # noqa: S608 - fixed name
    (top,) = cursor.fetchone()
    return int(top or 0)


def registered_people(expected_rows: int) -> FirstRows | None:
    """The people registered already, as the 64-bit prefixes of their identity digests, when
    an import is as large as the roster it joins: reading them once costs far less than looking
    up each of its rows, and a first roster needs no look-up at all. None (each row is looked
    up) for a smaller import. They take eight bytes a person."""
    with transaction.get_connection().cursor() as cursor:
        registered = roster_size(cursor)
    if registered > expected_rows:
        return None
    known = FirstRows(capacity=1 << max(16, (2 * registered).bit_length()))
    digests = Person.objects.order_by().values_list("identity_hash", flat=True)
    for digest in digests.iterator(chunk_size=20_000):
        known.first(int(digest[:16], 16), 1)
    return known


@dataclass
class Existing:
    """People of a chunk registered already, by identity digest, and their current
    memberships, by person id."""

    people: dict[str, Person] = field(default_factory=dict)
    current: dict[int, Membership] = field(default_factory=dict)


def existing_people(digests: list[str], *, lock: bool) -> Existing:
    """The people among these identity digests who are registered already, and their current
    memberships; locked (PostgreSQL) when they are about to be written."""
    with transaction.get_connection().cursor() as cursor:
        ids = list(ids_by_digest(cursor, digests).values())
    if not ids:
        return Existing()
    people_query = Person.objects.filter(pk__in=ids)
    if lock:
        people_query = people_query.select_for_update()
    people = {p.identity_hash: p for p in people_query}
    current = {
        m.person_id: m
        for m in Membership.objects.filter(
            person__in=list(people.values()), status=MembershipStatus.ACTIVE
        ).select_related("union")
    }
    return Existing(people, current)
