"""Results of one big skill: gonghui's exact arithmetic against a numpy floor, in one run.

100,000 competitors × 20 aspects (10 measurement, 10 judgement) × 5 judges. gonghui computes
raw totals from the marks (exact fractions, rounded half-up once), standardised scores,
ranks and awards; the floor does the same arithmetic vectorised with numpy (floats) on arrays
already in memory. Prints both times and the ratio. Target (issue 5): under 10 s.

    .venv/bin/python bench/contest_results.py [--competitors 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")

import numpy as np

from gonghui.contests.scoring import Aspect, MedalPolicy, skill_results, totals_from_marks

ASPECTS = [Aspect.of(f"M{i}", "M", "5") for i in range(10)] + [
    Aspect.of(f"J{i}", "J", "5") for i in range(10)
]
JUDGES = 5


def generate(n: int) -> tuple[dict, dict, list[int], np.ndarray, np.ndarray]:
    rng = random.Random(n)
    measurements, judgements = {}, {}
    m = np.zeros((n, 10))
    j = np.zeros((n, 10, JUDGES))
    for c in range(n):
        for i in range(10):
            cents = rng.randrange(501)
            measurements[(c, f"M{i}")] = Decimal(cents).scaleb(-2)
            m[c, i] = cents / 100
            base = rng.randrange(4)
            scores = [
                min(3, max(0, base + rng.choice((-1, 0, 0, 1)))) if base not in (0, 3) else base
                for _ in range(JUDGES)
            ]
            judgements[(c, f"J{i}")] = scores
            j[c, i, :] = scores
    return measurements, judgements, list(range(n)), m, j


def floor(m: np.ndarray, j: np.ndarray) -> np.ndarray:
    raw = m.sum(axis=1) + (5 * j.mean(axis=2) / 3).sum(axis=1)
    raw = np.floor(raw * 100 + 0.5) / 100
    median = np.median(raw)
    mad = np.median(np.abs(raw - median))
    spread = 1.4826 * mad if mad else raw.std()
    scores = np.round(700 + 100 * (raw - median) / spread) if spread else np.full(raw.shape, 700.0)
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    sorted_scores = scores[order]
    first = np.r_[True, sorted_scores[1:] != sorted_scores[:-1]]
    positions = np.arange(1, len(scores) + 1)
    ranks[order] = np.maximum.accumulate(np.where(first, positions, 0))
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--competitors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    measurements, judgements, competitors, m, j = generate(args.competitors)
    print(
        f"generated {args.competitors:,} competitors × {len(ASPECTS)} aspects × {JUDGES} judges in {time.perf_counter() - started:.1f} s"
    )
    ours, base = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        totals = totals_from_marks(ASPECTS, measurements, judgements, competitors)
        results = skill_results(totals, policy=MedalPolicy.WORLDSKILLS)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        ranks = floor(m, j)
        base.append(time.perf_counter() - started)
    assert len(results.results) == len(ranks) == args.competitors
    o, b = statistics.median(ours), statistics.median(base)
    print(
        f"gonghui {o:.2f} s, numpy floor {b:.3f} s, ratio {o / b:.0f} (median of {args.repeat}); target: gonghui under 10 s"
    )


if __name__ == "__main__":
    main()
