"""The streaming .xlsx reader gives the rows calamine gives, in constant memory."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from gonghui.core.tabular.base import _cell_text
from gonghui.core.tabular.reading import _calamine_records
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
        "from gonghui.core.tabular.reading import _calamine_records;"
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
