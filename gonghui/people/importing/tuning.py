"""The database made ready for one large import: on SQLite a larger page cache, rarer
checkpoints, and the indexes the import does not read set aside until its end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from gonghui.people.importing.registered import roster_size
from gonghui.people.models import Membership, Person

# below this many rows (or half the people already registered), indexes are kept as they are
DEFER_INDEXES_FROM = 100_000


@contextmanager
def bulk_writing(*, expected_rows: int, first: bool) -> Iterator[None]:
    """On SQLite, for this connection while the import writes: a 128 MB page cache (the 2 MB
    default thrashes on a roster's random-key indexes) and a write-ahead log checkpointed every
    256 MB rather than every 4 MB. For an import as large as the roster it joins, the indexes
    that the import does not read are dropped inside its transaction and built again, sorted,
    at its end: far cheaper than a million random insertions into each. Readers keep the
    indexes all along (they see the database as it was until the import commits), and an
    import that fails or is killed leaves them as they were. Nothing on PostgreSQL."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")
        cursor.execute("PRAGMA wal_autocheckpoint = 65536")
        deferred = deferrable_indexes(cursor, expected_rows=expected_rows, first=first)
        for name, _sql in deferred:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
        with connection.cursor() as cursor:
            for _name, sql in deferred:
                cursor.execute(sql)  # a unique one that fails: IntegrityError, tried again
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute("PRAGMA wal_autocheckpoint = 1000")


def deferrable_indexes(cursor: Any, *, expected_rows: int, first: bool) -> list[tuple[str, str]]:
    """The indexes (name, how to build it) an import of about `expected_rows` rows leaves to
    its end. For an import as large as the roster: the person indexes it never reads (pinyin
    keys, phone hashes), whose keys come in no order. For the first attempt at a first roster
    (nobody registered yet) also the identity's unique index and the membership indexes: such an
    import reads none of them (its people are told apart by the file's own table of digests,
    `FirstRows`, and nobody registered needs looking up), and SQLite's write lock keeps others
    from registering anyone meanwhile; should building a unique one fail all the same, the
    import is undone and tried again with every index kept up."""
    if expected_rows < DEFER_INDEXES_FROM:
        return []
    roster = roster_size(cursor)
    if expected_rows * 2 < roster:
        return []
    first_roster = first and roster == 0
    people, memberships = Person._meta.db_table, Membership._meta.db_table
    cursor.execute(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (%s, %s) ORDER BY tbl_name DESC, name",
        [people, memberships],
    )
    return [
        (name, sql)
        for table, name, sql in cursor.fetchall()
        if first_roster or (table == people and not sql.startswith("CREATE UNIQUE"))
    ]
