"""Declarations shared by reading and writing: columns, specs, rows, errors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext as _

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
    sheet: str = ""  # the worksheet, in a workbook of several

    def __str__(self) -> str:
        return _("Row %(row)d [%(column)s]: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Column:
    """A column of a spec: its key in the row values, its Chinese header, English aliases, and
    the note a downloadable template shows on its header (what to write there).

    `month_means_first_day` marks a date column whose import reads a month alone (2019.5,
    2019年5月) as the month's first day: reading the file notes the rows that give only a
    month, so that the import can say so."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    help: str | Promise = ""
    month_means_first_day: bool = False


_SPACES = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    # NFKC folds full-width parentheses, letters and spaces into their ASCII forms; spaces and
    # line breaks inside a cell ("公民身份\n号码", "姓　名") do not change the column it names
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


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


# Dates as people type them: 2019-05-01, 2019/5/1, 2019.05.01, 2019年5月1日, 20190501, and a
# month alone (2019.5, 2019年5月), which means its first day
_TYPED_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月?)|(\d{4})(\d{2})(\d{2})"
)


def parse_typed_date(text: str) -> tuple[date, bool]:
    """The date a cell's text means, and whether only its month was given (the first day is
    then taken); ValueError when it is not a date."""
    match = _TYPED_DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    if match[4]:
        return date(int(match[4]), int(match[5]), int(match[6])), False
    day = match[3]
    return date(int(match[1]), int(match[2]), int(day or 1)), day is None


# Numbers as people type them: thousands grouped by commas or spaces, the groups of three
# digits (1,234 / 12 345 / 1,234.5), one separator throughout
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<separator>[, ])\d{3}(?:(?P=separator)\d{3})*(?:\.\d+)?")
# what a grouped number was meant to be, but is not: 1,23 / 12,5 / 1,2345
_LOOSELY_GROUPED = re.compile(r"[+-]?[\d.]*\d[, ][\d., ]*")


def parse_typed_number(text: str) -> Decimal:
    """The number a cell's text means, as people type it: full-width digits and separators
    (１，２３４), thousands grouped by commas or spaces (1,234, 12 345, 1,234.5). ValueError,
    saying why in the user's language, for what is not a number, and for a comma or a space
    that does not group thousands (1,23 is refused, not read as 123 or as 1.23)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if _GROUPED.fullmatch(folded):
        return Decimal(folded.replace(",", "").replace(" ", ""))
    if _LOOSELY_GROUPED.fullmatch(folded):
        raise ValueError(
            _(
                "「%(value)s」: a comma or a space groups thousands, three digits at a time (1,234); write decimals with a point (12.5)."
            )
            % {"value": text.strip()}
        )
    try:
        number = Decimal(folded)
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or "_" in folded:
        raise ValueError(_("「%(value)s」 is not a number.") % {"value": text.strip()})
    return number


def is_month_alone(text: str) -> bool:
    """Whether a cell's text is a date giving only its month (2019.5, 2019年5月)."""
    try:
        return parse_typed_date(text)[1]
    except ValueError:
        return False


# Yes and no as people write them in a spreadsheet (compared in lower case; a blank is no)
YES = frozenset({"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "同意"})
NO = frozenset({"否", "n", "no", "false", "f", "0", "", "×", "✗", "✘", "不同意"})


def parse_yes_no(text: str) -> bool | None:
    """True for 是, √, Y, 1 …; False for 否, ×, N, 0, a blank …; None for anything else."""
    folded = text.strip().casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None


def is_scientific(value: str) -> bool:
    """Whether a spreadsheet turned a long number into scientific notation (and lost digits)."""
    return bool(_SCIENTIFIC.match(value))


# How a cell reads as text, whichever reader found it.


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
