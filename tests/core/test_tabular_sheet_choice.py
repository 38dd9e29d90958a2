"""A workbook that opens with its instructions (填表说明) is read from the sheet that holds
the import's header."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from gonghui.core.tabular import UnreadableFile, open_table
from gonghui.people.models import Membership
from gonghui.people.tabular import MEMBER_SPEC
from tests.people.test_import import good_rows

pytestmark = pytest.mark.django_db


def _workbook(path: Path, *, with_roster: bool = True) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["1. 身份证号请填写 18 位。"])
    notes.append(["2. 入会日期格式如 2020-05-01。"])
    if with_roster:
        roster = book.create_sheet("会员名册")
        roster.append(["新疆某公司工会会员花名册"])
        roster.append([MEMBER_SPEC.header("name"), MEMBER_SPEC.header("identity_number")])
        for row in good_rows(3):
            roster.append(row[:2])
    book.save(path)
    return path


def test_the_sheet_with_the_header_is_read_after_the_instructions(world, tmp_path) -> None:
    path = _workbook(tmp_path / "名册.xlsx")
    with open_table(path, spec=MEMBER_SPEC) as table:
        assert table.sheet == "会员名册" and table.header_row == 2
        assert [row.values["name"] for row in table] == [r[0] for r in good_rows(3)]
    out = io.StringIO()
    call_command("import_members", str(path), "--union", "CA-K-1", stdout=out)
    assert Membership.objects.filter(union=world.gr_a1).count() == 3


def test_a_workbook_without_the_header_says_what_its_first_sheet_lacks(tmp_path) -> None:
    path = _workbook(tmp_path / "说明.xlsx", with_roster=False)
    with pytest.raises(UnreadableFile) as refused:
        open_table(path, spec=MEMBER_SPEC)
    assert "姓名" in str(refused.value) or "name" in str(refused.value).lower()


def test_the_command_line_reads_the_sheet_named(world, tmp_path) -> None:
    from django.core.management.base import CommandError

    path = _workbook(tmp_path / "名册.xlsx")
    call_command(
        "import_members",
        str(path),
        "--union",
        "CA-K-1",
        "--sheet",
        "会员名册",
        stdout=io.StringIO(),
    )
    assert Membership.objects.filter(union=world.gr_a1).count() == 3
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_members",
            str(path),
            "--union",
            "CA-K-1",
            "--sheet",
            "名单",
            stdout=io.StringIO(),
        )
    assert refused.value.returncode == 2 and "名单" in str(refused.value)
    with pytest.raises(CommandError):  # the instructions are not a roster, even when named
        call_command(
            "import_members",
            str(path),
            "--union",
            "CA-K-1",
            "--sheet",
            "填表说明",
            stdout=io.StringIO(),
        )
