"""Spreadsheets as union offices keep them: a title and 填报 lines above the header, a
two-level header, totals and signatures below the data, the old .xls format, .ods."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gonghui.core.tabular import Column, Spec, UnreadableFile, open_table
from gonghui.core.tabular.base import parse_typed_date, parse_yes_no
from gonghui.core.tabular.reading import collect_readings

SPEC = Spec(
    columns=(
        Column("name", "姓名", ("name",)),
        Column("id_number", "公民身份号码", ("身份证号码", "身份证号")),
        Column("mobile", "手机号码", required=False),
        Column("phone", "固定电话", required=False),
        Column("unit", "工作单位", required=False),
    )
)
ID_1 = "650102199001010072"
ID_2 = "65010219900101001X"


def roster(path: Path, rows: list[list[Any]], merges: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def read(path: Path, spec: Spec = SPEC) -> tuple[list[tuple[int, dict[str, str]]], Any]:
    with open_table(path, spec=spec) as table:
        rows = [(row.number, row.values) for row in table]
        return rows, table.reading


def refusal(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    return caught.value.message


# The shape of a real 花名册 ----------------------------------------------------------------

HUAMINGCE = [
    ["新疆某某有限公司工会会员花名册", None, None, None, None],
    ["填报单位：某某有限公司工会", None, None, "填报日期：2024年5月1日", None],
    ["序号", "姓  名", "公民身份\n号码", "民族", "工作单位"],
    [1, "张三", ID_1, "汉族", "一车间"],
    [2, "阿依古丽·买买提", ID_2, "维吾尔族", "二车间"],
    [None, None, None, None, None],
    ["合计：2人", None, None, None, None],
    ["填表人：李四", None, "审核人：王五", None, "联系电话：0991-1234567"],
]


def test_the_header_is_found_below_a_merged_title_and_the_fill_in_line(tmp_path):
    path = roster(tmp_path / "花名册.xlsx", HUAMINGCE, merges=("A1:E1", "A2:C2"))

    rows, reading = read(path)

    assert rows == [
        (4, {"name": "张三", "id_number": ID_1, "unit": "一车间"}),
        (5, {"name": "阿依古丽·买买提", "id_number": ID_2, "unit": "二车间"}),
    ]
    assert reading.header_rows == (3,)
    assert [number for number, _text in reading.skipped_above] == [1, 2]
    assert "花名册" in reading.skipped_above[0][1]


def test_totals_and_signature_lines_below_the_data_are_skipped_and_listed(tmp_path):
    path = roster(tmp_path / "花名册.xlsx", HUAMINGCE)

    rows, reading = read(path)

    assert [number for number, _values in rows] == [4, 5]
    assert [number for number, _text in reading.skipped_below] == [7, 8]
    assert "合计" in reading.skipped_below[0][1]


def test_a_row_with_a_name_but_no_identity_number_is_still_data(tmp_path):
    rows_in = [["姓名", "公民身份号码"], ["张三", ID_1], ["李四", None], ["合计", 2]]
    path = roster(tmp_path / "r.xlsx", rows_in)

    rows, reading = read(path)

    assert rows == [
        (2, {"name": "张三", "id_number": ID_1}),
        (3, {"name": "李四", "id_number": ""}),
    ]
    assert [number for number, _text in reading.skipped_below] == [4]


def test_a_line_naming_a_total_but_holding_an_identity_number_is_data(tmp_path):
    path = roster(tmp_path / "r.xlsx", [["姓名", "公民身份号码"], ["合计", ID_1], ["x", ID_2]])

    rows, _reading = read(path)

    assert [number for number, _values in rows] == [2, 3]


def test_a_two_level_header_gives_the_childrens_names_and_is_not_data(tmp_path):
    rows_in = [
        ["职工花名册", None, None, None],
        ["姓名", "公民身份号码", "联系方式", None],
        [None, None, "手机号码", "固定电话"],
        ["张三", ID_1, "13800000000", "0991-1234567"],
    ]
    path = roster(tmp_path / "r.xlsx", rows_in, merges=("A1:D1", "A2:A3", "B2:B3", "C2:D2"))

    rows, reading = read(path)

    assert rows == [
        (
            4,
            {"name": "张三", "id_number": ID_1, "mobile": "13800000000", "phone": "0991-1234567"},
        )
    ]
    assert reading.header_rows == (2, 3)


def test_a_parent_row_over_the_required_columns_is_skipped(tmp_path):
    rows_in = [["基本信息", None, "备注"], ["姓名", "身份证号", None], ["张三", ID_1, "x"]]
    path = roster(tmp_path / "r.xlsx", rows_in, merges=("A1:B1",))

    rows, reading = read(path)

    assert rows == [(3, {"name": "张三", "id_number": ID_1})]
    assert reading.header_rows == (2,)


def test_the_header_is_looked_for_in_the_first_ten_rows_only(tmp_path):
    rows_in = [[f"说明 {n}"] for n in range(1, 11)] + [["姓名", "公民身份号码"], ["张三", ID_1]]
    path = roster(tmp_path / "r.xlsx", rows_in)

    assert "first 10 rows" in refusal(path)


def test_a_header_lacking_a_column_is_named_below_a_title(tmp_path):
    path = roster(tmp_path / "r.xlsx", [["职工花名册"], ["姓名", "身份号"], ["张三", ID_1]])

    message = refusal(path)

    assert "row 2" in message
    assert "公民身份号码" in message


def test_unused_columns_are_listed_and_ethnicity_religion_politics_dropped_with_reason(
    tmp_path,
):
    rows_in = [["序号", "姓名", "公民身份号码", "民 族", "宗教信仰", "政治面貌", "备注"]]
    rows_in.append([1, "张三", ID_1, "汉族", "无", "群众", "x"])
    path = roster(tmp_path / "r.xlsx", rows_in)

    rows, reading = read(path)

    assert rows == [(2, {"name": "张三", "id_number": ID_1})]
    assert reading.ignored == ["序号", "备注"]
    assert [header for header, _reason in reading.dropped] == ["民 族", "宗教信仰", "政治面貌"]
    assert "ethnicity" in reading.dropped[0][1]


def test_readings_are_collected_for_every_table_opened(tmp_path):
    path = roster(tmp_path / "r.xlsx", HUAMINGCE)

    with collect_readings() as tables:
        read(path)
    read(path)  # outside: not collected

    assert [table.reading.header_rows for table in tables] == [(3,)]
    assert tables[0].reading.as_json()["skipped_below"][0][0] == 7


def test_a_csv_is_read_the_same_way(tmp_path):
    path = tmp_path / "r.csv"
    text = "\n".join(
        [
            "职工花名册,,",
            "填报单位：某工会,,",
            "姓名,公民身份号码,民族",
            f"张三,{ID_1},汉族",
            "合计：1人,,",
        ]
    )
    path.write_text(text, encoding="utf-8-sig")

    rows, reading = read(path)

    assert rows == [(4, {"name": "张三", "id_number": ID_1})]
    assert (reading.header_rows, len(reading.skipped_below)) == ((3,), 1)


# .xls, .ods and WPS -------------------------------------------------------------------------


def xls(path: Path, rows: list[list[Any]], sheets: tuple[str, ...] = ("花名册",)) -> Path:
    xlwt = pytest.importorskip("xlwt")  # dev only: writes Excel 97-2003 as Excel does
    workbook = xlwt.Workbook(encoding="utf-8")
    for name in sheets:
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def test_an_excel_97_2003_xls_roster_is_read(tmp_path):
    path = xls(tmp_path / "花名册.xls", HUAMINGCE)

    rows, reading = read(path)

    assert rows == [
        (4, {"name": "张三", "id_number": ID_1, "unit": "一车间"}),
        (5, {"name": "阿依古丽·买买提", "id_number": ID_2, "unit": "二车间"}),
    ]
    assert reading.header_rows == (3,)
    assert [number for number, _text in reading.skipped_below] == [7, 8]


def test_an_xls_sheet_is_chosen_by_name(tmp_path):
    path = xls(tmp_path / "book.xls", [["姓名", "公民身份号码"], ["张三", ID_1]], ("说明", "数据"))

    with open_table(path, spec=SPEC, sheet="数据") as table:
        assert [row.number for row in table] == [2]


def test_an_xls_spanning_too_many_cells_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_CELLS = 10
    path = xls(tmp_path / "big.xls", [["姓名", "公民身份号码"]] + [["张三", ID_1]] * 10)

    assert "more than 10 cells" in refusal(path)


def ods(path: Path, rows: list[list[str]], tail: str = "") -> Path:
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="花名册">'
        f"{cells}{tail}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_roster_is_read(tmp_path):
    path = ods(tmp_path / "花名册.ods", [["职工花名册"], ["姓名", "公民身份号码"], ["张三", ID_1]])

    rows, reading = read(path)

    assert rows == [(3, {"name": "张三", "id_number": ID_1})]
    assert reading.header_rows == (2,)


def test_an_ods_repeating_a_cell_over_a_huge_grid_is_refused_before_calamine_builds_it(
    tmp_path,
):
    bomb = (
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    path = ods(tmp_path / "bomb.ods", [["姓名", "公民身份号码"], ["张三", ID_1]], tail=bomb)

    assert "more than" in refusal(path)


def test_an_ods_with_a_million_blank_rows_repeated_below_its_data_is_read(tmp_path):
    # as LibreOffice writes every sheet: the blank rows to the end, repeated
    blank = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = ods(tmp_path / "r.ods", [["姓名", "公民身份号码"], ["张三", ID_1]], tail=blank)

    rows, _reading = read(path)

    assert rows == [(2, {"name": "张三", "id_number": ID_1})]


def test_a_wps_et_file_is_answered_with_what_to_save_it_as(tmp_path):
    path = xls(tmp_path / "花名册.et", HUAMINGCE)

    message = refusal(path)

    assert ".xlsx" in message
    assert ".xls" in message
    assert "WPS" in message


# Values as people type them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "month_only"),
    [
        ("2019-05-01", "2019-05-01", False),
        ("2019/5/1", "2019-05-01", False),
        ("2019.05.01", "2019-05-01", False),
        ("2019年5月1日", "2019-05-01", False),
        ("2019 年 5 月 1 日", "2019-05-01", False),
        ("20190501", "2019-05-01", False),
        ("2019.5", "2019-05-01", True),
        ("2019年5月", "2019-05-01", True),
        ("2019-5", "2019-05-01", True),
    ],
)
def test_dates_are_read_in_the_forms_people_type(typed, meant, month_only):
    assert parse_typed_date(typed) == (datetime.date.fromisoformat(meant), month_only)


@pytest.mark.parametrize("typed", ["2019", "2019.13.1", "2019/2/30", "五月一日", "2019.5.1.2"])
def test_what_is_not_a_date_is_refused(typed):
    with pytest.raises(ValueError):
        parse_typed_date(typed)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("是", True),
        ("√", True),
        ("Y", True),
        ("1", True),
        ("否", False),
        ("×", False),
        ("n", False),
        ("0", False),
        ("", False),
        ("也许", None),
        ("2", None),
    ],
)
def test_yes_and_no_are_read_as_people_write_them(typed, meant):
    assert parse_yes_no(typed) is meant


DATED = Spec(
    columns=(
        Column("name", "姓名"),
        Column("joined_on", "入会日期", month_means_first_day=True),
        Column("left_on", "离会日期", required=False),  # a month alone is not this import's
    )
)


def test_the_rows_whose_date_gives_only_a_month_are_noted_once_per_column(tmp_path):
    typed = ["2019-05-01", "2019.5", "2019/5/1", "2019年5月", "2019.05.01", "2020-11", "2019.5"]
    rows = [["名册"], ["姓名", "入会日期", "离会日期"]] + [
        [f"人{n}", text, "2019.5"] for n, text in enumerate(typed)
    ]
    path = roster(tmp_path / "r.xlsx", [*rows, ["合计：7人"]])

    _rows, reading = read(path, DATED)

    assert reading.months_alone == [("入会日期", 4, [4, 6, 8, 9])]
    from django.utils import translation

    from gonghui.core.tabular.reading import describe_months_alone

    with translation.override("zh-hans"):
        said = describe_months_alone(reading.as_json())
    assert said == ["入会日期：4 行只写到月份，按当月 1 日计（第 4、6、8、9 行）。"]
