"""The marking arithmetic on hand-computed cases (issue 5: formulas, ties, MAD = 0, void skills)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from gonghui.contests.scoring import (
    Aspect,
    Award,
    MedalPolicy,
    ScoringError,
    awards,
    check_scheme,
    competition_ranks,
    diverges,
    judgement_mark,
    measurement_mark,
    raw_total,
    round_cents,
    skill_results,
    standardise,
    totals_from_marks,
)

D = Decimal


def test_scheme_must_add_up_to_100_and_says_the_actual_sum() -> None:
    check_scheme([Aspect.of("A1", "M", "40"), Aspect.of("A2", "J", "60.00")])
    with pytest.raises(ScoringError, match=r"add up to 99\.50"):
        check_scheme([Aspect.of("A1", "M", "39.5"), Aspect.of("A2", "J", "60")])
    with pytest.raises(ScoringError, match="two decimals"):
        Aspect.of("A3", "M", "1.005")


def test_judgement_mark_is_maximum_times_mean_over_three() -> None:
    aspect = Aspect.of("J1", "J", "10")
    assert judgement_mark(aspect, [2, 3, 3]) == Fraction(1000 * 8, 9)  # 8.888… marks, in cents
    assert judgement_mark(aspect, [3, 3, 3, 3, 3]) == 1000
    with pytest.raises(ScoringError, match="at least 3"):
        judgement_mark(aspect, [3, 3])
    with pytest.raises(ScoringError, match="0, 1, 2 or 3"):
        judgement_mark(aspect, [3, 4, 3])


def test_measurement_mark_lies_within_the_maximum() -> None:
    aspect = Aspect.of("M1", "M", "5.25")
    assert measurement_mark(aspect, "5.25") == 525
    for bad in ("5.26", "-1", "2.001"):
        with pytest.raises(ScoringError):
            measurement_mark(aspect, bad)


def test_divergence_is_more_than_one_point() -> None:
    assert diverges([1, 3, 2])
    assert not diverges([2, 3, 3])
    assert not diverges([])


def test_raw_total_rounds_half_up_once() -> None:
    assert raw_total([Fraction(1, 2)]) == D("0.01")  # half a cent
    assert raw_total([Fraction(1, 3), Fraction(1, 3)]) == D("0.01")  # 0.666… cents
    assert raw_total([Fraction(1, 3)]) == D("0.00")
    assert round_cents(Fraction(8883, 1) + Fraction(1, 3)) == D("88.83")


def test_totals_from_marks() -> None:
    scheme = [Aspect.of("M1", "M", "40"), Aspect.of("J1", "J", "60")]
    totals = totals_from_marks(
        scheme,
        measurements={("A", "M1"): "35.5", ("B", "M1"): "40"},
        judgements={("A", "J1"): [3, 3, 2], ("B", "J1"): [2, 2, 2]},
        competitors=["A", "B"],
    )
    # A: 35.50 + 60 × 8/9 = 35.50 + 53.333… = 88.833… -> 88.83; B: 40 + 60 × 2/3 = 80
    assert totals == {"A": D("88.83"), "B": D("80.00")}
    with pytest.raises(ScoringError, match="no mark"):
        totals_from_marks(scheme, {}, {("A", "J1"): [1, 1, 1]}, ["A"])


def test_standardised_scores_with_mad() -> None:
    raw = {k: D(v) for k, v in zip("abcde", ["50", "60", "70", "80", "90"], strict=True)}
    # median 70, MAD 10, 1.4826 × MAD = 14.826: 700 ± 100 × 20 / 14.826 = 700 ± 134.898…
    assert standardise(raw) == {"a": 565, "b": 633, "c": 700, "d": 767, "e": 835}


def test_mad_zero_falls_back_to_the_population_standard_deviation() -> None:
    raw = {"a": D("10"), "b": D("10"), "c": D("10"), "d": D("40")}
    # median 10, MAD 0; mean 17.5, population sd = sqrt(675 / 4) = 12.9904: d = 700 + 3000 / 12.9904 = 930.94
    assert standardise(raw) == {"a": 700, "b": 700, "c": 700, "d": 931}


def test_everyone_equal_scores_700() -> None:
    assert standardise({"a": D("55.5"), "b": D("55.5"), "c": D("55.5")}) == {
        "a": 700,
        "b": 700,
        "c": 700,
    }
    assert standardise({"solo": D("12")}) == {"solo": 700}


def test_ties_share_a_rank_and_the_next_skips() -> None:
    assert competition_ranks({"a": 750, "b": 750, "c": 700, "d": 650}) == {
        "a": 1,
        "b": 1,
        "c": 3,
        "d": 4,
    }


def test_a_shared_gold_leaves_no_silver() -> None:
    scores = {"a": 750, "b": 750, "c": 700, "d": 650}
    given = awards(competition_ranks(scores), scores, MedalPolicy.WORLDSKILLS)
    assert given == {"a": Award.GOLD, "b": Award.GOLD, "c": Award.BRONZE, "d": None}


def test_national_merit_goes_to_the_top_half_without_a_medal() -> None:
    scores = {f"c{i}": 800 - 10 * i for i in range(10)}  # ranks 1..10, N = 10, top half: rank <= 5
    given = awards(competition_ranks(scores), scores, MedalPolicy.NATIONAL)
    assert [given[f"c{i}"] for i in range(10)] == [
        Award.GOLD,
        Award.SILVER,
        Award.BRONZE,
        Award.MERIT,
        Award.MERIT,
    ] + [None] * 5


def test_worldskills_medallion_for_700_or_more_without_a_medal() -> None:
    scores = {"a": 800, "b": 760, "c": 730, "d": 700, "e": 699}
    given = awards(competition_ranks(scores), scores, MedalPolicy.WORLDSKILLS)
    assert given["d"] == Award.EXCELLENCE and given["e"] is None


def test_a_skill_below_its_minimum_is_void() -> None:
    results = skill_results(
        {"a": D("90"), "b": D("80"), "c": D("70")}, policy=MedalPolicy.NATIONAL, minimum=5
    )
    assert results.void
    assert [r.award for r in results.results] == [None, None, None]
    assert [r.rank for r in results.results] == [1, 2, 3]


def test_skill_results_in_rank_order() -> None:
    raw = {"a": D("70"), "b": D("90"), "c": D("80"), "d": D("60"), "e": D("50")}
    results = skill_results(raw, policy=MedalPolicy.NATIONAL)
    assert [(r.competitor, r.standardised, r.rank, r.award) for r in results.results] == [
        ("b", 835, 1, Award.GOLD),
        ("c", 767, 2, Award.SILVER),
        ("a", 700, 3, Award.BRONZE),
        ("d", 633, 4, None),  # N = 5: top half is rank <= 2, already medallists
        ("e", 565, 5, None),
    ]
