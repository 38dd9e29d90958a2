"""Reading .xlsx and .csv files against a spec, row by row."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.utils.translation import gettext as _
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
    _corrupt,
    _encrypted,
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


def _calamine_records(path: Path, sheet_name: str | None = None) -> Iterator[tuple[int, list[Any]]]:
    _check_xlsx(path)
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
        raise _corrupt() from None
    if sheet is None:
        raise UnreadableFile(
            _("The workbook has no sheet named %(sheet)s.") % {"sheet": sheet_name}
        )
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


def _records(
    path: Path, sheet: str | None = None
) -> tuple[str, Iterator[tuple[int, list[Any]]], Callable[[Any], str]]:
    _check_size(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return "xlsx", _xlsx_records(path, sheet), _as_read  # rendered as text by the readers
    if head.startswith(OLE_MAGIC):
        raise _encrypted()
    if suffix in {".xlsx", ".xlsm"}:
        raise _corrupt()
    if suffix not in {".csv", ".txt", ""}:
        raise UnreadableFile(_not_a_spreadsheet())
    if sheet is not None:
        raise UnreadableFile(_("This import reads a workbook of several sheets: an .xlsx file."))
    encoding = _detect_encoding(path)
    return "csv", _csv_records(path, encoding), _clean_text


class Table:
    """An open spreadsheet: which spec columns it has, and its rows (iterated once)."""

    def __init__(
        self, path: Path, spec: Spec, *, sheet: str | None = None, allow_empty: bool = False
    ) -> None:
        self.path, self.spec, self.sheet = path, spec, sheet
        self.format, records, self._clean = _records(path, sheet)
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
        if self._first is None and not allow_empty:
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
            if clean is _as_read:
                values = {key: cells[i] if i < width else "" for key, i in index}
            else:
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


def open_table(
    path: Path | str, *, spec: Spec, sheet: str | None = None, allow_empty: bool = False
) -> Table:
    """Open a .xlsx or .csv file against a spec; raises UnreadableFile saying what is wrong."""
    return Table(Path(path), spec, sheet=sheet, allow_empty=allow_empty)
