"""Reading .xlsx, .xls, .ods and .csv files against a spec, row by row."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from gonghui.core.tabular.base import (
    CHUNK,
    OLE_MAGIC,
    ZIP_MAGIC,
    Row,
    Spec,
    UnreadableFile,
    _cell_text,
    _clean_text,
    column_letters,
    normalise_header,
)
from gonghui.core.tabular.xlsx_guard import (
    _check_size,
    _check_xlsx,
    _check_zip,
    _corrupt,
    _encrypted,
    _ods_grid,
    _too_many_cells,
)
from gonghui.core.tabular.xlsx_stream import OtherShape, Stream, open_stream


def _xlsx_records(path: Path, sheet_name: str | None = None) -> Iterator[tuple[int, list[Any]]]:
    """The rows of the first visible worksheet (or of the one named): streamed when the
    workbook allows (constant memory), else from calamine, which holds the whole sheet."""
    if sheet_name is not None:  # workbooks of several sheets are small: calamine reads them
        records = _calamine_records(path, sheet_name)
        return ((n, [_cell_text(cell) for cell in cells]) for n, cells in records)
    _check_xlsx(path, unpack=False)
    opened = open_stream(path)
    if opened is None:
        return ((n, [_cell_text(cell) for cell in cells]) for n, cells in _calamine_records(path))
    return _streamed_records(path, *opened)


def _streamed_records(
    path: Path, stream: Stream, archive: zipfile.ZipFile, handle: IO[bytes]
) -> Iterator[tuple[int, list[Any]]]:
    last = 0
    try:
        with archive, handle:
            for number, cells in stream:
                last = number
                yield number, cells
        return
    except OtherShape:
        pass  # a part of the sheet written otherwise: calamine reads on from the next row
    for number, cells in _calamine_records(path):
        if number > last:
            yield number, [_cell_text(cell) for cell in cells]


def _calamine_records(
    path: Path, sheet_name: str | None = None, *, check: Callable[[Path], None] = _check_xlsx
) -> Iterator[tuple[int, list[Any]]]:
    check(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = [
            sheet.name for sheet in workbook.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet
        ]
        if sheet_name is not None and sheet_name not in names:
            index = -1
        elif sheet_name is not None:
            index = workbook.sheet_names.index(sheet_name)
        else:
            index = next(
                (
                    i
                    for i, sheet in enumerate(workbook.sheets_metadata)
                    if sheet.typ == SheetTypeEnum.WorkSheet
                    and sheet.visible == SheetVisibleEnum.Visible
                ),
                0,
            )
        sheet = workbook.get_sheet_by_index(index) if index >= 0 else None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine reports Rust panics as BaseException
        if check is not _check_xlsx:
            raise _unreadable_workbook(path) from None
        raise _corrupt() from None
    if sheet is None:
        raise UnreadableFile(
            _("The workbook has no sheet named %(sheet)s.") % {"sheet": sheet_name}
        )
    if check is not _check_xlsx:
        _check_cells(sheet.height * sheet.width)
    # iter_rows starts at the sheet's first row (blank rows above the data included), but at
    # its first used column
    first_column = sheet.start[1] if sheet.start else 0
    rows = enumerate(sheet.iter_rows(), 1)
    if not first_column:
        return rows
    # calamine's rows start at the first used column; put them back under their letters
    padding = [""] * first_column
    return ((number, padding + cells) for number, cells in rows)


def _as_read(value: Any) -> str:
    return str(value)


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


WPS_SUFFIXES = frozenset({".et", ".ett"})
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# the name of the stream that holds a password-protected .xlsx, as an OLE directory spells it
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _is_encrypted_package(path: Path) -> bool:
    with path.open("rb") as handle:
        carry = b""
        while chunk := handle.read(CHUNK):
            if _ENCRYPTED_PACKAGE in carry + chunk:
                return True
            carry = chunk[-len(_ENCRYPTED_PACKAGE) :]
    return False


def _check_ole(path: Path) -> None:
    """An .xls is read whole, bounded by its file size (checked before)."""


def _check_ods(path: Path) -> None:
    _check_zip(path)
    _check_cells(_ods_grid(path))


def _check_cells(cells: int) -> None:
    if cells > int(settings.IMPORT_MAX_CELLS):
        raise _too_many_cells()


def _unreadable_workbook(path: Path) -> UnreadableFile:
    # calamine refuses a password-protected .xls as it refuses a damaged one
    return UnreadableFile(
        _(
            "The workbook cannot be read: it is damaged or password-protected. Open it in Excel or WPS, remove any password and save it as .xlsx."
        )
    )


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


def _whole_records(
    path: Path, sheet: str | None, check: Callable[[Path], None]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of an .xls or .ods sheet: calamine reads such a sheet whole (they are small:
    an .xls holds at most 65,536 rows, and the file size is bounded)."""
    records = _calamine_records(path, sheet, check=check)
    return ((n, [_cell_text(cell) for cell in cells]) for n, cells in records)


def _records(
    path: Path, sheet: str | None = None
) -> tuple[str, Iterator[tuple[int, list[Any]]], Callable[[Any], str]]:
    _check_size(path)
    with path.open("rb") as handle:
        head = handle.read(128)
    suffix = path.suffix.lower()
    if suffix in WPS_SUFFIXES:
        raise UnreadableFile(_("Save this WPS file as .xlsx or .xls before importing it."))
    if head.startswith(ZIP_MAGIC) and (suffix == ".ods" or ODS_MIMETYPE in head):
        return "ods", _whole_records(path, sheet, _check_ods), _as_read
    if head.startswith(ZIP_MAGIC):
        return "xlsx", _xlsx_records(path, sheet), _as_read  # rendered as text by the readers
    if head.startswith(OLE_MAGIC):
        # an Excel 97-2003 workbook, or the container of a password-protected .xlsx
        if _is_encrypted_package(path):
            raise _encrypted()
        return "xls", _whole_records(path, sheet, _check_ole), _as_read
    if suffix in {".xlsx", ".xlsm"}:
        raise _corrupt()
    if suffix not in {".csv", ".txt", ""}:
        raise UnreadableFile(_not_a_spreadsheet())
    if sheet is not None:
        raise UnreadableFile(
            _("This import reads a workbook of several sheets: an .xlsx, .xls or .ods file.")
        )
    encoding = _detect_encoding(path)
    return "csv", _csv_records(path, encoding), _clean_text


HEADER_SEARCH_ROWS = 10  # the header is looked for in this many rows from the top
# Cells of the lines below the data: totals, signatures, contacts (合计：10人, 填表人：张三)
TRAILER_WORDS = (
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报",
    "审核人",
    "负责人",
    "制表",
    "联系电话",
    "盖章",
)
TRAILER_CELLS = 4  # a line of more non-empty cells is data
_IDENTITY_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")
# a character of every trailer word: one search rules out almost every other row
_TRAILER_HINT = re.compile("[计人表话报章]")
# Columns a file may bring that gonghui never records (DESIGN.md, personal data): dropped on
# reading, their values never looked at.
DROPPED_COLUMNS: dict[str, Promise] = {
    "民族": gettext_lazy("gonghui records no ethnicity"),
    "族别": gettext_lazy("gonghui records no ethnicity"),
    "宗教": gettext_lazy("gonghui records no religion"),
    "宗教信仰": gettext_lazy("gonghui records no religion"),
    "政治面貌": gettext_lazy("gonghui records no political affiliation"),
    "党派": gettext_lazy("gonghui records no political affiliation"),
}
_DROPPED = {normalise_header(name): reason for name, reason in DROPPED_COLUMNS.items()}
_SNIPPET = 60  # characters of a skipped row shown


@dataclass
class Reading:
    """How a sheet was read: where its header was, which rows above and below the data were
    left out, which columns were not imported (and why, where it matters)."""

    sheet: str
    header_rows: tuple[int, ...]
    skipped_above: list[tuple[int, str]] = field(default_factory=list)
    skipped_below: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "skipped_above": [list(row) for row in self.skipped_above],
            "skipped_below": [list(row) for row in self.skipped_below],
            "ignored": list(self.ignored),
            "dropped": [[header, str(reason)] for header, reason in self.dropped],
        }


_READINGS: ContextVar[list[Table] | None] = ContextVar("readings", default=None)


@contextmanager
def collect_readings() -> Iterator[list[Table]]:
    """Every table opened within, so that an import can tell how each was read (`Reading`)."""
    tables: list[Table] = []
    token = _READINGS.set(tables)
    try:
        yield tables
    finally:
        _READINGS.reset(token)


def _snippet(cells: list[str]) -> str:
    text = " ".join(cell for cell in cells if cell)
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def _combine(parent: list[str], children: list[str]) -> list[str]:
    """A two-level header as one row: a child's name where there is one (merged parents keep
    their text in their first cell only), else the name above it."""
    width = max(len(parent), len(children))
    parent = parent + [""] * (width - len(parent))
    children = children + [""] * (width - len(children))
    return [child or above for above, child in zip(parent, children, strict=True)]


class HeaderNotFound(UnreadableFile):
    """The sheet's top rows do not name the columns the import needs."""


class Table:
    """An open spreadsheet: which spec columns it has, and its rows (iterated once)."""

    def __init__(
        self, path: Path, spec: Spec, *, sheet: str | None = None, allow_empty: bool = False
    ) -> None:
        self.path, self.spec, self.sheet = path, spec, sheet
        self.format, records, self._clean = _records(path, sheet)
        self._source: Iterator[tuple[int, list[Any]]] = records
        self._records: Iterator[tuple[int, list[Any]]] = records
        self.skipped_above: list[tuple[int, str]] = []
        self.skipped_below: list[tuple[int, str]] = []
        self.ignored: list[str] = []
        self.dropped: list[tuple[str, str]] = []
        try:
            self.header_rows, header = self._find_header()
            self.header_row = self.header_rows[0]
            self.headers: dict[str, str] = {}  # key -> the header as the file spells it
            self._index: list[tuple[str, int]] = []
            self._read_header(header)
            self._first = next(self._rows(), None)
        except BaseException:
            self.close()
            raise
        if self._first is None and not allow_empty:
            self.close()
            raise UnreadableFile(_("The file has no rows beneath its header row."))
        collected = _READINGS.get()
        if collected is not None:
            collected.append(self)

    def _named(self, header: list[str]) -> set[str]:
        lookup = self.spec.lookup
        return {
            column.key
            for text in header
            if text and (column := lookup.get(normalise_header(text))) is not None
        }

    def _find_header(self) -> tuple[tuple[int, ...], list[str]]:
        """The first of the top rows that names the spec's required columns, alone or with the
        row beneath (a two-level header); rows above it (a title, 填报单位) are left out."""
        top: list[tuple[int, list[str], list[Any]]] = []
        for number, cells in self._records:
            header = [self._clean(cell) for cell in cells]
            if any(header):
                top.append((number, header, cells))
                if len(top) > HEADER_SEARCH_ROWS:  # the 10th row's second header row, too
                    break
        if not top:
            raise UnreadableFile(_("The file is empty."))
        required = {c.key for c in self.spec.columns if c.required}
        for at, (number, header, _cells) in enumerate(top[:HEADER_SEARCH_ROWS]):
            named = self._named(header)
            below = top[at + 1] if at + 1 < len(top) and top[at + 1][0] == number + 1 else None
            if below is not None:
                # two rows are one header when together they name more than either alone
                combined = _combine(header, below[1])
                both = self._named(combined)
                alone = max(len(named), len(self._named(below[1])))
                if required <= both and len(both) > alone:
                    return self._found(top, at, 2), combined
            if named and required <= named:
                return self._found(top, at, 1), header
        # no row names them all: the one naming most is the header, and its gaps are named
        searched = top[:HEADER_SEARCH_ROWS]
        named_most = max(range(len(searched)), key=lambda at: len(self._named(searched[at][1])))
        if not self._named(searched[named_most][1]):
            missing = [c.header for c in self.spec.columns if c.required]
            raise HeaderNotFound(
                _("None of the first %(n)d rows names the required columns: %(columns)s.")
                % {"n": HEADER_SEARCH_ROWS, "columns": "、".join(missing)}
            )
        return self._found(top, named_most, 1), searched[named_most][1]

    def _found(
        self, top: list[tuple[int, list[str], list[Any]]], at: int, height: int
    ) -> tuple[int, ...]:
        self.skipped_above = [(number, _snippet(header)) for number, header, _c in top[:at]]
        after = [(number, cells) for number, _h, cells in top[at + height :]]
        self._records = chain(after, self._source)
        return tuple(number for number, _h, _c in top[at : at + height])

    def _read_header(self, header: list[str]) -> None:
        seen: dict[str, int] = {}
        for position, text in enumerate(header):
            column = self.spec.lookup.get(normalise_header(text)) if text else None
            if column is None:
                if text:  # columns the programme does not read are left out, and listed
                    reason = _DROPPED.get(normalise_header(text))
                    if reason is not None:
                        self.dropped.append((text, str(reason)))
                    else:
                        self.ignored.append(text)
                continue
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
            raise HeaderNotFound(
                _("The header row (row %(row)d) lacks the required columns: %(columns)s.")
                % {"row": self.header_row, "columns": "、".join(missing)}
            )

    @property
    def present(self) -> frozenset[str]:
        """The keys of the spec's columns that this file has."""
        return frozenset(self.headers)

    def _rows(self) -> Iterator[Row]:
        index, clean = self._index, self._clean
        is_trailer = self._is_trailer
        for number, cells in self._records:
            width = len(cells)
            if clean is _as_read:
                values = {key: cells[i] if i < width else "" for key, i in index}
            else:
                values = {key: clean(cells[i]) if i < width else "" for key, i in index}
            # a row of a few cells may be a total or a signature line (a count of the empty
            # cells keeps the common, wider row fast)
            if any(values.values()):
                if width - cells.count("") > TRAILER_CELLS or not is_trailer(number, cells):
                    yield Row(number, values)
            elif width:
                is_trailer(number, cells)  # only in columns not imported: noted if a total

    def _is_trailer(self, number: int, cells: list[Any]) -> bool:
        """A total or signature line (合计：10人, 填表人：张三 审核人：李四): a few cells of
        text, one naming what it is, and no identity number. It is noted and left out."""
        if not _TRAILER_HINT.search("".join(cells)):
            return False
        texts = [text for cell in cells if (text := self._clean(cell))]
        folded = [normalise_header(text) for text in texts]
        if any(_IDENTITY_LIKE.search(text) for text in folded):
            return False
        if not any(word in text for text in folded for word in TRAILER_WORDS):
            return False
        self.skipped_below.append((number, _snippet(texts)))
        return True

    @property
    def reading(self) -> Reading:
        """Where the header was found, what was skipped and what was not imported."""
        return Reading(
            sheet=self.sheet or "",
            header_rows=self.header_rows,
            skipped_above=list(self.skipped_above),
            skipped_below=list(self.skipped_below),
            ignored=list(self.ignored),
            dropped=list(self.dropped),
        )

    def __iter__(self) -> Iterator[Row]:
        """The data rows, blank ones skipped; may raise UnreadableFile half-way (bad bytes)."""
        first, self._first = self._first, None
        if first is None:
            return
        yield first
        yield from self._rows()

    def close(self) -> None:
        close = getattr(self._source, "close", None)
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


# The sheet an operator named (`--sheet`): read instead of looking for the header's sheet.
CHOSEN_SHEET: ContextVar[str | None] = ContextVar("chosen_sheet", default=None)


def open_table(
    path: Path | str, *, spec: Spec, sheet: str | None = None, allow_empty: bool = False
) -> Table:
    """Open a spreadsheet against a spec; raises UnreadableFile saying what is wrong.

    Unless a sheet is named, a workbook is read from its first sheet whose top rows hold the
    spec's header: a workbook often opens with its instructions (填表说明)."""
    path = Path(path)
    sheet = sheet if sheet is not None else CHOSEN_SHEET.get()
    try:
        return Table(path, spec, sheet=sheet, allow_empty=allow_empty)
    except HeaderNotFound:  # the file passed its guards; another sheet may be the one
        if sheet is not None:
            raise
        for other in _later_sheets(path):
            try:
                return Table(path, spec, sheet=other, allow_empty=allow_empty)
            except UnreadableFile:
                continue
        raise  # what the first sheet lacks says most


def _later_sheets(path: Path) -> list[str]:
    """The visible worksheets of a workbook after its first (none for a CSV file), in order;
    the file has passed its guards already, as the first sheet was read."""
    if path.suffix.lower() not in {".xlsx", ".xls", ".ods"}:
        return []
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:
        return []
    names = [
        sheet.name
        for sheet in workbook.sheets_metadata
        if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible
    ]
    return names[1:]
