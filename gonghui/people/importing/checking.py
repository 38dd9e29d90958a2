"""The file side of a roster import: every row read and checked, the people named twice in the
file found, and the good rows sealed, a chunk at a time."""

from __future__ import annotations

from array import array
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.tabular import RowError, Table
from gonghui.people.tabular import (
    MEMBER_SPEC,
    MemberRowChecker,
    SealedRow,
    row_values,
    rows_sealer,
)

CHUNK = 5000


class FirstRows:
    """The row on which each person first appears in a file, in a few dozen bytes a row.

    A dict of a million digests costs over a hundred megabytes; this is an open-addressing
    table of 64-bit digest prefixes (a chance collision in a million rows is about 1 in 30
    million) with the row numbers beside them, doubled when half full.
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._rows = array("I", bytes(4 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def first(self, key: int, row: int) -> int:
        """The first row with this key; `row` if it is new (and remembered)."""
        key = key or 1  # 0 marks an empty slot
        keys, mask = self._keys, self._mask
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                return int(self._rows[slot])
            if not found:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self._rows[slot] = row
        self._used += 1
        if self._used * 2 > mask:
            self._grow()
        return row

    def __len__(self) -> int:
        return self._used

    def __contains__(self, key: int) -> bool:
        key = key or 1
        keys, mask = self._keys, self._mask
        slot = key & mask
        while found := keys[slot]:
            if found == key:
                return True
            slot = (slot + 1) & mask
        return False

    def _grow(self) -> None:
        old = zip(self._keys, self._rows, strict=True)
        capacity = 2 * (self._mask + 1)
        self._keys = array("Q", bytes(8 * capacity))
        self._rows = array("I", bytes(4 * capacity))
        self._mask = capacity - 1
        keys, rows, mask = self._keys, self._rows, self._mask
        for key, row in old:
            if key:
                slot = key & mask
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot], rows[slot] = key, row


@dataclass
class Checked:
    """A chunk of the file, checked: its good rows (sealed) and the problems of the others."""

    rows: list[SealedRow]
    errors: list[RowError]
    read: int  # rows of the file in this chunk, good and bad


# (rows as `row_values` makes them, problems as (row, column, message), rows read): plain
# tuples, as they pass between processes fastest (marshal takes no named tuple)
PlainChunk = tuple[list[tuple[Any, ...]], list[tuple[int, str, str]], int]


def checked_chunks(table: Table, *, today: date) -> Generator[PlainChunk, None, None]:
    """The file side of an import: every row checked, the good ones made ready to seal
    (`row_values`); a chunk at a time, as plain values (rows, problems, rows read) that
    `sealed_chunks` takes on. Touches no database: it may run in a child process."""
    check = MemberRowChecker(today=today)
    values = row_values()
    rows: list[tuple[Any, ...]] = []
    errors: list[tuple[int, str, str]] = []
    read = 0
    for raw in table:
        read += 1
        row, problems = check(raw.number, raw.values)
        if row is None:
            errors += [(e.row, e.column, e.message) for e in problems]
        else:
            rows.append(values(row))
        if read == CHUNK:
            yield rows, errors, read
            rows, errors, read = [], [], 0
    if read:
        yield rows, errors, read


# where a plain row (`row_values`) holds the identity's digest and the row number
_DIGEST, _NUMBER = SealedRow._fields.index("digest"), SealedRow._fields.index("number")


def sealed_chunks(chunks: Iterable[PlainChunk]) -> Iterator[Checked]:
    """The chunks of `checked_chunks` with the people named twice in the file found (a row
    naming someone an earlier row named is an error) and the other rows sealed. This runs in
    the writing process: with it there, the two processes' shares of a large import are even."""
    seal = rows_sealer()
    seen = FirstRows()
    header = MEMBER_SPEC.header("identity_number")
    first_of = seen.first
    for rows, plain_errors, read in chunks:
        errors = [RowError(*e) for e in plain_errors]
        kept = []
        for row in rows:
            number = row[_NUMBER]
            first = first_of(int(row[_DIGEST][:16], 16), number)
            if first == number:
                kept.append(row)
            else:
                message = _("The same person as row %(row)d.") % {"row": first}
                errors.append(RowError(number, header, message))
        yield Checked(seal(kept), errors, read)
