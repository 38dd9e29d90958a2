"""open_table(sheet=...): reading one named sheet of a workbook of several."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from gonghui.core.tabular import Column, Spec, UnreadableFile, open_table

SPEC = Spec((Column("code", "代码"), Column("name", "名称")))


def _workbook(path):
    workbook = Workbook()
    first = workbook.active
    first.title = "甲"
    first.append(["代码", "名称"])
    first.append(["A1", "第一张"])
    second = workbook.create_sheet("乙")
    second.append(["代码", "名称"])
    second.append(["B1", "第二张"])
    second.append(["B2", "第二张"])
    empty = workbook.create_sheet("丙")
    empty.append(["代码", "名称"])
    workbook.save(path)
    return path


def test_a_named_sheet_is_read_and_a_missing_one_named(tmp_path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    with open_table(path, spec=SPEC) as table:
        assert [r.values["code"] for r in table] == ["A1"]
    with open_table(path, spec=SPEC, sheet="乙") as table:
        assert [(r.number, r.values["code"]) for r in table] == [(2, "B1"), (3, "B2")]
    with open_table(path, spec=SPEC, sheet="丙", allow_empty=True) as table:
        assert list(table) == []
    with pytest.raises(UnreadableFile, match="no rows"):
        open_table(path, spec=SPEC, sheet="丙")
    with pytest.raises(UnreadableFile, match="no sheet named 丁"):
        open_table(path, spec=SPEC, sheet="丁")


def test_a_csv_has_no_sheets(tmp_path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("代码,名称\nA1,x\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="several sheets"):
        open_table(path, spec=SPEC, sheet="甲")
