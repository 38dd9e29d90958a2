"""Reading a spreadsheet against a spec, row by row: where its header is, which lines around
the data are left out, which sheet of a workbook holds it (the cells come from `records`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gonghui.core.tabular.base import (
    Row,
    Spec,
    UnreadableFile,
    column_letters,
    is_month_alone,
    normalise_header,
)
from gonghui.core.tabular.records import _as_read, _records, visible_sheets

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
_MONTH_TEXTS_KEPT = 10_000  # distinct date texts remembered as giving only a month, or not


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
    # date columns where a month alone was read as its first day: (header, rows, the first rows)
    months_alone: list[tuple[str, int, list[int]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "skipped_above": [list(row) for row in self.skipped_above],
            "skipped_below": [list(row) for row in self.skipped_below],
            "ignored": list(self.ignored),
            "dropped": [[header, str(reason)] for header, reason in self.dropped],
            "months_alone": [[header, n, list(rows)] for header, n, rows in self.months_alone],
        }


MONTH_ROWS_SHOWN = 5  # rows named where a month alone was taken as its first day


def describe_months_alone(reading: dict[str, Any]) -> list[str]:
    """One sentence per date column in which some cells gave only a month: how many, and the
    first of those rows as the spreadsheet numbers them (a reading as `Reading.as_json`)."""
    said = []
    for header, count, rows in reading.get("months_alone", []):
        numbers = "、".join(str(number) for number in rows[:MONTH_ROWS_SHOWN])
        if count > len(rows[:MONTH_ROWS_SHOWN]):
            message = ngettext(
                "%(column)s: %(n)d row gives only a month, read as the 1st of that month (rows %(rows)s and others).",
                "%(column)s: %(n)d rows give only a month, read as the 1st of that month (rows %(rows)s and others).",
                count,
            )
        else:
            message = ngettext(
                "%(column)s: %(n)d row gives only a month, read as the 1st of that month (row %(rows)s).",
                "%(column)s: %(n)d rows give only a month, read as the 1st of that month (rows %(rows)s).",
                count,
            )
        said.append(message % {"column": header, "n": count, "rows": numbers})
    return said


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
        # date cells that give only a month, by column key: how many, and the first rows
        self.months_alone: dict[str, list[int]] = {}
        self._month_counts: dict[str, int] = {}
        self._month_keys: tuple[str, ...] = ()
        self._month_texts: dict[str, bool] = {}
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
        self._month_keys = tuple(
            c.key for c in self.spec.columns if c.month_means_first_day and c.key in seen
        )
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
        is_trailer, months = self._is_trailer, self._month_keys
        full_dates = self._month_texts  # texts known to be more than a month: False
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
                    for key in months:  # most dates are whole and seen before: one look-up
                        if (text := values[key]) and full_dates.get(text) is not False:
                            self._note_month(key, number, text)
                    yield Row(number, values)
            elif width:
                is_trailer(number, cells)  # only in columns not imported: noted if a total

    def _note_month(self, key: str, number: int, text: str) -> None:
        """Note a date cell that gives only a month (the import takes the month's 1st)."""
        alone = self._month_texts.get(text)
        if alone is None:  # dates repeat from row to row: each text is parsed once
            alone = is_month_alone(text)
            if len(self._month_texts) < _MONTH_TEXTS_KEPT:
                self._month_texts[text] = alone
        if alone:
            self._month_counts[key] = self._month_counts.get(key, 0) + 1
            rows = self.months_alone.setdefault(key, [])
            if len(rows) < MONTH_ROWS_SHOWN:
                rows.append(number)

    def notes(self) -> list[Any]:
        """What reading the rows noted (the lines left out below the data, the dates giving
        only a month), as plain values: a table read in a child process sends them back."""
        months = [[key, count, self.months_alone[key]] for key, count in self._month_counts.items()]
        return [[list(row) for row in self.skipped_below], months]

    def take_notes(self, notes: list[Any]) -> None:
        """The notes of `notes()`, made by this table's copy in another process."""
        below, months = notes
        self.skipped_below[:] = [(int(number), str(text)) for number, text in below]
        self._month_counts = {str(key): int(count) for key, count, _rows in months}
        self.months_alone = {str(key): [int(n) for n in rows] for key, _count, rows in months}

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
            months_alone=[
                (self.spec.header(key), self._month_counts[key], list(self.months_alone[key]))
                for key in self._month_keys
                if key in self._month_counts
            ],
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
    try:
        return visible_sheets(path)[1:]
    except Exception:
        return []


@dataclass(frozen=True)
class SheetFound:
    """A sheet of a workbook, and where its header is; why it cannot be read (no header in
    its top rows, or no rows beneath it), when it cannot."""

    name: str
    header_rows: tuple[int, ...] = ()
    problem: str = ""
    is_read: bool = False  # the sheet the import read

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "header_rows": list(self.header_rows),
            "problem": self.problem,
            "read": self.is_read,
        }


def survey_sheets(
    path: Path | str, spec: Spec, *, read: dict[str, Any] | None = None
) -> list[SheetFound]:
    """The visible worksheets of a workbook of several, each with where the spec's header is
    in it (or why it is not found), for an officer to choose which one to read. `read` is how
    the sheet read already was (`Reading.as_json`): its header is not looked for again. None
    for a CSV file or a workbook of one sheet."""
    path = Path(path)
    try:
        names = visible_sheets(path)
    except UnreadableFile:
        return []
    if len(names) < 2:
        return []
    read_name = (read["sheet"] or names[0]) if read is not None else None
    token = _READINGS.set(None)  # looking is not reading: no import hears of these tables
    try:
        return [
            SheetFound(name, tuple(read["header_rows"]), is_read=True)
            if read is not None and name == read_name
            else _look_for_header(path, spec, name)
            for name in names
        ]
    finally:
        _READINGS.reset(token)


def _look_for_header(path: Path, spec: Spec, name: str) -> SheetFound:
    try:
        with Table(path, spec, sheet=name, allow_empty=True) as table:
            if next(iter(table), None) is None:  # a header over nothing: an import refuses it
                problem = _("The file has no rows beneath its header row.")
                return SheetFound(name, table.header_rows, problem)
            return SheetFound(name, table.header_rows)
    except UnreadableFile as refused:
        return SheetFound(name, problem=refused.message)
