"""The contest workbook: one .xlsx with the sheets 竞赛, 赛项, 评分标准, 选手, 裁判 and 评分.

`import_workbook` reads every sheet, checks every row (its own cells, then the references
between sheets, then what the actions would say), and writes only when no row in any sheet
is bad; a dry run does the same and rolls back. Everything goes through `actions`, inside one
transaction with a savepoint per step, so the check and the import cannot disagree, and
importing the same workbook again changes nothing.
"""

from gonghui.contests.workbook.importing import import_workbook
from gonghui.contests.workbook.sheets import ERROR_HEADERS, SHEETS, ImportReport, SheetError

__all__ = ["ERROR_HEADERS", "SHEETS", "ImportReport", "SheetError", "import_workbook"]
