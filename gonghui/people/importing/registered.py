"""Who among a file's people is registered already: looked up by identity digest, a chunk at a
time, or read once for the whole roster when the import is as large as it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gonghui.core.crypto import blind_index, blind_indexes, decrypt, rotation_pending
from gonghui.people.importing.checking import FirstRows
from gonghui.people.models import Membership, MembershipStatus, Person
from gonghui.people.tabular import SealedRow


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
    up) for a smaller import. They take eight bytes a person. None too while older field keys
    are in the ring: a person `rotate_keys` has not reached carries a digest of an older key."""
    if rotation_pending():
        return None
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


def older_digests(rows: list[SealedRow]) -> dict[str, str]:
    """{digest under an older field key: the row's digest under the current one}: what else to
    look the rows up by while `rotate_keys` has not reached every person."""
    older: dict[str, str] = {}
    for row in rows:
        number = decrypt(row.identity_sealed, field="identity_number")
        for digest in blind_indexes(number, field="identity_number")[1:]:
            older[digest] = row.digest
    return older


def _as_current(person: Person, digest: str) -> Person:
    """A person found by an older key's digest, with the hashes the rows are compared by made
    with the current key (in memory: `rotate_keys` writes them)."""
    person.identity_hash = digest
    person.phone_hash = blind_index(person.reveal_phone(), field="phone")
    return person


def existing_people(
    digests: list[str], *, lock: bool, older: dict[str, str] | None = None
) -> Existing:
    """The people among these identity digests (and `older`, see `older_digests`) who are
    registered already, by current digest, and their current memberships; locked
    (PostgreSQL) when they are about to be written."""
    older = older or {}
    with transaction.get_connection().cursor() as cursor:
        ids = list(ids_by_digest(cursor, digests + list(older)).values())
    if not ids:
        return Existing()
    people_query = Person.objects.filter(pk__in=ids)
    if lock:
        people_query = people_query.select_for_update()
    people = {}
    for person in people_query:
        if person.identity_hash in older:
            person = _as_current(person, older[person.identity_hash])
        people[person.identity_hash] = person
    current = {
        m.person_id: m
        for m in Membership.objects.filter(
            person__in=list(people.values()), status=MembershipStatus.ACTIVE
        ).select_related("union")
    }
    return Existing(people, current)
