"""The rows of an .xlsx worksheet as it unpacks, in constant memory.

calamine, the general reader, builds the whole sheet before it gives the first row: a
million-row roster costs it a gigabyte. The worksheets that Excel, WPS, LibreOffice and
openpyxl write are regular enough to be read as they inflate, a few megabytes at a time: a
precompiled pattern finds the cells of each piece, and the per-cell work is a few look-ups in
small caches. Cells come out as text, exactly as `_cell_text` renders calamine's values (the
tests hold the two readers to the same rows on generated workbooks); shared strings are kept
packed in one buffer rather than as a million Python strings.

`open_stream` answers None for a workbook of another shape (a namespace prefix, a document
type declaration, cells without their address first): the caller then uses calamine.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from gonghui.core.tabular.base import UnreadableFile, _cell_text, _clean_text, _number_text
from gonghui.core.tabular.xlsx_guard import _corrupt, _member_chunks

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_ANY_CELL = re.compile(rb"<c[\s>/]")
_INLINE = rb'<is><t(?: xml:space="preserve")?>([^<]*)</t></is>'
_SIMPLE_INLINE = re.compile(_INLINE)
_SHARED = re.compile(rb"<si>(.*?)</si>|<si/>", re.DOTALL)
_ROW_START = rb'<row r="(?P<n>[0-9]+)"[^>]*(?<!/)>'
_PREFIXED = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_ATTRIBUTE = re.compile(rb'\s([st])="([^"]*)"')
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>|<rPh\b.*?</rPh>", re.DOTALL)
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v>")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# calamine's builtin date formats (formats.rs): 14-22 and 45-47, [h]:mm:ss (46) a duration
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_BUILTIN_DURATIONS = frozenset({46})
DATE, DURATION = 1, 2
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


class OtherShape(Exception):
    """The workbook is not of the shape this reader takes: use calamine."""


def _format_kind(code: str) -> int:
    """calamine's is_custom_date_format, and whether the date is a duration ([h]:mm)."""
    escaped = quoted = ampm = hms = False
    brackets = 0
    previous = " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return 0
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and hms:
            return DURATION
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not ampm and brackets == 0:
            ampm = True
        elif (char in "pm/PM" and ampm and brackets == 0) or (
            char in "dmhysDMHYS" and not ampm and brackets == 0
        ):
            return DATE
        elif not (hms and char.lower() == previous.lower()):
            hms = previous == "[" and char in "mhsMHS"
        previous = char
    return 0


class _Strings:
    """The shared strings, packed: one UTF-8 buffer and the offsets into it."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("Q")

    def append(self, text: bytes) -> None:
        self._text += text
        self._ends.append(len(self._text))

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise OtherShape  # a cell names a string the table does not have
        start = self._ends[index - 1] if index else 0
        return self._text[start : self._ends[index]].decode()

    def __len__(self) -> int:
        return len(self._ends)


def _xml(handle: IO[bytes], info: zipfile.ZipInfo) -> Any:
    return fromstring(b"".join(_member_chunks(handle, info)))


def _text(raw: bytes) -> bytes:
    """The text of a shared or inline string: its runs, without phonetic guides."""
    return b"".join(match[1] for match in _TEXT.finditer(raw) if match[1] is not None)


def _unescape(raw: bytes) -> str:
    text = raw.decode()
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
    return text


class Stream:
    """One worksheet, read once, row by row: (row number, cell values by column from A)."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, handle: IO[bytes]) -> None:
        self._archive, self._handle = archive, handle
        members = {info.filename: info for info in archive.infolist()}
        sheet, self._epoch = self._first_sheet(members)
        if sheet not in members:
            raise OtherShape
        self._sheet = members[sheet]
        self._styles = self._style_kinds(members.get("xl/styles.xml"))
        self._texts: dict[bytes, str] = {}
        self._attribute_cache: dict[bytes, tuple[bytes | None, bytes | None]] = {}
        self._moments: dict[tuple[int, bytes], str] = {}
        self._strings = self._shared_strings(members.get("xl/sharedStrings.xml"))

    def _first_sheet(self, members: dict[str, zipfile.ZipInfo]) -> tuple[str, datetime]:
        sheets, date1904 = _sheets(self._handle, members)
        chosen = next((member for member, _name, usable in sheets if usable), sheets[0][0])
        return chosen, (_EPOCH_1904 if date1904 else _EPOCH_1900)

    def _style_kinds(self, info: zipfile.ZipInfo | None) -> dict[bytes, int]:
        """Style index (as the cell writes it) -> DATE or DURATION, for the styles that are."""
        if info is None:
            return {}
        styles = _xml(self._handle, info)
        codes = {
            int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
            for fmt in styles.iter(MAIN + "numFmt")
        }
        kinds: dict[bytes, int] = {}
        cell_xfs = styles.find(MAIN + "cellXfs")
        for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(MAIN + "xf")):
            number = int(xf.get("numFmtId", "0"))
            if number in codes:
                kind = _format_kind(codes[number])
            elif number in _BUILTIN_DATES:
                kind = DATE
            elif number in _BUILTIN_DURATIONS:
                kind = DURATION
            else:
                kind = 0
            if kind:
                kinds[str(index).encode()] = kind
        return kinds

    def _shared_strings(self, info: zipfile.ZipInfo | None) -> _Strings:
        strings = _Strings()
        if info is None:
            return strings
        carry = b""
        first = True
        # the end marker flushes a last empty item (<si/>) that no </si> follows
        for chunk in chain(_member_chunks(self._handle, info), [b"</sst>"]):
            data = carry + chunk
            if first:
                first = False
                if b"<sst" not in data:
                    raise OtherShape  # a namespace prefix (<x:sst>): calamine reads it
            end = max(data.rfind(b"</si>"), data.rfind(b"<si/>"))
            if end < 0:
                carry = data
                continue
            end += 5
            for item in _SHARED.finditer(data, 0, end):
                strings.append(_clean_text(_unescape(_text(item[1] or b""))).encode())
            carry = data[end:]
        return strings

    def _decode(self, raw: bytes) -> str:
        """Text as written in the XML, cleaned: plain UTF-8 mostly; escapes (openpyxl writes
        every Chinese character as &#NNNNN;) unescaped once per distinct value, for the first
        16,384 values (a few megabytes: names, posts and levels repeat)."""
        if b"&" not in raw and b"_x" not in raw:
            plain = raw.decode().strip()
            return _clean_text(plain) if plain[:1] == "'" else plain
        text = self._texts.get(raw)
        if text is None:
            text = _clean_text(_unescape(raw))
            if len(self._texts) < 1 << 14 and len(raw) < 128:
                self._texts[raw] = text
        return text

    def _value(self, kind: bytes | None, style: bytes | None, content: bytes | None) -> str:
        if not content:
            return ""
        if kind == b"inlineStr":
            simple = _SIMPLE_INLINE.fullmatch(content)
            return self._decode(simple[1] if simple else _text(content))
        if content[:3] == b"<v>" and content[-4:] == b"</v>" and b"<" not in content[3:-4]:
            raw = content[3:-4]
        else:
            found = _VALUE.search(content)
            raw = found[1] if found else b""
        return self._raw_value(kind, style, raw)

    def _raw_value(self, kind: bytes | None, style: bytes | None, raw: bytes) -> str:
        """The text of a cell from the content of its <v> element."""
        if kind == b"s":
            return self._strings[int(raw)] if raw else ""
        if kind == b"e":
            return ""  # as calamine: an error value (#N/A, #DIV/0!) reads as an empty cell
        if kind == b"str" or not raw:
            return self._decode(raw)
        if kind == b"b":
            return "TRUE" if raw == b"1" else "FALSE"
        if kind == b"d":
            return _cell_text(datetime.fromisoformat(raw.decode()))
        style_kind = self._styles.get(style) if style else None
        if style_kind is None:
            return _number_text(float(raw))
        key = (style_kind, raw)
        value = self._moments.get(key)
        if value is None:
            value = _cell_text(self._moment(style_kind, float(raw)))
            if len(self._moments) < 1 << 14:
                self._moments[key] = value
        return value

    def _moment(self, style_kind: int, number: float) -> Any:
        span = timedelta(milliseconds=round(number * 86_400_000))  # as calamine rounds
        if style_kind == DURATION:
            return span
        if 1 <= number < 60 and self._epoch is _EPOCH_1900:
            span += timedelta(days=1)  # Excel's 1900 counts a 29 February that never was
        moment = self._epoch + span
        if number < 1:
            return moment.time()
        if number.is_integer():
            return moment.date()
        return moment

    def _pieces(self) -> Iterator[bytes]:
        """The sheet data, inflated a few megabytes at a time and cut after whole rows."""
        started = False
        carry = b""
        for chunk in _member_chunks(self._handle, self._sheet):
            data = carry + chunk
            if not started:
                at = data.find(b"<sheetData")
                if b":sheetData" in data or b"<!DOCTYPE" in data[: at if at >= 0 else None]:
                    raise OtherShape
                if at < 0:
                    carry = data[-64:]
                    continue
                started = True
                if data[at : at + 12] == b"<sheetData/>":
                    return
                data = data[at:]
            stop = data.find(b"</sheetData>")
            if stop >= 0:
                yield data[:stop]
                return
            usable = data.rfind(b"</row>")
            if usable < 0:
                carry = data
                continue
            usable += 6
            carry = data[usable:]
            yield data[:usable]
        raise _corrupt()

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        templates: list[_Template] = []
        for piece in self._pieces():
            if b":" in piece and _PREFIXED.search(piece):
                raise OtherShape  # elements with a namespace prefix
            find = piece.find
            at = find(b"<row")
            while at >= 0:
                # a row of a known shape is read in one match from its start tag to its end tag
                for template in templates:
                    match = template.pattern.match(piece, at)
                    if match is not None:
                        yield template.row(match)
                        at = find(b"<row", match.end())
                        break
                else:
                    opened = find(b">", at)
                    if opened < 0 or piece[at + 4 : at + 5] not in b" \t\r\n/>":
                        raise _corrupt()
                    if piece[opened - 1 : opened] == b"/":  # <row r="7"/>: nothing in it
                        at = find(b"<row", opened)
                        continue
                    closed = find(b"</row>", opened)
                    if closed < 0:
                        raise _corrupt()
                    content = piece[opened + 1 : closed]
                    at = find(b"<row", closed)
                    if not content:
                        continue
                    cells = _CELL.findall(content)
                    if len(cells) != len(_ANY_CELL.findall(content)):
                        raise OtherShape  # cells not addressed first
                    yield from self._cell_rows(cells)
                    learnt = self._template(cells) if len(templates) < 8 else None
                    if learnt is not None:
                        templates.insert(0, learnt)

    def _cell_rows(self, matches: list[tuple[bytes, ...]]) -> Iterator[tuple[int, list[Any]]]:
        """Rows cell by cell: for rows of a shape not seen before."""
        value = self._value
        row_number = 0
        cells: list[Any] = []
        for letters, digits, attrs, content in matches:
            number = int(digits)
            if number != row_number:
                if cells:
                    yield row_number, cells
                row_number, cells = number, []
            column = _column_index(letters)
            kind, style = self._attributes(attrs)
            if column > len(cells):
                cells.extend([""] * (column - len(cells)))
            if column == len(cells):
                cells.append(value(kind, style, content))
            else:
                cells[column] = value(kind, style, content)
        if cells:
            yield row_number, cells

    def _attributes(self, attrs: bytes) -> tuple[bytes | None, bytes | None]:
        """A cell's type and style, from the attributes after its address."""
        if not attrs:
            return None, None
        parsed = self._attribute_cache.get(attrs)
        if parsed is None:
            found = dict(_ATTRIBUTE.findall(attrs))
            parsed = (found.get(b"t"), found.get(b"s"))
            if len(self._attribute_cache) < 1024:
                self._attribute_cache[attrs] = parsed
        return parsed

    def _template(self, matches: list[tuple[bytes, ...]]) -> _Template | None:
        """A pattern for rows shaped like this one (the same cells with the same attributes),
        which reads a whole row in one match; None when the row has unusual parts."""
        if not matches or len(matches) > 64:
            return None
        parts: list[bytes] = []
        converters: list[Callable[[bytes], Any] | None] = []
        columns: list[int] = []
        for letters, _digits, attrs, content in matches:
            # the row's number is captured from its start tag; every cell must repeat it
            head = b'<c r="' + re.escape(letters) + rb'(?P=n)"' + re.escape(attrs)
            kind, style = self._attributes(attrs)
            if not content:
                parts.append(head + rb"(?:/>|></c>)")
                converters.append(None)
            elif kind == b"inlineStr" and _SIMPLE_INLINE.fullmatch(content):
                parts.append(head + b">" + _INLINE + b"</c>")
                converters.append(self._decode)
            elif content[:3] == b"<v>" and content[-4:] == b"</v>" and b"<" not in content[3:-4]:
                if kind not in {None, b"n", b"s", b"b"}:
                    return None
                parts.append(head + rb"><v>([^<]*)</v></c>")
                converters.append(self._converter(kind, style))
            else:
                return None
            columns.append(_column_index(letters))
        pattern = re.compile(_ROW_START + b"".join(parts) + b"</row>", re.DOTALL)
        return _Template(pattern, converters, columns)

    def _converter(self, kind: bytes | None, style: bytes | None) -> Callable[[bytes], str]:
        if kind == b"s":
            strings = self._strings
            return lambda raw: strings[int(raw)] if raw else ""
        if kind in {None, b"n"} and not (style and style in self._styles):
            return lambda raw: _number_text(float(raw)) if raw else ""
        raw_value = self._raw_value
        return lambda raw: raw_value(kind, style, raw) if raw else ""


class _Template:
    """One shape of row: its pattern, a converter per captured cell, and the cells' columns."""

    def __init__(
        self,
        pattern: re.Pattern[bytes],
        converters: list[Callable[[bytes], Any] | None],
        columns: list[int],
    ) -> None:
        self.pattern = pattern
        self.width = columns[-1] + 1
        self.contiguous = columns == list(range(len(columns)))
        # (column, converter) for the cells that carry a value, in the order they are captured
        self.fields = [(c, f) for c, f in zip(columns, converters, strict=True) if f is not None]

    def row(self, match: re.Match[bytes]) -> tuple[int, list[Any]]:
        groups = match.groups()
        number = int(groups[0])
        values = groups[1:]
        if self.contiguous and len(self.fields) == self.width:
            return number, [f(raw) for (_c, f), raw in zip(self.fields, values, strict=True)]
        cells: list[Any] = [""] * self.width
        for (column, convert), raw in zip(self.fields, values, strict=True):
            cells[column] = convert(raw)
        return number, cells


def _sheets(
    handle: IO[bytes], members: dict[str, zipfile.ZipInfo]
) -> tuple[list[tuple[str, str, bool]], bool]:
    """The workbook's sheets in order, each as (its member, its name, whether it is a visible
    worksheet), and whether its dates count from 1904; OtherShape for an unusual workbook."""
    book = _xml(handle, members["xl/workbook.xml"])
    if book.tag != MAIN + "workbook":
        raise OtherShape
    properties = book.find(MAIN + "workbookPr")
    date1904 = properties is not None and properties.get("date1904") in {"1", "true"}
    rels_info = members.get("xl/_rels/workbook.xml.rels")
    if rels_info is None:
        raise OtherShape
    targets = {
        rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in _xml(handle, rels_info).iter(PACKAGE + "Relationship")
    }
    sheets = []
    for sheet in book.iter(MAIN + "sheet"):
        kind, target = targets.get(sheet.get(RELATIONSHIPS + "id"), ("", ""))
        if not target:
            continue
        name = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        worksheet = kind.endswith("/worksheet")
        visible = sheet.get("state", "visible") == "visible"
        sheets.append((posixpath.normpath(name), sheet.get("name", ""), worksheet and visible))
    if not sheets:
        raise OtherShape
    return sheets, date1904


def visible_sheet_names(path: Path) -> list[str] | None:
    """The names of the workbook's visible worksheets, in order, read from its workbook part
    alone; None for a workbook of another shape (calamine names them then)."""
    try:
        with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
            members = {info.filename: info for info in archive.infolist()}
            sheets, _date1904 = _sheets(handle, members)
    except (OtherShape, UnreadableFile, KeyError, ValueError, ParseError, DefusedXmlException):
        return None  # calamine names them, once the guards have passed the file
    except (zipfile.BadZipFile, OSError):
        return None  # and the guards say what is wrong with it
    return [name for _member, name, usable in sheets if usable]


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def open_stream(path: Path) -> tuple[Stream, zipfile.ZipFile, IO[bytes]] | None:
    """A streaming reader for the workbook, or None when it is of a shape to leave to calamine."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    handle = path.open("rb")
    try:
        return Stream(path, archive, handle), archive, handle
    except (OtherShape, KeyError, ValueError, ParseError, DefusedXmlException):
        handle.close()
        archive.close()
        return None
