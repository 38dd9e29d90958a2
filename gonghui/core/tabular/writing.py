"""Writing exports and error reports, streamed, with spreadsheet formulas neutralised."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from gonghui.core.tabular.base import (
    _XML_ILLEGAL,
    ERROR_HEADERS,
    FORMULA_STARTS,
    XLSX_CONTENT_TYPE,
    Cell,
    RowError,
    column_letters,
)


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
