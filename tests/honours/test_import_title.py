"""The past honourees' import reads a file with a title above its header."""

from __future__ import annotations

from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from gonghui.honours.importer import HONOUREE_SPEC
from gonghui.honours.models import Honouree
from tests.honours.test_import import COLUMNS

pytestmark = pytest.mark.django_db


def test_a_title_above_the_header_and_a_total_below_are_skipped(world, honours, tmp_path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["历年自治区劳动模范名册"])
    sheet.append(["填报单位：某某市总工会"])
    sheet.append([HONOUREE_SPEC.header(key) for key in COLUMNS])
    sheet.append(
        ["李秀英", "自治区劳动模范", "自治区级", "2010", "CA-3", None, "已故", "2024年病故"]
    )
    sheet.append(["合计：1人"])
    sheet.merge_cells("A1:H1")
    path = tmp_path / "honourees.xlsx"
    workbook.save(path)
    out = StringIO()

    call_command("import_honourees", str(path), stdout=out)

    assert Honouree.objects.get().name == "李秀英"
    assert "3" in out.getvalue() and "5" in out.getvalue()


def test_a_retirement_date_giving_only_a_month_is_read_as_its_first_day_and_said(
    world, honours, tmp_path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([HONOUREE_SPEC.header(key) for key in COLUMNS])
    row = ["李秀英", "自治区劳动模范", "自治区级", "2010", "CA-3", None, "保持", None, "否", "否"]
    sheet.append([*row, None, "2024.6"])
    path = tmp_path / "honourees.xlsx"
    workbook.save(path)
    out = StringIO()

    call_command("import_honourees", str(path), stdout=out)

    assert str(Honouree.objects.get().retired_on) == "2024-06-01"
    assert "退休日期: 1 row gives only a month, read as the 1st of that month (row 2)." in (
        out.getvalue()
    )
