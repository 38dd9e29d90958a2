"""The streaming .xlsx reader gives the rows calamine gives, in constant memory."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from gonghui.core.tabular.base import _cell_text
from gonghui.core.tabular.records import _calamine_records
from gonghui.core.tabular.xlsx_stream import _format_kind, open_stream

TEXT = st.text(
    alphabet=st.sampled_from(list("张三阿依古丽·买买提 abcXYZ019-_<>&\"'=+@%;:/\\\t")), max_size=12
)
CELLS = st.one_of(
    st.none(),
    TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.datetimes(
        min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2099, 12, 31)
    ).map(lambda moment: moment.replace(microsecond=0)),
    st.times().map(lambda moment: moment.replace(microsecond=0)),
)
SHEETS = st.lists(st.lists(CELLS, max_size=8), min_size=1, max_size=12)


def _rendered(records, render=_cell_text) -> list[tuple[int, list[str]]]:
    """Rows as text without trailing blanks; the stream gives text already (render=None)."""
    out = []
    for number, cells in records:
        if render is None:
            assert all(type(cell) is str for cell in cells)
        texts = [render(cell) if render else cell for cell in cells]
        while texts and texts[-1] == "":
            texts.pop()
        if texts:
            out.append((number, texts))
    return out


def _write(path: Path, rows: list[list[object]], *, write_only: bool, offset: int) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("名册") if write_only else book.active
    if not write_only:
        sheet.title = "名册"
    for number, row in enumerate(rows, 1):
        if write_only:
            sheet.append([None] * offset + row)
        else:
            for column, value in enumerate(row, 1 + offset):
                sheet.cell(row=number, column=column, value=value)
    book.save(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=SHEETS, write_only=st.booleans(), offset=st.integers(min_value=0, max_value=2))
def test_streamed_rows_are_calamines_rows(
    tmp_path: Path, rows, write_only: bool, offset: int
) -> None:
    path = tmp_path / "t.xlsx"
    _write(path, rows, write_only=write_only, offset=offset)
    opened = open_stream(path)
    assert opened is not None
    stream, archive, handle = opened
    with archive, handle:
        streamed = _rendered(stream, render=None)

    assert streamed == _rendered(_calamine_records(path))


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("General", 0),
        ("0.00", 0),
        ("yyyy-mm-dd", 1),
        ("yyyy年m月d日", 1),
        ('"Day "0', 0),
        ("[h]:mm:ss", 2),
        ("[Red]0.00", 0),
        ("h:mm AM/PM", 1),
        ("0;[Red]-0", 0),
        ("\\d0", 0),
    ],
)
def test_date_formats_are_recognised_as_calamine_does(code: str, kind: int) -> None:
    assert _format_kind(code) == kind


@pytest.mark.slow
def test_memory_stays_flat_while_streaming_a_large_sheet(tmp_path: Path) -> None:
    """200,000 rows: the stream's peak memory is a fraction of what calamine holds."""
    path = tmp_path / "big.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    for i in range(200_000):
        sheet.append(
            [f"姓名{i}", f"65010219900307{i:04d}", "13812345678", datetime.date(2020, 1, 2)]
        )
    book.save(path)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    script = (
        "import re, sys; from pathlib import Path;"
        "from gonghui.core.tabular.xlsx_stream import open_stream;"
        "from gonghui.core.tabular.records import _calamine_records;"
        "peak = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]);"
        "p = Path(sys.argv[1]); base = peak();"
        "records = open_stream(p)[0] if sys.argv[2] == 'stream' else _calamine_records(p);"
        "n = sum(1 for _ in records);"
        "print(n, peak() - base)"
    )
    env_script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gonghui.settings');"
        "django.setup();" + script
    )
    grown = {}
    for how in ("stream", "calamine"):
        out = subprocess.run(
            [sys.executable, "-c", env_script, str(path), how],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert int(out[0]) == 200_000
        grown[how] = int(out[1])  # kB
    assert grown["calamine"] > 0, grown
    assert grown["stream"] < 25_000
    assert grown["stream"] * 3 < grown["calamine"]


@pytest.mark.parametrize("write_only", [True, False])
def test_rows_of_a_shape_seen_before_are_read_whole_and_alike(
    tmp_path: Path, monkeypatch, write_only
) -> None:
    rows: list[list[object]] = []
    for i in range(60):
        rows.append(
            [
                f"阿依古丽·{i}",
                f"65010219900307{i:04d}",
                13812345678 + i,
                datetime.date(2020, 1, 1 + i % 28),
                "是",
            ]
        )
        if i % 10 == 3:
            rows.append(
                ["张三", None, "138 1234 5678", datetime.datetime(2020, 1, 2, 3, 4, 5), True]
            )
        if i % 10 == 7:
            rows.append([None, "<&>", 1.5, None, "  'spaced  "])
    path = tmp_path / "uniform.xlsx"
    _write(path, rows, write_only=write_only, offset=1)
    opened = open_stream(path)
    assert opened is not None
    stream, archive, handle = opened
    cell_by_cell = []
    original = stream._cell_rows

    def counting(cells):
        cell_by_cell.append(len(cells))
        return original(cells)

    monkeypatch.setattr(stream, "_cell_rows", counting)
    with archive, handle:
        streamed = _rendered(stream, render=None)

    assert streamed == _rendered(_calamine_records(path))
    assert len(streamed) == len(rows)
    assert len(cell_by_cell) <= 4  # each shape once; every other row in one match


EXCEL_STRINGS = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
    "<si><t>姓名</t></si>"
    '<si><r><rPr><b/></rPr><t>阿依古丽</t></r><r><t xml:space="preserve">·买买提 </t></r></si>'
    '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></si>'
    "<si><t>a&amp;b &lt;c&gt; &#20179;</t></si>"
    "<si><t>line_x000D_break</t></si>"
    "<si/>"
    "</sst>"
)
EXCEL_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="A1:F5"/><sheetData>'
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
    '<c r="F1" t="s"><v>5</v></c></row>'
    '<row r="2"><c r="A2" t="s" s="1"><v>0</v></c><c r="B2" s="1"><v>45000</v></c>'
    '<c r="C2" t="str"><f>A1&amp;"x"</f><v>姓名x</v></c><c r="D2" t="e"><v>#N/A</v></c>'
    '<c r="E2" t="b"><v>1</v></c><c r="F2" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c></row>'
    '<row r="3"><c r="B3" s="1"><v>45000.5</v></c><c r="D3"><v>0.1</v></c><c r="E3"><v>1E+20</v></c></row>'
    '\n<row r="4" spans="1:6" ht="15"/>\n'
    '<row r="5" spans="2:5" x14ac:dyDescent="0.25"><c r="B5" s="1"><v>45001</v></c><c r="D5"><v>0.2</v></c>'
    '<c r="E5"><v>3</v></c></row>'
    "</sheetData></worksheet>"
)


def test_a_workbook_as_excel_writes_it_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    """Shared strings with rich text, phonetic guides and escapes; attributes in Excel's order
    (t before s); formula strings, errors, booleans, dates by style, rich inline text."""
    path = tmp_path / "excel.xlsx"
    _write(path, [["x"]], write_only=False, offset=0)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    styles = parts["xl/styles.xml"].decode()
    styles = re.sub(
        r"<cellXfs[^>]*>.*?</cellXfs>",
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>',
        styles,
        flags=re.DOTALL,
    )
    parts["xl/styles.xml"] = styles.encode()
    parts["xl/sharedStrings.xml"] = EXCEL_STRINGS.encode()
    parts["xl/worksheets/sheet1.xml"] = EXCEL_SHEET.encode()
    types = parts["[Content_Types].xml"].decode()
    if "sharedStrings" not in types:
        types = types.replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["[Content_Types].xml"] = types.encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    if "sharedStrings" not in rels:
        rels = rels.replace(
            "</Relationships>",
            '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)

    opened = open_stream(path)
    assert opened is not None
    stream, archive, handle = opened
    with archive, handle:
        streamed = _rendered(stream, render=None)

    assert streamed == _rendered(_calamine_records(path))
    assert streamed[0][1][:5] == ["姓名", "阿依古丽·买买提", "漢字", "a&b <c> 仓", "line\rbreak"]
    assert streamed[1][1][1] == "2023-03-15"
    assert [number for number, _cells in streamed] == [1, 2, 3, 5]  # the empty row 4 is no row
