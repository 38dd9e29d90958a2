"""The cells of a spreadsheet's sheets, whatever its format (.xlsx, .xls, .ods, .csv), each
format read only once its guards have passed the file: rows as (row number, cells)."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from gonghui.core.tabular.base import (
    CHUNK,
    OLE_MAGIC,
    ZIP_MAGIC,
    UnreadableFile,
    _cell_text,
    _clean_text,
)
from gonghui.core.tabular.xls_guard import unreadable_workbook, xls_grid
from gonghui.core.tabular.xlsx_guard import (
    _check_size,
    _check_xlsx,
    _check_zip,
    _corrupt,
    _encrypted,
    _ods_grid,
    _too_many_cells,
)
from gonghui.core.tabular.xlsx_stream import OtherShape, Stream, open_stream, visible_sheet_names


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
            raise unreadable_workbook() from None
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
    """calamine builds every sheet of an .xls as it opens it: their grids are measured first."""
    _check_cells(xls_grid(path))


def _check_ods(path: Path) -> None:
    _check_zip(path)
    _check_cells(_ods_grid(path))


def _check_cells(cells: int) -> None:
    """A sheet calamine builds whole takes some 64 bytes a cell of its grid: bounded lower
    than a streamed .xlsx's (a full .xls sheet of 65,536 rows and 12 columns is 0.8 million)."""
    limit = min(int(settings.IMPORT_MAX_CELLS), int(settings.IMPORT_MAX_WHOLE_SHEET_CELLS))
    if cells > limit:
        raise _too_many_cells(limit)


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


def _format(path: Path) -> str:
    """What kind of spreadsheet the file is, by its first bytes: xlsx, ods, xls or csv; a file
    of no such kind, or one that cannot be read (a WPS file, a password), is refused."""
    _check_size(path)
    with path.open("rb") as handle:
        head = handle.read(128)
    suffix = path.suffix.lower()
    if suffix in WPS_SUFFIXES:
        raise UnreadableFile(_("Save this WPS file as .xlsx or .xls before importing it."))
    if head.startswith(ZIP_MAGIC) and (suffix == ".ods" or ODS_MIMETYPE in head):
        return "ods"
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        # an Excel 97-2003 workbook, or the container of a password-protected .xlsx
        if _is_encrypted_package(path):
            raise _encrypted()
        return "xls"
    if suffix in {".xlsx", ".xlsm"}:
        raise _corrupt()
    if suffix not in {".csv", ".txt", ""}:
        raise UnreadableFile(_not_a_spreadsheet())
    return "csv"


def _records(
    path: Path, sheet: str | None = None
) -> tuple[str, Iterator[tuple[int, list[Any]]], Callable[[Any], str]]:
    kind = _format(path)
    if kind == "ods":
        return kind, _whole_records(path, sheet, _check_ods), _as_read
    if kind == "xlsx":
        return kind, _xlsx_records(path, sheet), _as_read  # rendered as text by the readers
    if kind == "xls":
        return kind, _whole_records(path, sheet, _check_ole), _as_read
    if sheet is not None:
        raise UnreadableFile(
            _("This import reads a workbook of several sheets: an .xlsx, .xls or .ods file.")
        )
    encoding = _detect_encoding(path)
    return kind, _csv_records(path, encoding), _clean_text


def visible_sheets(path: Path) -> list[str]:
    """The visible worksheets of a workbook, in order; none for a CSV file. An .xlsx names
    them in its workbook part; another workbook passes its guards before calamine opens it."""
    kind = _format(path)
    if kind == "csv":
        return []
    if kind == "xlsx":
        names = visible_sheet_names(path)
        if names is not None:
            return names
    guards: dict[str, Callable[[Path], None]] = {
        "xlsx": _check_xlsx,
        "xls": _check_ole,
        "ods": _check_ods,
    }
    guards[kind](path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return [
            sheet.name
            for sheet in workbook.sheets_metadata
            if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible
        ]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine reports Rust panics as BaseException
        raise unreadable_workbook() from None
