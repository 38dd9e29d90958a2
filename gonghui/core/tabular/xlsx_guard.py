"""Refusing .xlsx files that would exhaust memory before any reader opens them.

Zip bombs, members that unpack beyond what they declare, and sheets whose bounding box
would make calamine reserve memory for billions of cells.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core.tabular.base import (
    CHUNK,
    ZIP_MAGIC,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_RATIO_FLOOR,
    UnreadableFile,
)


def _check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableFile(_("The file cannot be opened.")) from None
    if size == 0:
        raise UnreadableFile(_("The file is empty."))
    if size > settings.IMPORT_MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(limit)d MB; split it into several files.")
            % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    return size


def _too_large_unpacked() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This .xlsx file unpacks to far more data than a spreadsheet holds (it may be a zip bomb); it was not opened."
        )
    )


def _corrupt() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file is damaged or is not an .xlsx workbook; open it in Excel or WPS and save it again as .xlsx."
        )
    )


def _member_chunks(handle: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's unpacked bytes, refusing to unpack more than its header declares."""
    # Read the raw data ourselves: calamine unpacks everything that follows the header,
    # whatever size the header claims, so a member that lies about its size is refused here.
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != ZIP_MAGIC:
        raise _corrupt()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _corrupt()
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                raise _corrupt()
            left -= len(chunk)
            yield chunk
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _corrupt()
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    while left > 0 or inflate.unconsumed_tail:
        if inflate.unconsumed_tail:
            data = inflate.unconsumed_tail
        else:
            data = handle.read(min(CHUNK, left))
            if not data:
                raise _corrupt()
            left -= len(data)
        try:
            chunk = inflate.decompress(data, CHUNK)
        except zlib.error:
            raise _corrupt() from None
        produced += len(chunk)
        if produced > info.file_size:
            raise _too_large_unpacked()
        if chunk:
            yield chunk
        if inflate.eof:
            break
    try:
        rest = inflate.flush()
    except zlib.error:
        raise _corrupt() from None
    produced += len(rest)
    if rest and produced <= info.file_size:
        yield rest
    if produced != info.file_size:
        raise _corrupt()


def _pieces(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut a stream of XML at tag starts, so that no tag straddles two pieces."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            if len(data) < CHUNK:
                carry = data
                continue
            cut = len(data)  # a megabyte without a tag: text, which the scans ignore
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet\b")
# Cells whose address is missing or not the first attribute, and namespace-prefixed cells;
# two patterns, each starting with a literal so that the regex engine skims (one is slower).
_ODD_CELLS = (re.compile(rb'<c(?! r=")[\s>/]'), re.compile(rb":(?:c|row)[\s>/]"))
_TWO_LETTERS = re.compile(rb'r="[A-Z]{2}')
_COLUMN_PATTERNS = {n: re.compile(rb'r="[A-Z]{%d}' % n) for n in (3, 4)}
_LETTER_AT_LEAST = {n: re.compile(rb'r="[%c-Z][0-9]' % (64 + n)) for n in range(1, 27)}
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_COLUMN_BOUNDS = {1: 26, 2: 26 * 27, 3: 16_384}


class _GridScan:
    """A cheap upper bound on the grid calamine allocates for one worksheet.

    calamine allocates (rows x columns) cells from the smallest to the largest address, so
    two cells at A1 and XFD1048576 in a 5 kB file ask for half a terabyte and abort the
    process. A few searches per megabyte bound the longest row number and column name;
    exact passes run only when this bound is too large or cells lack addresses.
    """

    def __init__(self) -> None:
        self.root_seen = False
        self.unusual = False  # namespace prefixes or cells without addresses
        self.digits = 0
        self.letters = 1

    def scan(self, piece: bytes) -> None:
        if self.unusual:
            return
        if not self.root_seen:
            root = _ROOT.search(piece)
            if root is None:
                return
            self.root_seen = True
            self.unusual = root.group(1) is not None
        if any(pattern.search(piece) for pattern in _ODD_CELLS):
            self.unusual = True
            return
        # every run of digits before a quote bounds some row number (leading zeros included)
        digits = piece.translate(_DIGITS)
        while self.digits <= 10 and digits.find(b"0" * (self.digits + 1) + b'"') != -1:
            self.digits += 1
        if self.letters > 3 or not _TWO_LETTERS.search(piece):
            return  # (the pattern also finds longer column names)
        self.letters = max(self.letters, 2)
        for letters in (4, 3):
            if letters > self.letters and _COLUMN_PATTERNS[letters].search(piece):
                self.letters = letters
                break

    @property
    def bound(self) -> int:
        if self.letters > 3 or self.digits > 10:
            return 1 << 62
        return int(10**self.digits) * _COLUMN_BOUNDS[self.letters]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@functools.cache
def _rows_with(digits: int) -> re.Pattern[bytes]:
    # addresses whose row number has exactly `digits` significant digits
    return re.compile(rb'r="[A-Z]{0,4}0*([1-9][0-9]{%d})"' % (digits - 1))


def _addressed_grid(pieces: Iterable[bytes], *, digits: int, letters: int) -> int:
    """The grid spanned by cell addresses, reading only the longest rows and column names."""
    columns = re.compile(rb'r="([A-Z]{%d,})[0-9]' % letters)
    high_row = high_column = 0
    for piece in pieces:
        # only row numbers at least as long as the highest so far can raise it
        for length in range(digits, len(str(high_row)) - 1, -1):
            found = _rows_with(length).findall(piece)
            if found:
                high_row = max(high_row, *map(int, found))
                break
        if letters > 1:
            names = set(columns.findall(piece))
            high_column = max(high_column, 0, *map(_column_number, names))
            continue
        # one letter: a binary search over A-Z costs five searches instead of one per cell
        low, high = high_column, 26
        while low < high:
            middle = (low + high + 1) // 2
            if _LETTER_AT_LEAST[middle].search(piece):
                low = middle
            else:
                high = middle - 1
        high_column = low
    return high_row * high_column


_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_ADDRESS = re.compile(rb'(?:^|\s)r="([A-Z]*)([0-9]*)"')


def _emulated_grid(pieces: Iterable[bytes]) -> int:
    """The grid calamine allocates, placing unaddressed cells the way calamine does (slow)."""
    row_index = column_index = 0
    low_row = low_column = 1 << 62
    high_row = high_column = -1
    for piece in pieces:
        for closing, name, attributes in _TAG.findall(piece):
            empty = attributes.endswith(b"/")  # calamine ignores empty elements
            address = _ADDRESS.search(attributes)
            if name == b"row":
                if closing:
                    row_index, column_index = row_index + 1, 0
                elif address and address.group(2) and not empty:
                    row_index = int(address.group(2)) - 1
                continue
            if closing or empty:
                continue
            if address and address.group(1) and address.group(2):
                row = int(address.group(2)) - 1
                column = _column_number(address.group(1)) - 1
            else:
                row, column = row_index, column_index
            column_index = column + 1
            low_row, high_row = min(low_row, row), max(high_row, row)
            low_column, high_column = min(low_column, column), max(high_column, column)
    if high_row < 0:
        return 0
    return (high_row - low_row + 1) * (high_column - low_column + 1)


def _too_many_cells(limit: int | None = None) -> UnreadableFile:
    return UnreadableFile(
        _(
            "A sheet of this workbook spans more than %(limit)d cells (often a stray value far below or to the right of the data); delete what lies outside the table, or split the file."
        )
        % {"limit": limit or int(settings.IMPORT_MAX_CELLS)}
    )


def _check_zip(path: Path) -> None:
    """Refuse zip bombs and lying zip headers (an .ods): every member unpacked once, bounded
    by what it declares, before calamine sees the file."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    with archive, path.open("rb") as handle:
        members = archive.infolist()
        _check_members(members)
        for member in members:
            for _chunk in _member_chunks(handle, member):
                pass  # unpacked only to prove that its declared size is true


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_grid(path: Path) -> int:
    """The largest grid calamine would build for a sheet of an .ods: repeated rows and cells
    (number-rows-repeated="1048576") are expanded, up to the last cell that holds a value.
    LibreOffice's trailing blank rows, repeated a million times, count for nothing."""
    from defusedxml.ElementTree import iterparse

    largest = 0
    with zipfile.ZipFile(path) as archive:
        if "content.xml" not in archive.namelist():
            raise _corrupt()
        with archive.open("content.xml") as content:
            height = last_row = width = 0
            try:
                for event, element in iterparse(content, events=("start", "end")):
                    tag = element.tag
                    if event == "start":
                        if tag == _ODS_TABLE + "table":
                            height = last_row = width = 0
                        continue
                    if tag == _ODS_TABLE + "table-row":
                        repeated = int(element.get(_ODS_TABLE + "number-rows-repeated", "1"))
                        used = _ods_row_width(element)
                        height += repeated
                        if used:
                            last_row, width = height, max(width, used)
                        element.clear()
                    elif tag == _ODS_TABLE + "table":
                        largest = max(largest, last_row * width)
                        element.clear()
            except (ValueError, SyntaxError):
                raise _corrupt() from None
    return largest


def _ods_row_width(row: Any) -> int:
    """How many columns of a row calamine keeps: up to its last cell holding a value."""
    width = used = 0
    for cell in row:
        width += int(cell.get(_ODS_TABLE + "number-columns-repeated", "1"))
        if cell.get(_ODS_OFFICE + "value-type") is not None or len(cell):
            used = width
    return used


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > ZIP_MAX_MEMBERS:
        raise _too_large_unpacked()
    if any(m.flag_bits & 0x1 for m in members):
        raise _encrypted()
    if sum(m.file_size for m in members) > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise _too_large_unpacked()
    for member in members:
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _too_large_unpacked()


def _check_xlsx(path: Path, *, unpack: bool = True) -> None:
    """Refuse zip bombs, lying zip headers and sparse-cell bombs before calamine sees the file.

    Without `unpack`, only what the archive declares is checked: for the streaming reader,
    which unpacks through `_member_chunks` and so never past a member's declared size.
    """
    max_cells = int(settings.IMPORT_MAX_CELLS)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    with archive, path.open("rb") as handle:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise _too_large_unpacked()
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise UnreadableFile(
                _("This is not an .xlsx workbook; open it in Excel or WPS and save it as .xlsx.")
            )
        if any(m.flag_bits & 0x1 for m in members):
            raise _encrypted()
        if sum(m.file_size for m in members) > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise _too_large_unpacked()
        for member in members:
            if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _too_large_unpacked()
        if not unpack:
            return
        for member in members:
            name = member.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                for _chunk in _member_chunks(handle, member):
                    pass  # unpacked only to prove that its declared size is true
                continue
            scan = _GridScan()
            for piece in _pieces(_member_chunks(handle, member)):
                scan.scan(piece)
            if scan.unusual:
                cells = _emulated_grid(_pieces(_member_chunks(handle, member)))
            elif scan.bound > max_cells:
                cells = _addressed_grid(
                    _pieces(_member_chunks(handle, member)),
                    digits=scan.digits,
                    letters=scan.letters,
                )
            else:
                continue
            if cells > max_cells:
                raise _too_many_cells()


def _encrypted() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This file is password-protected; remove the password in Excel or WPS and save it again as .xlsx."
        )
    )
