"""Sealing everything again with the current field key, so that an older key can leave the ring.

Each app names its sealed columns once (`register`): which column holds a sealed value of
which field, and which keyed hash indexes which of them. `rotate` walks each such table in
the order of its primary key, a batch per transaction, and seals again and hashes again only
the rows with a value the current key did not seal (a sealed value begins with the key's id).
A batch is written whole or not at all, and a row once done is never picked again: stopped at
any point — even by kill -9 — the next run goes on where the last one stopped, and nothing is
sealed twice. The rows of a batch are locked while they are rewritten, so the application
goes on reading and writing them meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Q

from gonghui.core import audit, crypto


@dataclass(frozen=True)
class SealedColumns:
    """A table's sealed values: {column: field name they are sealed under}, and its keyed
    hashes: {hash column: the sealed column whose clear value it indexes}."""

    model: type[models.Model]
    sealed: Mapping[str, str]
    hashed: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.model._meta.label_lower)

    def stale(self, prefix: str) -> Q:
        """Rows holding a value that the current key did not seal."""
        condition = Q()
        for column in self.sealed:
            condition |= ~Q(**{column: ""}) & ~Q(**{f"{column}__startswith": prefix})
        return condition


_TABLES: dict[str, SealedColumns] = {}


def register(columns: SealedColumns) -> None:
    """Called by each app's `ready()` for each table that holds sealed values."""
    _TABLES[columns.name] = columns


def tables() -> list[SealedColumns]:
    return sorted(_TABLES.values(), key=lambda table: table.name)


@dataclass(frozen=True)
class Progress:
    table: str
    done: int
    total: int


def pending() -> dict[str, int]:
    """How many rows of each table still hold a value sealed with an older key."""
    prefix = crypto.token_prefix()
    return {t.name: t.model._default_manager.filter(t.stale(prefix)).count() for t in tables()}


def _reseal(table: SealedColumns, row: models.Model) -> None:
    clear = {
        column: crypto.decrypt(getattr(row, column), field=name)
        for column, name in table.sealed.items()
    }
    for column, name in table.sealed.items():
        setattr(row, column, crypto.encrypt(clear[column], field=name))
    for hash_column, column in table.hashed.items():
        setattr(row, hash_column, crypto.blind_index(clear[column], field=table.sealed[column]))


def _write(model: type[models.Model], rows: list[models.Model], columns: list[str]) -> None:
    """One UPDATE a row, sent together (bulk_update's CASE over a thousand ids costs more)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    names = [str(meta.get_field(column).column) for column in columns]  # type: ignore[union-attr]
    assignments = ", ".join(f"{quote(name)} = %s" for name in names)
    key = quote(str(meta.pk.column if meta.pk is not None else "id"))
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {key} = %s"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*(getattr(r, c) for c in columns), r.pk] for r in rows])


def _batches(table: SealedColumns, *, batch: int) -> Iterator[int]:
    """Rewrite the table's stale rows, `batch` at a time; yield how many each batch did."""
    manager = table.model._default_manager
    columns = [*table.sealed, *table.hashed]
    prefix, last = crypto.token_prefix(), 0
    while True:
        with transaction.atomic():
            rows = list(
                manager.select_for_update()
                .filter(table.stale(prefix), pk__gt=last)
                .order_by("pk")
                .only("pk", *columns)[:batch]
            )
            if not rows:
                return
            for row in rows:
                _reseal(table, row)
            _write(table.model, rows, columns)
        last = rows[-1].pk
        yield len(rows)


def rotate(
    *, batch: int = 1000, by: Any = None, report: Callable[[Progress], None] | None = None
) -> dict[str, int]:
    """Seal again with the current field key every value an older one sealed; audited at its
    start and its end. Returns the rows rewritten, by table."""
    todo = pending()
    current = crypto.field_keys()[0]
    audit.record(
        action="keys.rotation_started",
        by=by,
        actor_name="" if by else "system",
        extra={"key": current.label, "rows": todo},
    )
    done: dict[str, int] = {}
    for table in tables():
        done[table.name] = 0
        for count in _batches(table, batch=batch):
            done[table.name] += count
            if report is not None:
                report(Progress(table.name, done[table.name], todo[table.name]))
    audit.record(
        action="keys.rotated",
        by=by,
        actor_name="" if by else "system",
        extra={"key": current.label, "rows": done, "left": pending()},
    )
    return done
