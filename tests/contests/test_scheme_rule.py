"""One marking-scheme rule: scoring, the actions and the contest workbook give the same verdict."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gonghui.contests import actions, scoring
from gonghui.contests.actions import AspectSpec
from gonghui.contests.workbook import import_workbook

from .test_workbook import clean_rows, save

D = Decimal

# (code, kind, maximum) of each aspect of skill S1
GOOD = [
    [("M1", "M", D("70")), ("J1", "J", D("30"))],
    [("M1", "M", D("33.33")), ("M2", "M", D("33.33")), ("J1", "J", D("33.34"))],
]
SHORT = [("M1", "M", D("70")), ("J1", "J", D("29.5"))]
OVER = [("M1", "M", D("70")), ("J1", "J", D("30.01"))]
TWICE = [("M1", "M", D("70")), ("M1", "J", D("30"))]
BAD = [SHORT, OVER, TWICE]


def _scoring_verdict(scheme: list[tuple[str, str, Decimal]]) -> str | None:
    try:
        scoring.check_scheme(
            [scoring.Aspect.of(code, kind, maximum) for code, kind, maximum in scheme]
        )
    except scoring.ScoringError as error:
        return str(error)
    return None


def _action_verdict(scheme: list[tuple[str, str, Decimal]]) -> str | None:
    try:
        actions.check_scheme(
            [AspectSpec(code, code, kind, maximum) for code, kind, maximum in scheme]
        )
    except ValidationError as error:
        return error.messages[0]
    return None


def _workbook_errors(world, tmp_path, scheme: list[tuple[str, str, Decimal]]) -> list[str]:
    rows = clean_rows()
    rows["评分标准"] = [["S1", code, code, kind, maximum] for code, kind, maximum in scheme] + [
        ["S2", "A", "外观", "M", 100]
    ]
    rows["评分"] = []
    report = import_workbook(
        save(tmp_path / "scheme.xlsx", rows), by=None, organiser=world.city_a, dry_run=True
    )
    return [e.message for e in report.errors if e.sheet in {"赛项", "评分标准"}]


def test_the_rule_answers_none_for_a_scheme_that_adds_up_to_100() -> None:
    for scheme in GOOD:
        assert scoring.scheme_problem((code, maximum) for code, _kind, maximum in scheme) is None


@pytest.mark.parametrize("scheme", GOOD)
def test_good_schemes_pass_in_every_place(world, tmp_path, scheme) -> None:
    assert _scoring_verdict(scheme) is None
    assert _action_verdict(scheme) is None
    assert _workbook_errors(world, tmp_path, scheme) == []


@pytest.mark.parametrize("scheme", BAD, ids=["short", "over", "twice"])
def test_bad_schemes_are_refused_in_every_place(world, tmp_path, scheme) -> None:
    assert _scoring_verdict(scheme) is not None
    assert _action_verdict(scheme) is not None
    assert _workbook_errors(world, tmp_path, scheme) != []


@pytest.mark.parametrize("scheme", [SHORT, OVER], ids=["short", "over"])
def test_a_wrong_sum_is_told_in_the_same_words_everywhere(world, tmp_path, scheme) -> None:
    problem = scoring.scheme_problem((code, maximum) for code, _kind, maximum in scheme)
    assert problem is not None and "100" in problem
    assert _scoring_verdict(scheme) == problem
    assert _action_verdict(scheme) == problem
    assert _workbook_errors(world, tmp_path, scheme) == [
        f"Its aspects in the sheet 评分标准: {problem}"
    ]


def test_the_rule_speaks_chinese() -> None:
    with translation.override("zh-hans"):
        problem = scoring.scheme_problem([("M1", D("70")), ("J1", D("29.5"))])
        duplicate = scoring.scheme_problem([("M1", D("70")), ("M1", D("30"))])
    assert problem == "评分标准各评分项分值之和须为 100，现为 99.50。"
    assert duplicate is not None and "M1" in duplicate and "Aspect" not in duplicate
