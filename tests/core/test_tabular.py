"""The shared spreadsheet pipeline: reading hostile and ordinary files, writing safe ones."""

from __future__ import annotations

import csv
import datetime
import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gonghui.core.tabular import (
    Column,
    RowError,
    Spec,
    UnreadableFile,
    csv_response,
    neutralise,
    open_table,
    write_csv,
    write_errors,
    write_xlsx,
    xlsx_response,
)
from gonghui.core.tabular.xlsx_guard import _check_xlsx

SPEC = Spec(
    columns=(
        Column("code", "组织代码", aliases=("code",)),
        Column("name", "组织名称（全称）", aliases=("name",)),
        Column("note", "备注", required=False),
    )
)
HOSTILE = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x", '=HYPERLINK("http://x")']


def make_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def make_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read(path: Path, spec: Spec = SPEC) -> list[tuple[int, dict[str, str]]]:
    with open_table(path, spec=spec) as table:
        return [(row.number, row.values) for row in table]


def refusal(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    return caught.value.message


# Reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path, encoding):
    path = make_csv(
        tmp_path / "orgs.csv",
        [["组织代码", "组织名称（全称）"], ["650102", "天山区总工会"], ["X-1", "阿依古丽·买买提"]],
        encoding,
    )

    assert read(path) == [
        (2, {"code": "650102", "name": "天山区总工会"}),
        (3, {"code": "X-1", "name": "阿依古丽·买买提"}),
    ]


def test_a_file_in_neither_utf8_nor_gb18030_is_refused(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes("组织代码,组织名称\n".encode("gb18030") + b"\x80\xff\xfe\n")

    assert "GB18030" in refusal(path)


def test_rows_are_numbered_as_the_spreadsheet_shows_them_and_blank_rows_skipped(tmp_path):
    path = make_xlsx(
        tmp_path / "orgs.xlsx",
        [["组织代码", "组织名称（全称）"], ["A", "甲"], [None, None], ["  ", " "], ["B", "乙"]],
    )

    assert read(path) == [(2, {"code": "A", "name": "甲"}), (5, {"code": "B", "name": "乙"})]


def test_a_csv_cell_spanning_lines_is_one_row(tmp_path):
    path = make_csv(tmp_path / "orgs.csv", [["code", "name"], ["A", "第一行\n第二行"], ["B", "乙"]])

    assert [number for number, _ in read(path)] == [2, 3]


def test_headers_match_despite_spaces_width_of_parentheses_and_english_aliases(tmp_path):
    path = make_csv(
        tmp_path / "orgs.csv",
        [[" CODE ", "组织名称(全称)", "其他", "备注\u3000"], ["A", "甲", "x", "y"]],
    )

    with open_table(path, spec=SPEC) as table:
        assert table.present == {"code", "name", "note"}
        assert [row.values for row in table] == [{"code": "A", "name": "甲", "note": "y"}]


def test_an_optional_column_absent_from_the_file_is_absent_from_the_rows(tmp_path):
    path = make_csv(tmp_path / "orgs.csv", [["code", "name"], ["A", "甲"]])

    assert read(path) == [(2, {"code": "A", "name": "甲"})]


def test_a_missing_required_column_is_named(tmp_path):
    path = make_csv(tmp_path / "orgs.csv", [["组织代码", "名字"], ["A", "甲"]])

    message = refusal(path)

    assert "组织名称（全称）" in message
    assert "row 1" in message


def test_a_column_given_twice_is_refused(tmp_path):
    path = make_csv(
        tmp_path / "orgs.csv", [["组织代码", "组织名称（全称）", "code"], ["A", "甲", "B"]]
    )

    message = refusal(path)

    assert "组织代码" in message
    assert "column A" in message
    assert "column C" in message


def test_an_empty_file_and_a_file_with_only_headers_are_refused(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    make_csv(tmp_path / "header.csv", [["code", "name"], ["", ""]])
    make_xlsx(tmp_path / "blank.xlsx", [[None]])

    assert "empty" in refusal(tmp_path / "empty.csv")
    assert "no rows" in refusal(tmp_path / "header.csv")
    assert "empty" in refusal(tmp_path / "blank.xlsx")


def test_xlsx_numbers_and_dates_come_out_as_text_without_float_artefacts(tmp_path):
    path = make_xlsx(
        tmp_path / "orgs.xlsx",
        [
            ["code", "name", "备注"],
            [650102, 650102.0, datetime.date(2024, 5, 1)],
            [0.1 + 0.2, -5, datetime.datetime(2024, 5, 1, 8, 30)],
            [True, 123456789012345, "  spaced  "],
        ],
    )

    assert [values for _, values in read(path)] == [
        {"code": "650102", "name": "650102", "note": "2024-05-01"},
        {"code": "0.3", "name": "-5", "note": "2024-05-01 08:30:00"},
        {"code": "TRUE", "name": "123456789012345", "note": "spaced"},
    ]


def test_an_identity_number_excel_turned_into_a_number_is_kept_in_scientific_form(tmp_path):
    # typed into a General cell, 650102199003070072 is stored as 6.50102199003070E+17
    path = make_xlsx(tmp_path / "people.xlsx", [["code", "name"], [650102199003070072, "x"]])

    [(_, values)] = read(path)

    assert values["code"] == "6.50102199003070E+17"


def test_the_first_visible_sheet_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "说明"
    hidden.append(["nothing", "here"])
    hidden.sheet_state = "hidden"
    workbook.create_sheet("数据").append(["code", "name"])
    workbook["数据"].append(["A", "甲"])
    workbook.save(tmp_path / "orgs.xlsx")

    assert read(tmp_path / "orgs.xlsx") == [(2, {"code": "A", "name": "甲"})]


# Hostile files ---------------------------------------------------------------------------


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x80\xff")
    (tmp_path / "fake.xlsx").write_text("组织代码,组织名称\nA,甲\n", encoding="utf-8")

    assert "not a spreadsheet" in refusal(tmp_path / "report.pdf")
    assert "neither UTF-8 nor GB18030" in refusal(tmp_path / "image.csv")
    assert "damaged" in refusal(tmp_path / "fake.xlsx")


def test_a_password_protected_xlsx_is_refused_with_advice(tmp_path):
    # Excel keeps a protected workbook in an OLE container, in a stream named EncryptedPackage
    path = tmp_path / "orgs.xlsx"
    name = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + name + b"\0" * 64)

    message = refusal(path)

    assert "password-protected" in message
    assert ".xlsx" in message


def test_an_old_format_file_that_is_not_a_workbook_is_refused_as_damaged(tmp_path):
    path = tmp_path / "orgs.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)

    assert "cannot be read" in refusal(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    assert "not an .xlsx workbook" in refusal(tmp_path / "doc.xlsx")


def test_a_truncated_xlsx_is_refused(tmp_path):
    path = make_xlsx(tmp_path / "orgs.xlsx", [["code", "name"], ["A", "甲"]])
    path.write_bytes(path.read_bytes()[:300])

    assert "damaged" in refusal(path)


def test_a_file_over_the_size_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = make_csv(tmp_path / "orgs.csv", [["code", "name"]] + [["A", "甲"]] * 20)

    assert "larger than" in refusal(path)


def zip_bomb(path: Path, size: int) -> Path:
    """A real workbook whose sheet is followed by megabytes of spaces: tiny when packed."""
    make_xlsx(path, [["code", "name"], ["A", "甲"]])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</worksheet>", b" " * size + b"</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", 50 * 1024 * 1024)
    assert path.stat().st_size < 200_000

    assert "zip bomb" in refusal(path)


def test_a_zip_whose_unpacked_size_exceeds_the_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 100_000
    path = make_xlsx(
        tmp_path / "orgs.xlsx", [["code", "name"]] + [[f"A{i}", "甲" * 20] for i in range(3000)]
    )

    assert "zip bomb" in refusal(path)


def test_a_zip_that_understates_the_size_of_a_member_is_refused(tmp_path):
    path = make_xlsx(tmp_path / "orgs.xlsx", [["code", "name"], ["A", "甲" * 200]])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
        end = data.rfind(b"PK\x05\x06")
        directory = struct.unpack("<I", data[end + 16 : end + 20])[0]
    # claim 10 bytes, in the local header and in the central directory
    struct.pack_into("<I", data, member.header_offset + 22, 10)
    entry = data.find(b"PK\x01\x02", directory)
    while data[entry + 46 : entry + 46 + len(member.filename)] != member.filename.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 10)
    path.write_bytes(bytes(data))

    assert "zip bomb" in refusal(path)


def sheet_with(tmp_path: Path, name: str, sheet_data: str) -> Path:
    """An .xlsx whose first sheet holds exactly this <sheetData> content."""
    path = make_xlsx(tmp_path / name, [["code", "name"]])
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return path


HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
SPARSE = {
    # calamine allocates every cell between the two corners: half a terabyte, then aborts
    "corners": HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "hidden in the header row": HEADER_ROW[:-6] + '<c r="XFD1048576"><v>1</v></c></row>',
    "far row in the middle": HEADER_ROW
    + '<row r="1048576"><c r="ZZ1048576"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
    "cells without addresses": HEADER_ROW
    + "<row>"
    + "<c><v>1</v></c>" * 20_000
    + '</row><row r="1048576"><c><v>1</v></c></row>',
    "prefixed cells": HEADER_ROW.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    + '<row r="900000"><x:c r="XFD900000"><v>1</v></x:c></row>',
}


@pytest.mark.parametrize("layout", SPARSE)
def test_a_sheet_spanning_a_huge_grid_is_refused_before_calamine_unpacks_it(tmp_path, layout):
    path = sheet_with(tmp_path, "sparse.xlsx", SPARSE[layout])
    assert path.stat().st_size < 200_000

    with pytest.raises(UnreadableFile, match="spans more than"):
        _check_xlsx(path)


@pytest.mark.parametrize("layout", SPARSE)
def test_a_sparse_sheet_is_streamed_or_refused_never_allocated(tmp_path, layout):
    """The streaming reader holds one row at a time, so a far corner costs it nothing; the
    shapes it leaves to calamine meet the guard above."""
    path = sheet_with(tmp_path, "sparse.xlsx", SPARSE[layout])

    try:
        rows = read(path)
    except UnreadableFile as error:  # by the guard, or: only a stray value beneath the header
        assert "spans more than" in str(error) or "no rows beneath" in str(error)
    else:
        assert layout in {"corners", "hidden in the header row", "far row in the middle"}
        assert all(number <= 1048576 for number, _values in rows)


def test_a_long_narrow_sheet_is_not_mistaken_for_a_sparse_one(tmp_path):
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>'
        for r in range(2, 5)
    )
    far = '<row r="1048576"><c r="A1048576"><v>9</v></c><c r="B1048576"><v>9</v></c></row>'
    path = sheet_with(tmp_path, "long.xlsx", HEADER_ROW + rows + far)

    rows_read = read(path)

    assert rows_read[0] == (2, {"code": "2", "name": "2"})
    assert rows_read[-1] == (1048576, {"code": "9", "name": "9"})


def test_entities_declared_in_a_sheet_are_not_expanded(tmp_path):
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    path = sheet_with(tmp_path, "laughs.xlsx", HEADER_ROW)
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    cell = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol2;</t></is></c><c r="B2"><v>1</v></c></row>'
    )
    parts["xl/worksheets/sheet1.xml"] = (
        laughs + sheet.replace("</sheetData>", cell + "</sheetData>")
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)

    try:
        rows = read(path)
    except UnreadableFile:
        return  # refusing the file is as good as reading it literally
    assert "lol" * 10 not in str(rows)


def test_a_sparse_bomb_cannot_crash_the_command_line(tmp_path):
    path = sheet_with(tmp_path, "sparse.xlsx", SPARSE["corners"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", GONGHUI_VAR_DIR=str(tmp_path)
    )

    done = subprocess.run(
        [sys.executable, "-m", "gonghui.cli", "import_orgs", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2, done.stderr
    assert "sparse.xlsx" in done.stderr


# Writing --------------------------------------------------------------------------------


def test_neutralise_prefixes_an_apostrophe_to_formula_starts_only():
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert neutralise("天山区") == "天山区"
    assert neutralise("a=b") == "a=b"
    assert neutralise("") == ""


def test_csv_export_neutralises_formulas_quotes_fields_and_opens_in_excel(tmp_path):
    buffer = io.BytesIO()

    count = write_csv(
        [[v, "普通", -5] for v in HOSTILE] + [["a,b", 'say "hi"', None]],
        ["值", "名称", "数"],
        buffer,
    )

    data = buffer.getvalue()
    assert count == len(HOSTILE) + 1
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read Chinese
    assert data.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["值", "名称", "数"]
    assert [row[0] for row in rows[1:-1]] == ["'" + v for v in HOSTILE]
    assert all(row[2] == "-5" for row in rows[1:-1])  # numbers are not formulas
    assert rows[-1] == ["a,b", 'say "hi"', ""]
    assert b'"a,b","say ""hi"""' in data


def test_xlsx_export_neutralises_formulas_and_keeps_every_value_text(tmp_path):
    path = tmp_path / "out.xlsx"

    write_xlsx([[v, "普通", -5] for v in HOSTILE], ["值", "名称", "数"], path)

    sheet = openpyxl.load_workbook(path).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)  # never "f": no formula at all
    # XML holds no NUL at all; a carriage return survives as itself or as a line feed,
    # depending on the XML writer openpyxl finds (lxml keeps it)
    expected = ["'" + v.replace("\0", "") for v in HOSTILE]
    assert [
        cell.value.replace("\n", "\r") if "\r" in v else cell.value
        for cell, v in zip(cells, HOSTILE, strict=True)
    ] == expected
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == [-5] * len(HOSTILE)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_reads_back_to_exactly_what_was_exported(tmp_path, suffix):
    values = [*HOSTILE, "天山区总工会", "650102", "'quoted", "a\nb"]
    if suffix == "xlsx":
        values.remove("\0x")
    rows = [[value, f"name {i}"] for i, value in enumerate(values)]
    path = tmp_path / f"round.{suffix}"
    if suffix == "csv":
        with path.open("wb") as handle:
            write_csv(rows, ["code", "name"], handle)
    else:
        write_xlsx(rows, ["code", "name"], path)

    read_back = [values["code"] for _, values in read(path)]

    # cells are read stripped of surrounding white space, as every import does
    assert read_back == [value.strip() for value in values]


def test_the_error_report_is_written_as_csv_and_xlsx(tmp_path):
    errors = [RowError(3, "组织代码", "重复"), RowError(7, "组织类型", "=未知")]

    write_errors(errors, tmp_path / "errors.csv")
    write_errors(errors, tmp_path / "errors.xlsx")

    text = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["行号", "列", "错误"],
        ["3", "组织代码", "重复"],
        ["7", "组织类型", "'=未知"],
    ]
    sheet = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["行号", "列", "错误"],
        [3, "组织代码", "重复"],
        [7, "组织类型", "'=未知"],
    ]


def test_a_row_error_reads_as_row_column_and_reason():
    assert str(RowError(12, "组织代码", "missing")) == "Row 12 [组织代码]: missing"


def test_downloads_carry_a_chinese_file_name_both_ways():
    csv_download = csv_response(iter([["A", "甲"]]), ["code", "name"], filename="组织机构.csv")
    xlsx_download = xlsx_response(iter([["A", "甲"]]), ["code", "name"], filename="组织机构.xlsx")

    body = b"".join(csv_download.streaming_content)
    assert body.decode("utf-8-sig") == "code,name\r\nA,甲\r\n"
    assert csv_download["Content-Type"] == "text/csv; charset=utf-8"
    for download in (csv_download, xlsx_download):
        disposition = download["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=utf-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84" in disposition
    assert xlsx_download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx_download.streaming_content)))
    assert [c.value for c in workbook.active[2]] == ["A", "甲"]
