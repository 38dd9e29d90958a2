"""Spreadsheets in and out: every programme's import and export goes through here.

A programme declares its columns once (a `Spec`); `open_table` refuses files that are not
spreadsheets, are too large, are zip bombs or lack required columns, then streams the rows
as `Row(number, values)`: the number as the spreadsheet shows it, the values as clean text.
`write_csv` and `write_xlsx` stream exports with spreadsheet formulas neutralised.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_HEADERS = ("行号", "列", "错误")

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, and every password-protected .xlsx
ZIP_MAX_MEMBERS = 10_000
# Real worksheets compress 10 to 30 times; a member far beyond that is a bomb, not data.
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
CHUNK = 1024 * 1024

# A cell starting with one of these is run as a formula by Excel, WPS or LibreOffice.
FORMULA_STARTS = frozenset("=+-@\t\r\0")
# What follows the apostrophe of a neutralised cell once read back (XML turns \r into \n).
_NEUTRALISED = FORMULA_STARTS | {"\n"}
# Control characters that XML 1.0 (and so .xlsx) cannot hold at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SCIENTIFIC = re.compile(r"^[+-]?\d(\.\d+)?E[+-]?\d+$", re.IGNORECASE)

Cell = str | int | float | Decimal | date | datetime | None


class UnreadableFile(Exception):
    """The file as a whole cannot be imported; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, order=True)
class RowError:
    """One bad cell (or row): its row number as the spreadsheet shows it, column, reason."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d [%(column)s]: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Column:
    """A column of a spec: its key in the row values, its Chinese header, English aliases."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True


def normalise_header(text: str) -> str:
    # NFKC folds full-width parentheses, letters and spaces into their ASCII forms
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class Spec:
    """The columns a programme reads and writes, in export order."""

    columns: tuple[Column, ...]
    lookup: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.header, column.key, *column.aliases):
                known = lookup.setdefault(normalise_header(name), column)
                if known is not column:
                    raise ValueError(f"header {name!r} names both {known.key} and {column.key}")
        object.__setattr__(self, "lookup", lookup)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def header(self, key: str) -> str:
        """The Chinese header of the column `key` (what error reports name)."""
        return next(c.header for c in self.columns if c.key == key)


class Row(NamedTuple):
    """A data row: its number as the spreadsheet shows it, and the text of each column found."""

    number: int
    values: dict[str, str]


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column names a spreadsheet shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def is_scientific(value: str) -> bool:
    """Whether a spreadsheet turned a long number into scientific notation (and lost digits)."""
    return bool(_SCIENTIFIC.match(value))


# Reading ---------------------------------------------------------------------------------


def _clean_text(value: str) -> str:
    value = value.strip()
    # undo `neutralise`, so that an export re-imports to exactly what was exported
    if value[:1] == "'" and value[1:2] in _NEUTRALISED:
        return value[1:].strip()
    return value


def _number_text(value: float) -> str:
    if value.is_integer():
        if abs(value) < 1e15:
            return str(int(value))
        # Excel keeps 15 significant digits: show it as Excel does, so that a validator can
        # say the digits were lost instead of accepting a wrong number
        return f"{value:.14E}"
    return f"{value:.15g}"


def _cell_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _clean_text(value)
    if kind is float:
        return _number_text(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if kind is datetime:
        if value.time() == time(0):
            return str(value.date().isoformat())
        return str(value.isoformat(sep=" ", timespec="seconds"))
    if kind is date:
        return str(value.isoformat())
    if kind is time:
        return str(value.isoformat(timespec="seconds"))
    if kind is timedelta:
        return str(value)
    return _clean_text(str(value))


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


def _check_xlsx(path: Path) -> None:
    """Refuse zip bombs, lying zip headers and sparse-cell bombs before calamine sees the file."""
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
                raise UnreadableFile(
                    _(
                        "A sheet of this workbook spans more than %(limit)d cells (often a stray value far below or to the right of the data); delete what lies outside the table, or split the file."
                    )
                    % {"limit": max_cells}
                )


def _encrypted() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This file is password-protected or in the old .xls format; remove the password and save it as .xlsx (or .csv)."
        )
    )


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    _check_xlsx(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        index = next(
            (
                i
                for i, sheet in enumerate(workbook.sheets_metadata)
                if sheet.typ == SheetTypeEnum.WorkSheet
                and sheet.visible == SheetVisibleEnum.Visible
            ),
            0,
        )
        sheet = workbook.get_sheet_by_index(index)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine reports Rust panics as BaseException
        raise _corrupt() from None
    start = sheet.start
    first = start[0] + 1 if start else 1
    return enumerate(sheet.iter_rows(), first)


def _detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM), else GB18030; UTF-16 only with its BOM (Excel's Unicode text)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        for encoding in ("utf-8", "gb18030"):
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)("strict")
            try:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return "utf-8-sig" if encoding == "utf-8" else encoding
    raise UnreadableFile(
        _(
            "The text of this file is neither UTF-8 nor GB18030 (GBK); save it from Excel or WPS as .xlsx or as CSV UTF-8."
        )
    )


def _not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet: import .xlsx or .csv files.")


def _csv_records(path: Path, encoding: str) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding=encoding, newline="") as handle:
        first_line = handle.readline()
        handle.seek(0)
        # Excel's "Unicode text" export separates with tabs; everything else with commas
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        try:
            for number, record in enumerate(reader, 1):
                yield number, record
        except (csv.Error, UnicodeDecodeError) as error:
            raise UnreadableFile(
                _("Row %(row)d cannot be read: %(error)s") % {"row": number + 1, "error": error}
            ) from None


def _records(path: Path) -> tuple[str, Iterator[tuple[int, list[Any]]], Callable[[Any], str]]:
    _check_size(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return "xlsx", _xlsx_records(path), _cell_text
    if head.startswith(OLE_MAGIC):
        raise _encrypted()
    if suffix in {".xlsx", ".xlsm"}:
        raise _corrupt()
    if suffix not in {".csv", ".txt", ""}:
        raise UnreadableFile(_not_a_spreadsheet())
    encoding = _detect_encoding(path)
    return "csv", _csv_records(path, encoding), _clean_text


class Table:
    """An open spreadsheet: which spec columns it has, and its rows (iterated once)."""

    def __init__(self, path: Path, spec: Spec) -> None:
        self.path, self.spec = path, spec
        self.format, records, self._clean = _records(path)
        self._records: Iterator[tuple[int, list[Any]]] = records
        try:
            self.header_row, header = self._find_header()
            self.headers: dict[str, str] = {}  # key -> the header as the file spells it
            self._index: list[tuple[str, int]] = []
            self._read_header(header)
            self._first = next(self._rows(), None)
        except BaseException:
            self.close()
            raise
        if self._first is None:
            self.close()
            raise UnreadableFile(_("The file has no rows beneath its header row."))

    def _find_header(self) -> tuple[int, list[str]]:
        for number, cells in self._records:
            header = [self._clean(cell) for cell in cells]
            if any(header):
                return number, header
        raise UnreadableFile(_("The file is empty."))

    def _read_header(self, header: list[str]) -> None:
        seen: dict[str, int] = {}
        for position, text in enumerate(header):
            column = self.spec.lookup.get(normalise_header(text)) if text else None
            if column is None:
                continue  # columns the programme does not read are ignored
            if column.key in seen:
                raise UnreadableFile(
                    _(
                        "The column %(header)s appears twice: in column %(first)s and in column %(second)s."
                    )
                    % {
                        "header": column.header,
                        "first": column_letters(seen[column.key]),
                        "second": column_letters(position),
                    }
                )
            seen[column.key] = position
            self.headers[column.key] = text
            self._index.append((column.key, position))
        missing = [c.header for c in self.spec.columns if c.required and c.key not in seen]
        if missing:
            raise UnreadableFile(
                _("The header row (row %(row)d) lacks the required columns: %(columns)s.")
                % {"row": self.header_row, "columns": "、".join(missing)}
            )

    @property
    def present(self) -> frozenset[str]:
        """The keys of the spec's columns that this file has."""
        return frozenset(self.headers)

    def _rows(self) -> Iterator[Row]:
        index, clean = self._index, self._clean
        for number, cells in self._records:
            width = len(cells)
            values = {key: clean(cells[i]) if i < width else "" for key, i in index}
            if any(values.values()):
                yield Row(number, values)

    def __iter__(self) -> Iterator[Row]:
        """The data rows, blank ones skipped; may raise UnreadableFile half-way (bad bytes)."""
        first, self._first = self._first, None
        if first is None:
            return
        yield first
        yield from self._rows()

    def close(self) -> None:
        close = getattr(self._records, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_table(path: Path | str, *, spec: Spec) -> Table:
    """Open a .xlsx or .csv file against a spec; raises UnreadableFile saying what is wrong."""
    return Table(Path(path), spec)


# Writing ---------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (CSV injection)."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # numbers are data, never formulas: "-5" stays -5


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", neutralise(value))
    if isinstance(value, Decimal):
        return float(value)
    return value


class _Counted:
    def __init__(self, rows: Iterable[Sequence[Cell]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        for row in self.rows:
            self.count += 1
            yield row


def csv_chunks(
    rows: Iterable[Sequence[Cell]], headers: Sequence[str], *, batch: int = 1000
) -> Iterator[bytes]:
    """A CSV file as UTF-8 (with the BOM Excel needs for Chinese), in chunks of `batch` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF, fields quoted when they need it
    writer.writerow([neutralise(h) for h in headers])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(value) for value in row])
        if count % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_csv(rows: Iterable[Sequence[Cell]], headers: Sequence[str], fileobj: IO[bytes]) -> int:
    """Write rows as CSV to a binary file; returns how many rows were written."""
    counted = _Counted(rows)
    for chunk in csv_chunks(counted, headers):
        fileobj.write(chunk)
    return counted.count


def write_xlsx(
    rows: Iterable[Sequence[Cell]],
    headers: Sequence[str],
    path_or_fileobj: Path | str | IO[bytes],
    *,
    title: str = "Sheet1",
) -> int:
    """Write rows as .xlsx in constant memory (openpyxl write-only); returns the row count."""
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for position, header in enumerate(headers):
        sheet.column_dimensions[column_letters(position)].width = max(12, 2 * len(header) + 4)
    sheet.append([_xlsx_cell(h) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
    target = str(path_or_fileobj) if isinstance(path_or_fileobj, Path) else path_or_fileobj
    workbook.save(target)
    return count


def write_errors(
    errors: Iterable[RowError], target: Path | str | IO[bytes], *, file_format: str = ""
) -> int:
    """Write an error report (行号, 列, 错误) as .csv or .xlsx, by `file_format` or suffix."""
    file_format = file_format or Path(str(target)).suffix.lower().lstrip(".")
    rows = ((e.row, e.column, e.message) for e in errors)
    if file_format == "xlsx":
        return write_xlsx(rows, ERROR_HEADERS, target, title="errors")
    if file_format != "csv":
        raise ValueError(f"error reports are .csv or .xlsx, not {file_format!r}")
    if isinstance(target, (str, Path)):
        with Path(target).open("wb") as handle:
            return write_csv(rows, ERROR_HEADERS, handle)
    return write_csv(rows, ERROR_HEADERS, target)


def csv_response(
    rows: Iterable[Sequence[Cell]], headers: Sequence[str], *, filename: str
) -> StreamingHttpResponse:
    """Stream a CSV download: rows are read from the database as the client receives them."""
    response = StreamingHttpResponse(
        csv_chunks(rows, headers), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def xlsx_response(
    rows: Iterable[Sequence[Cell]], headers: Sequence[str], *, filename: str
) -> FileResponse:
    """An .xlsx download, built in an anonymous temporary file (gone when the response closes)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        write_xlsx(rows, headers, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
