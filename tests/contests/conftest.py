from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, MarkEntry
from gonghui.contests.marking import SkillSheet
from gonghui.contests.models import Competitor, Contest, Judge, Skill

from .factories import add_competitor, add_judge, make_contest, make_skill, make_unit

SIMPLE = [
    AspectSpec("M1", "测量", "M", Decimal("70"), sub_criterion="A 测量"),
    AspectSpec("J1", "评价", "J", Decimal("30"), sub_criterion="B 评价"),
]


@dataclass
class Running:
    """A contest of the city (alice's union): one skill, three competitors, four judges.

    Judge J4 works at competitor C001's employer: a conflict of interest."""

    contest: Contest
    skill: Skill
    competitors: list[Competitor]
    judges: list[Judge]


def fill_marks(skill: Skill, marks: dict[Competitor, tuple[str, list[int]]]) -> None:
    sheet = SkillSheet.load(skill)
    m1, j1 = sheet.aspects
    entries = []
    for competitor, (measured, scores) in marks.items():
        entries.append(MarkEntry(competitor, m1, None, measured))
        for judge, score in zip(sheet.eligible_judges(competitor), scores, strict=False):
            entries.append(MarkEntry(competitor, j1, judge, str(score)))
    actions.enter_marks(by=None, skill=skill, entries=entries)


@pytest.fixture
def running(world) -> Running:
    contest = make_contest(world.city_a)
    skill = make_skill(contest, scheme=SIMPLE)
    unit = make_unit(1, world.gr_a1, "甲机械厂")
    judges = [add_judge(skill, n, is_chief=n == 1) for n in (1, 2, 3)]
    judges.append(add_judge(skill, 4, unit=unit))
    competitors = [
        add_competitor(skill, 1, unit=unit),
        add_competitor(skill, 2),
        add_competitor(skill, 3),
    ]
    return Running(contest, skill, competitors, judges)


@pytest.fixture
def finished(running) -> Running:
    one, two, three = running.competitors
    fill_marks(
        running.skill,
        {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 2, 2]), three: ("40", [1, 1, 1, 1])},
    )
    actions.sign_off_skill(by=None, skill=running.skill)
    running.skill.refresh_from_db()
    return running
