"""The contest workbook's numbers as people type them into cells formatted as text: full-width
digits, thousands grouped; a comma that groups no thousands is refused, never read as a
decimal point or dropped."""

from __future__ import annotations

import pytest

from gonghui.contests.models import Aspect, Mark, Skill
from gonghui.contests.workbook import import_workbook
from tests.contests.test_workbook import clean_rows, save

pytestmark = pytest.mark.django_db


def test_marks_maxima_and_counts_typed_as_text_are_read(world, tmp_path) -> None:
    rows = clean_rows()
    rows["赛项"][0][3] = "１"  # 最少参赛人数, full-width
    rows["评分标准"][0][4] = "７０"  # 分值
    rows["评分标准"][1][4] = "30.00"
    rows["评分"][0][4] = "６０"  # C1's measured mark
    rows["评分"][4][4] = " 50.5 "  # C2's

    report = import_workbook(save(tmp_path / "text.xlsx", rows), by=None, organiser=world.city_a)

    assert report.errors == [] and report.written
    assert Skill.objects.get(code="S1").minimum_competitors == 1
    assert str(Aspect.objects.get(skill__code="S1", code="M1").max_mark) == "70.00"
    measured = Mark.objects.filter(aspect__code="M1").order_by("competitor__number")
    assert [str(mark.mark) for mark in measured] == ["60.00", "50.50", "40.00"]


def test_a_comma_that_groups_no_thousands_is_refused_and_a_grouped_number_read_whole(
    world, tmp_path
) -> None:
    rows = clean_rows()
    rows["评分"][0][4] = "6,5"  # not 6.5, not 65
    rows["评分"][4][4] = "1,000"  # one thousand, beyond the maximum: not 1.000

    report = import_workbook(save(tmp_path / "commas.xlsx", rows), by=None, organiser=world.city_a)

    messages = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert set(messages) == {("评分", 2, "分数"), ("评分", 6, "分数")}
    assert "groups thousands" in messages[("评分", 2, "分数")]
    beyond = messages[("评分", 6, "分数")]
    assert "1,000" in beyond and "from 0 to 70" in beyond
    assert not report.written and not Mark.objects.exists()
