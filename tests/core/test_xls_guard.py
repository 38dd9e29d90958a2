"""An Excel 97-2003 workbook whose sheets span a huge grid is refused before calamine builds
it: the grid is measured from the Workbook stream (DIMENSIONS and the cell records), as
calamine would build it."""

from __future__ import annotations

import resource
import struct
import tracemalloc
from pathlib import Path

import olefile
import pytest
from python_calamine import CalamineWorkbook

from gonghui.core.tabular import UnreadableFile, open_table
from gonghui.core.tabular import records as tabular_records
from gonghui.core.tabular.xls_guard import sheet_grid, sheet_offsets, workbook_stream, xls_grid
from tests.core.test_tabular_shapes import ID_1, SPEC, xls

DIMENSIONS = struct.pack("<HH", 0x0200, 14)
FAR_CORNER = (65535, 255)  # IV65536, the last cell of an Excel 97-2003 sheet


def far_corner(path: Path) -> Path:
    """A roster with one more cell, at IV65536: a few kilobytes."""
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    for column, text in enumerate(["姓名", "公民身份号码"]):
        sheet.write(0, column, text)
    sheet.write(1, 0, "张三")
    sheet.write(1, 1, ID_1)
    sheet.write(*FAR_CORNER, "x")
    workbook.save(str(path))
    return path


def _rewrite_dimensions(path: Path, first_row: int, after_row: int, after_column: int) -> None:
    """Make the sheet's DIMENSIONS record say something else (the stream keeps its size)."""
    stream = workbook_stream(path)
    at = stream.index(DIMENSIONS, sheet_offsets(stream)[0]) + 4
    patched = struct.pack("<IIHHH", first_row, after_row, 0, after_column, 0)
    with olefile.OleFileIO(str(path), write_mode=True) as container:
        container.write_stream("Workbook", stream[:at] + patched + stream[at + 14 :])


class _Spy:
    """calamine, watched: the guard must refuse before anything opens the file with it."""

    opened: list[str] = []

    @classmethod
    def from_path(cls, path: str) -> object:
        cls.opened.append(path)
        return CalamineWorkbook.from_path(path)


def test_a_far_corner_is_refused_before_calamine_opens_the_file(tmp_path, monkeypatch) -> None:
    """With the default limits: a sheet built whole is bounded lower than a streamed one."""
    path = far_corner(tmp_path / "花名册.xls")
    spy = type("Spy", (_Spy,), {"opened": []})
    monkeypatch.setattr(tabular_records, "CalamineWorkbook", spy)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()

    with pytest.raises(UnreadableFile) as refused:
        open_table(path, spec=SPEC)

    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # kilobytes
    assert path.stat().st_size < 10_000
    assert "spans more than 4000000 cells" in refused.value.message
    assert spy.opened == []
    assert peak < 5 * 1024 * 1024 and grown < 100 * 1024


def test_the_grid_is_measured_as_calamine_builds_it(tmp_path) -> None:
    plain = xls(tmp_path / "plain.xls", [["姓名", "公民身份号码"], ["张三", ID_1], ["李四", ID_1]])

    assert xls_grid(plain) == 3 * 2
    assert xls_grid(far_corner(tmp_path / "far.xls")) == 65536 * 256


def test_dimensions_that_understate_the_cells_do_not_hide_them(tmp_path) -> None:
    path = far_corner(tmp_path / "far.xls")
    _rewrite_dimensions(path, 0, 2, 2)  # "two rows, two columns"

    assert xls_grid(path) == 65536 * 256


def test_dimensions_that_announce_a_huge_sheet_are_refused(tmp_path, settings) -> None:
    settings.IMPORT_MAX_CELLS = 1_000_000
    path = xls(tmp_path / "r.xls", [["姓名", "公民身份号码"], ["张三", ID_1]])
    _rewrite_dimensions(path, 0, 0xFFFF_FFFF, 256)  # calamine would reserve room for them all

    with pytest.raises(UnreadableFile, match="spans more than"):
        open_table(path, spec=SPEC)


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _number(row: int, column: int) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, column, 0, 1.0))


def test_cells_whose_rows_go_backwards_count_as_calamine_counts_them() -> None:
    # calamine spans the rows from the first cell to the last, in unsigned arithmetic
    stream = _number(5, 0) + _number(0, 0) + _record(0x000A)

    assert sheet_grid(stream, 0) == (1 << 32) - 4


def test_a_password_protected_xls_is_refused_with_its_reason() -> None:
    stream = _record(0x0809, b"\x00\x06\x05\x00") + _record(0x002F, b"\x01\x00") + _record(0x000A)

    with pytest.raises(UnreadableFile, match="password-protected"):
        sheet_offsets(stream)


def test_a_file_that_is_no_ole_container_is_refused(tmp_path) -> None:
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)

    with pytest.raises(UnreadableFile, match="damaged"):
        open_table(path, spec=SPEC)
