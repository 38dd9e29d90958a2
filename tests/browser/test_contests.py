"""Entering marks in the grid with the keyboard only, as a judges' secretary does."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from gonghui.contests.actions import AspectSpec
from gonghui.contests.models import Mark
from tests.contests.factories import add_competitor, add_judge, make_contest, make_skill, make_unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]

SCHEME = [
    AspectSpec("M1", "尺寸", "M", Decimal("40")),
    AspectSpec("M2", "表面", "M", Decimal("30")),
    AspectSpec("J1", "工艺", "J", Decimal("30")),
]


def test_marks_are_entered_with_the_keyboard_and_a_bad_one_is_kept(
    world: Any, page: Any, sign_in: Any
):
    skill = make_skill(make_contest(world.city_a), scheme=SCHEME)
    unit = make_unit(1, world.gr_a1, "甲机械厂")
    for n in (1, 2, 3):
        add_judge(skill, n, is_chief=n == 1)
    recused = add_judge(skill, 4, unit=unit)
    add_competitor(skill, 1, unit=unit)
    two = add_competitor(skill, 2)
    add_competitor(skill, 3)

    sign_in(page, "alice")
    page.goto(f"/contests/skills/{skill.pk}/marks/")
    grid = page.get_by_test_id("mark-grid")
    grid.get_by_test_id("cell-C001-M1").click()
    page.keyboard.type("35.5")
    page.keyboard.press("Enter")  # down to C002
    page.keyboard.type("41")  # above the maximum of 40
    page.keyboard.press("ArrowDown")
    page.keyboard.type("20")
    page.keyboard.press("ArrowRight")  # across to C003's M2
    page.keyboard.type("28")
    page.keyboard.press("ArrowUp")  # up to C002's M2: leaves C003 M2, which saves it

    expect(grid.get_by_test_id("cell-C001-M1")).to_have_value("35.50")
    bad = grid.get_by_test_id("cell-C002-M1")
    expect(bad).to_have_value("41")  # nothing typed is lost
    cell = page.locator("td.bad")
    expect(cell).to_contain_text("0 至 40.00")
    expect(grid.get_by_test_id("cell-C003-M1")).to_have_value("20.00")
    expect(grid.get_by_test_id("cell-C003-M2")).to_have_value("28.00")
    assert page.evaluate("document.activeElement.dataset.testid") == "cell-C002-M2"
    marks = {
        (m.competitor.number, m.aspect.code): m.mark
        for m in Mark.objects.select_related("competitor", "aspect")
    }
    assert marks == {
        ("C001", "M1"): Decimal("35.50"),
        ("C003", "M1"): Decimal("20.00"),
        ("C003", "M2"): Decimal("28.00"),
    }

    # correct the bad cell: the error goes away
    bad.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("39")
    page.keyboard.press("Enter")
    expect(page.locator("td.bad")).to_have_count(0)
    assert Mark.objects.filter(competitor=two, aspect__code="M1").get().mark == Decimal("39.00")

    # a judge's sheet: the score is saved for that judge
    first_judge = skill.judges.get(number="J1")
    page.get_by_test_id(f"sheet-{first_judge.pk}").click()
    page.get_by_test_id("mark-grid").get_by_test_id("cell-C001-J1").click()
    page.keyboard.type("2")
    with page.expect_response(re.compile(r"/marks/\d+/\d+/$")):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("mark-grid").get_by_test_id("cell-C001-J1")).to_have_value("2")
    assert Mark.objects.get(aspect__code="J1", judge=first_judge).score == 2

    # the sheet of a judge who works where C001 works: that cell is recused, not an input
    page.get_by_test_id(f"sheet-{recused.pk}").click()
    expect(page).to_have_url(re.compile(rf"sheet={recused.pk}$"))
    expect(page.locator("td.conflict")).to_have_count(1)
    expect(page.locator("td.conflict")).to_contain_text("回避")
    expect(page.locator("td.conflict")).to_have_attribute("title", re.compile("甲机械厂"))
