"""Spreadsheets in and out: every programme's import and export goes through here.

A programme declares its columns once (a `Spec`); `open_table` refuses files that are not
spreadsheets, are too large, are zip bombs or lack required columns, finds the header among
the first rows (below a title, over a second header row), then streams the rows as
`Row(number, values)`: the number as the spreadsheet shows it, the values as clean text;
total and signature lines below the data are left out, and `Table.reading` says so.
`survey_sheets` lists a workbook's sheets with where each one's header is, for an officer to
choose. `write_csv` and `write_xlsx` stream exports with spreadsheet formulas neutralised.
"""

from gonghui.core.tabular.base import (
    CHUNK,
    ERROR_HEADERS,
    FORMULA_STARTS,
    OLE_MAGIC,
    XLSX_CONTENT_TYPE,
    ZIP_MAGIC,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_RATIO_FLOOR,
    Cell,
    Column,
    Row,
    RowError,
    Spec,
    UnreadableFile,
    column_letters,
    is_scientific,
    normalise_header,
)
from gonghui.core.tabular.reading import (
    Reading,
    SheetFound,
    Table,
    collect_readings,
    open_table,
    survey_sheets,
)
from gonghui.core.tabular.writing import (
    csv_chunks,
    csv_response,
    neutralise,
    write_csv,
    write_errors,
    write_xlsx,
    xlsx_response,
)

__all__ = [
    "CHUNK",
    "ERROR_HEADERS",
    "FORMULA_STARTS",
    "OLE_MAGIC",
    "XLSX_CONTENT_TYPE",
    "ZIP_MAGIC",
    "ZIP_MAX_MEMBERS",
    "ZIP_MAX_RATIO",
    "ZIP_RATIO_FLOOR",
    "Cell",
    "Column",
    "Reading",
    "Row",
    "RowError",
    "SheetFound",
    "Spec",
    "Table",
    "UnreadableFile",
    "collect_readings",
    "column_letters",
    "csv_chunks",
    "csv_response",
    "is_scientific",
    "neutralise",
    "normalise_header",
    "open_table",
    "survey_sheets",
    "write_csv",
    "write_errors",
    "write_xlsx",
    "xlsx_response",
]
