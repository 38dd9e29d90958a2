"""Refusing an Excel 97-2003 workbook (.xls) whose sheets would exhaust memory, before calamine
opens it.

calamine reads every sheet of an .xls as it opens the file: it reserves room for the cells
that each sheet's DIMENSIONS record announces, then builds a grid from the first to the last
cell it holds. Two cells at A1 and IV65536, in a file of a few kilobytes, make it take a
gigabyte. Here the OLE2 container is opened with olefile, and the Workbook stream is walked
record by record (BOUNDSHEET, DIMENSIONS and the cell records calamine reads), to
measure both for every sheet as calamine would.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import olefile
from django.utils.translation import gettext as _

from gonghui.core.tabular.base import UnreadableFile
from gonghui.core.tabular.xlsx_guard import _encrypted

EOF, BOUNDSHEET, DIMENSIONS, FILEPASS = 0x000A, 0x0085, 0x0200, 0x002F
FORMULA, FORMULA_STRING, MULRK = 0x0006, 0x0207, 0x00BD
# NUMBER, LABEL, BOOLERR, RK, LABELSST: the row and the column open the record
PLAIN_CELLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD})
_U32 = 1 << 32
_TWO_SHORTS = struct.Struct("<HH")  # a record's type and length
_RECORD_AND_CELL = struct.Struct("<HHHH")  # and a cell record's row and column


def unreadable_workbook() -> UnreadableFile:
    # calamine refuses a damaged .xls as it refuses a password-protected one
    return UnreadableFile(
        _(
            "The workbook cannot be read: it is damaged or password-protected. Open it in Excel or WPS, remove any password and save it as .xlsx."
        )
    )


def workbook_stream(path: Path) -> bytes:
    """The Workbook stream (Book in Excel 5 files) of an .xls, read by olefile."""
    try:
        with olefile.OleFileIO(str(path)) as container:
            for name in ("Workbook", "Book"):
                if container.exists(name):
                    return bytes(container.openstream(name).read())
    except Exception:  # olefile raises many kinds of errors for a damaged container
        raise unreadable_workbook() from None
    raise unreadable_workbook()


def _record(stream: bytes, at: int) -> tuple[int, int, int]:
    """The record at `at`: its type, where its data starts, and its length (a stream cut
    inside a record's header ends there, as calamine reads it)."""
    if at + 4 > len(stream):
        return EOF, len(stream), 0
    kind, length = _TWO_SHORTS.unpack_from(stream, at)
    return kind, at + 4, length


def sheet_offsets(stream: bytes) -> list[int]:
    """Where each sheet's substream starts, from the BOUNDSHEET records of the workbook's
    globals (up to their EOF); a password-protected workbook is refused."""
    offsets: list[int] = []
    at = 0
    while at < len(stream):
        kind, start, length = _record(stream, at)
        if kind == EOF:
            break
        if kind == FILEPASS and length >= 2 and stream[start : start + 2] != b"\0\0":
            raise _encrypted()
        if kind == BOUNDSHEET:
            if length < 4:
                raise unreadable_workbook()
            (offset,) = struct.unpack_from("<I", stream, start)
            if offset >= len(stream):
                raise unreadable_workbook()
            offsets.append(offset)
        at = start + length
    return offsets


@dataclass
class _Span:
    """The grid calamine builds from cells in the order they come: its rows run from the
    first cell's row to the last cell's (wrapping around, as unsigned 32-bit numbers do, when
    the last comes before the first), its columns from the least to the greatest."""

    first_row: int = -1
    last_row: int = 0
    low_column: int = 1 << 62
    high_column: int = -1

    def add(self, row: int, first_column: int, last_column: int) -> None:
        if self.first_row < 0:
            self.first_row = row
        self.last_row = row
        self.low_column = min(self.low_column, first_column)
        self.high_column = max(self.high_column, last_column)

    @property
    def cells(self) -> int:
        if self.first_row < 0:
            return 0
        rows = (self.last_row - self.first_row + 1) % _U32
        return rows * (self.high_column - self.low_column + 1)


def _dimensions(data: bytes) -> int:
    """How many cells calamine reserves room for, from a DIMENSIONS record (BIFF8 or
    earlier), with its unsigned arithmetic."""
    if len(data) == 14:
        first_row, after_row, first_column, after_column = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, after_row, first_column, after_column = struct.unpack_from("<HHHH", data)
    else:
        raise unreadable_workbook()
    if after_row < 1 or after_column < 1:
        return 1
    rows: int = (after_row - first_row) % _U32
    columns: int = (after_column - first_column) % _U32
    return rows * columns


def sheet_grid(stream: bytes, at: int) -> int:
    """The most cells calamine holds at once for the sheet whose substream starts at `at`: the
    room its DIMENSIONS announce, or the grid spanned by its values or by its formulas."""
    values, formulas = _Span(), _Span()
    reserved = 0
    formula_at = (0, 0)
    # a cell record's type, length, row and column in one look: this runs once a cell
    unpack, size, plain = _RECORD_AND_CELL.unpack_from, len(stream), PLAIN_CELLS
    while at < size:
        if at + 8 <= size:
            kind, length, row, column = unpack(stream, at)
        else:
            kind, _start, length = _record(stream, at)
            row = column = 0
        start, at = at + 4, at + 4 + length
        if kind in plain:
            if length < 4:
                raise unreadable_workbook()
            last_column = column
        elif kind == EOF:
            break
        elif kind == DIMENSIONS:
            reserved = max(reserved, _dimensions(stream[start:at]))
            continue
        elif kind == FORMULA and length >= 4:
            formulas.add(row, column, column)
            formula_at, last_column = (row, column), column
        elif kind == FORMULA_STRING:  # a formula's text result, placed at that formula
            row, column = formula_at
            last_column = column
        elif kind == MULRK and length >= 12:  # a row, a first column, and 6 bytes a cell
            last_column = column + (length - 6) // 6 - 1
        else:
            continue
        values.add(row, column, last_column)
    return max(reserved, values.cells, formulas.cells)


def xls_grid(path: Path) -> int:
    """The largest grid calamine would hold for any sheet of an .xls, read without it."""
    stream = workbook_stream(path)
    return max((sheet_grid(stream, offset) for offset in sheet_offsets(stream)), default=0)
