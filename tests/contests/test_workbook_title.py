"""The contest workbook reads sheets with a title above their header."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from gonghui.contests.models import Competitor, Contest
from gonghui.contests.workbook.importing import import_workbook
from tests.contests.test_workbook import HEADERS, clean_rows

pytestmark = pytest.mark.django_db


def save_with_titles(path: Path) -> Path:
    rows = clean_rows()
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, headers in HEADERS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([f"某某竞赛{name}"])  # a title, merged across the header
        sheet.append(headers)
        for row in rows[name]:
            sheet.append(row)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    workbook.save(path)
    return path


def test_sheets_with_a_title_above_their_header_import(world, tmp_path) -> None:
    path = save_with_titles(tmp_path / "titled.xlsx")

    report = import_workbook(path, by=None, organiser=world.city_a)

    assert report.errors == [] and report.written
    assert Contest.objects.get(code="WB1").organiser == world.city_a
    assert Competitor.objects.count() == 3
