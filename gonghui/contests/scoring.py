"""The marking arithmetic of a skill, exact and reproducible (WorldSkills-style marking).

Marks are kept in hundredths (cents of a mark) as integers and fractions, never floats:
a judgement aspect's mark is maximum × (mean of the judges' 0–3 scores) / 3, which is a
fraction; a competitor's raw total is the exact sum, rounded half-up to two decimals once.

Standardised score: 700 + 100 × (raw − median) / (1.4826 × MAD) over the skill's competitors;
with MAD = 0 the population standard deviation takes the place of 1.4826 × MAD; if that is 0
too, everyone scores 700. Rounded to the nearest integer, halves away from zero. Ranks share
equal scores and then skip ("1, 1, 3"); ranks 1–3 take gold, silver and bronze, so two shared
golds leave no silver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from statistics import median
from typing import Generic, TypeVar

from django.utils.translation import gettext as _

K = TypeVar("K", bound=Hashable)

FULL_MARKS_CENTS = 100_00
JUDGEMENT_SCORES = (0, 1, 2, 3)
_SCORE_SET = frozenset(JUDGEMENT_SCORES)
MIN_JUDGES = 3
MEDIAN_SCORE = 700
MAD_TO_SIGMA = Decimal("1.4826")


class AspectKind(StrEnum):
    MEASUREMENT = "M"
    JUDGEMENT = "J"


class MedalPolicy(StrEnum):
    NATIONAL = "national"  # 优胜奖: no medal, rank within the top half of the entrants
    WORLDSKILLS = "worldskills"  # 卓越奖 (Medallion for Excellence): no medal, score 700 or more


class Award(StrEnum):
    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"
    MERIT = "merit"  # 优胜奖
    EXCELLENCE = "excellence"  # 卓越奖


AWARD_NAMES = {
    Award.GOLD: "金牌",
    Award.SILVER: "银牌",
    Award.BRONZE: "铜牌",
    Award.MERIT: "优胜奖",
    Award.EXCELLENCE: "卓越奖",
}
MEDALS_BY_RANK = {1: Award.GOLD, 2: Award.SILVER, 3: Award.BRONZE}


class ScoringError(ValueError):
    """A scheme or a set of marks that the rules do not allow; the message says which and why."""


@dataclass(frozen=True)
class Aspect:
    code: str
    kind: AspectKind
    max_cents: int  # the maximum mark in hundredths: 12.50 -> 1250

    @classmethod
    def of(cls, code: str, kind: str, maximum: Decimal | str) -> Aspect:
        value = Decimal(maximum)
        cents = value * 100
        if value <= 0 or cents != cents.to_integral_value():
            raise ScoringError(
                f"aspect {code}: the maximum mark must be positive with at most two decimals, not {maximum}"
            )
        return cls(code, AspectKind(kind), int(cents))


def scheme_problem(aspects: Iterable[tuple[str, Decimal]]) -> str | None:
    """A marking scheme names each aspect once and its maxima add up to exactly 100.

    Takes each aspect's (code, maximum mark); answers None when the rule holds, else why not,
    in the officer's language (the message gives the actual sum). This is the one statement of
    the rule: the actions, the contest workbook and the mark sheet all ask it.
    """
    pairs = list(aspects)
    codes = [code for code, _maximum in pairs]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        return _("Aspect codes must be unique in a scheme: %(codes)s.") % {
            "codes": "、".join(duplicates)
        }
    total = sum((maximum for _code, maximum in pairs), Decimal(0))
    if total != 100:
        return _("The maxima of a marking scheme add up to 100; these add up to %(total)s.") % {
            "total": f"{total:.2f}"
        }
    return None


def check_scheme(aspects: Sequence[Aspect]) -> None:
    """The scheme rule (`scheme_problem`) on aspects already in cents; raises ScoringError."""
    problem = scheme_problem((a.code, Decimal(a.max_cents) / 100) for a in aspects)
    if problem is not None:
        raise ScoringError(problem)


def measurement_cents(aspect: Aspect, mark: Decimal | str) -> int:
    """A measurement mark in cents; it must lie between 0 and the aspect's maximum."""
    cents = Decimal(mark) * 100
    if cents != cents.to_integral_value() or not 0 <= cents <= aspect.max_cents:
        raise ScoringError(
            f"aspect {aspect.code}: a mark from 0 to {Decimal(aspect.max_cents) / 100:.2f} with at most two decimals, not {mark}"
        )
    return int(cents)


def measurement_mark(aspect: Aspect, mark: Decimal | str) -> Fraction:
    return Fraction(measurement_cents(aspect, mark))


def check_judgement(aspect: Aspect, scores: Sequence[int]) -> None:
    if len(scores) < MIN_JUDGES:
        raise ScoringError(
            f"aspect {aspect.code}: judgement needs at least {MIN_JUDGES} judges' scores, not {len(scores)}"
        )
    if not set(scores) <= _SCORE_SET:
        raise ScoringError(f"aspect {aspect.code}: judgement scores are 0, 1, 2 or 3")


def judgement_mark(aspect: Aspect, scores: Sequence[int]) -> Fraction:
    """maximum × mean(scores) / 3, in cents, exactly."""
    check_judgement(aspect, scores)
    return Fraction(aspect.max_cents * sum(scores), 3 * len(scores))


def diverges(scores: Sequence[int]) -> bool:
    """Judges' scores more than one point apart: the aspect must be marked again."""
    return bool(scores) and max(scores) - min(scores) > 1


def round_cents(total: Fraction) -> Decimal:
    """Round a total in cents half-up to whole cents, as a mark with two decimals."""
    whole, remainder = divmod(total.numerator, total.denominator)
    if 2 * remainder >= total.denominator:
        whole += 1
    return Decimal(whole).scaleb(-2)


def raw_total(marks: Sequence[Fraction]) -> Decimal:
    return round_cents(sum(marks, Fraction(0)))


def standardise(raw: Mapping[K, Decimal]) -> dict[K, int]:
    """700 + 100 × (raw − median) / (1.4826 × MAD), with the fall-backs of the module docstring."""
    if not raw:
        return {}
    values = list(raw.values())
    with localcontext() as context:
        context.prec = 50
        centre = Decimal(median(values))
        mad = Decimal(median([abs(v - centre) for v in values]))
        if mad:
            spread = MAD_TO_SIGMA * mad
        else:
            mean = sum(values, Decimal(0)) / len(values)
            spread = (sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()
        if not spread:
            return dict.fromkeys(raw, MEDIAN_SCORE)
        return {
            key: int(
                (MEDIAN_SCORE + 100 * (value - centre) / spread).quantize(
                    Decimal(1), rounding=ROUND_HALF_UP
                )
            )
            for key, value in raw.items()
        }


def competition_ranks(scores: Mapping[K, int]) -> dict[K, int]:
    """Higher first; equal scores share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    ranks: dict[K, int] = {}
    previous: int | None = None
    rank = 0
    for position, (key, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[key] = rank
    return ranks


def awards(
    ranks: Mapping[K, int], scores: Mapping[K, int], policy: MedalPolicy
) -> dict[K, Award | None]:
    entrants = len(ranks)
    out: dict[K, Award | None] = {}
    for key, rank in ranks.items():
        award = MEDALS_BY_RANK.get(rank)
        if award is None and policy == MedalPolicy.NATIONAL and rank <= entrants // 2:
            award = Award.MERIT
        elif award is None and policy == MedalPolicy.WORLDSKILLS and scores[key] >= MEDIAN_SCORE:
            award = Award.EXCELLENCE
        out[key] = award
    return out


@dataclass(frozen=True)
class Result(Generic[K]):
    competitor: K
    raw: Decimal
    standardised: int
    rank: int
    award: Award | None


@dataclass(frozen=True)
class SkillResults(Generic[K]):
    results: list[Result[K]]  # in rank order
    void: bool  # fewer entrants than the skill's minimum: nothing is awarded


def skill_results(
    raw: Mapping[K, Decimal], *, policy: MedalPolicy, minimum: int = 1
) -> SkillResults[K]:
    """Standardised scores, ranks and awards of one skill from its competitors' raw totals."""
    scores = standardise(raw)
    ranks = competition_ranks(scores)
    void = len(raw) < minimum
    given = dict.fromkeys(raw, None) if void else awards(ranks, scores, policy)
    results = [Result(key, raw[key], scores[key], ranks[key], given[key]) for key in ranks]
    return SkillResults(results, void)


def totals_from_marks(
    aspects: Sequence[Aspect],
    measurements: Mapping[tuple[K, str], Decimal | str],
    judgements: Mapping[tuple[K, str], Sequence[int]],
    competitors: Sequence[K],
) -> dict[K, Decimal]:
    """Raw totals of every competitor from the marks entered; a missing mark is an error.

    Exact and fast: per competitor, cents are summed as integers over each denominator that
    occurs (1 for measurements, 3 × judges for judgements) and combined once.
    """
    totals: dict[K, Decimal] = {}
    for competitor in competitors:
        by_denominator: dict[int, int] = defaultdict(int)
        for aspect in aspects:
            key = (competitor, aspect.code)
            if aspect.kind == AspectKind.MEASUREMENT:
                if key not in measurements:
                    raise ScoringError(f"competitor {competitor}: no mark for aspect {aspect.code}")
                by_denominator[1] += measurement_cents(aspect, measurements[key])
            else:
                if key not in judgements:
                    raise ScoringError(
                        f"competitor {competitor}: no judgement scores for aspect {aspect.code}"
                    )
                scores = judgements[key]
                check_judgement(aspect, scores)
                by_denominator[3 * len(scores)] += aspect.max_cents * sum(scores)
        total = sum((Fraction(n, d) for d, n in by_denominator.items()), Fraction(0))
        totals[competitor] = round_cents(total)
    return totals
