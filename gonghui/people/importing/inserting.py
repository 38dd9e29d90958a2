"""Rows written in bulk, as each database takes them fastest: a binary COPY on PostgreSQL, one
executemany with the constant columns written as literals on SQLite; and the ids of the rows
so written."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from psycopg import sql

from gonghui.people.importing.registered import ids_by_digest


def insert_rows(
    cursor: Any,
    model: type[models.Model],
    columns: tuple[str, ...],
    values: list[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Rows written in one go, without the ORM's per-object work (the rows are checked
    already): a binary COPY on PostgreSQL (half the work of a text one, on both sides), one
    executemany on SQLite. `constants` are columns with one value for every row: on SQLite
    they are written into the statement (each bound value costs a little, a million times)."""
    if not values:
        return
    table = model._meta.db_table
    constants = constants or {}
    if cursor.db.vendor == "postgresql":
        if constants:
            tail = tuple(constants.values())
            values = [row + tail for row in values]
        _copy(cursor, model, (*columns, *constants), values)
        return
    names = ", ".join((*columns, *constants))
    slots = ", ".join([*(["%s"] * len(columns)), *map(_sqlite_literal, constants.values())])
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({slots})", values)  # noqa: S608 - fixed names, our own values


def _sqlite_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    raise TypeError(f"no literal for {type(value).__name__}")


def _copy(
    cursor: Any, model: type[models.Model], columns: tuple[str, ...], values: list[tuple[Any, ...]]
) -> None:
    types = _copy_types(model, columns)
    dates = [i for i, kind in enumerate(types) if kind == "date"]
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    # psycopg's own errors made Django's, as through Django's cursor
    with cursor.db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        copy.set_types(types)
        write = copy.write_row
        if not dates:
            for row in values:
                write(row)
            return
        parse = date.fromisoformat
        for row in values:
            cells = list(row)
            for i in dates:  # ISO text, as SQLite takes it, made dates for the binary format
                if isinstance(cells[i], str):
                    cells[i] = parse(cells[i])
            write(cells)


# PostgreSQL's binary formats of the kinds of column an import writes
_COPY_TYPES = {
    "CharField": "text",  # varchar and text share one binary format
    "TextField": "text",
    "BooleanField": "bool",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "BigAutoField": "int8",
    "BigIntegerField": "int8",
    "AutoField": "int4",
    "IntegerField": "int4",
    "PositiveIntegerField": "int4",
    "SmallIntegerField": "int2",
    "PositiveSmallIntegerField": "int2",
}


def _copy_types(model: type[models.Model], columns: tuple[str, ...]) -> list[str]:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    types = []
    for column in columns:
        found = by_column[column]
        target = found.target_field if found.is_relation else found  # type: ignore[attr-defined]
        types.append(_COPY_TYPES[target.get_internal_type()])
    return types


def new_ids(cursor: Any, table: str, count: int) -> list[int] | None:
    """Ids for rows about to be written, on PostgreSQL taken from the table's sequence (so the
    rows can be copied in with them); None on SQLite, where they are known once written."""
    if cursor.db.vendor != "postgresql":
        return None
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    # the sequence named by a constant: looked up once, not once a row
    draw = sql.SQL("SELECT array_agg(nextval({}::regclass)) FROM generate_series(1, %s)")
    raw = cursor.cursor
    with cursor.db.wrap_database_errors:
        raw.execute(draw.format(sql.Literal(sequence)), [count])
        (ids,) = raw.fetchone()
    return list(ids)


def written_ids(cursor: Any, table: str, digests: list[str]) -> list[int]:
    """The ids SQLite gave the people just written by one executemany, in order.

    The import holds the write lock, so they are consecutive and end at last_insert_rowid();
    the first and last rows are checked against that, and looked up one by one otherwise.
    """
    cursor.execute("SELECT last_insert_rowid()")
    (last,) = cursor.fetchone()
    ids = list(range(last - len(digests) + 1, last + 1))
    cursor.execute(
        f"SELECT id, identity_hash FROM {table} WHERE id IN (%s, %s)",  # noqa: S608 - fixed names
        [ids[0], ids[-1]],
    )
    if dict(cursor.fetchall()) == {ids[0]: digests[0], ids[-1]: digests[-1]}:
        return ids
    found = ids_by_digest(cursor, digests)
    return [found[digest] for digest in digests]
