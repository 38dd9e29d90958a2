"""The organisation import reads a file with a title and a 填报 line above its header."""

from __future__ import annotations

import openpyxl
import pytest

from gonghui.orgs.models import Organisation
from tests.orgs.test_import_orgs import HEADERS, import_orgs

pytestmark = pytest.mark.django_db


def test_a_title_above_the_header_and_a_signature_line_below_are_skipped(world, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["某某县总工会所属基层工会一览表"])
    sheet.append(["填报单位：某某县总工会", None, "填报日期：2024年5月1日"])
    sheet.append(["序号", *HEADERS])
    sheet.append([1, "NEW-G", "新厂工会", "CA-K", "基层工会"])
    sheet.append(["制表人：李四", None, "审核人：王五"])
    sheet.merge_cells("A1:E1")
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)

    status, out, err = import_orgs(path)

    assert status == 0, err
    assert Organisation.objects.get(code="NEW-G").parent == world.county_a
    assert "3" in out and "5" in out  # the header's row, the signature line skipped
