"""The web results page of a 300-competitor skill, against a floor measured in the same run.

Builds, in a throwaway SQLite database, one skill with 300 competitors × 20 aspects (10
measurement, 10 judgement) × 5 judges = 18,000 marks, then times through Django's test client
(the whole request: middleware, scope, loading the marks, the exact arithmetic, the template):

  page      GET /contests/skills/<id>/results/ as an officer of the organising union;
  grid      GET /contests/skills/<id>/marks/ (the measurement sheet, 300 × 10 inputs);
  floor     the same marks read with one raw SQL query and the totals, standardised scores and
            ranks computed with numpy (floats) — the least any page could do.

Target (issue 5): the results page under 200 ms. Run:
    .venv/bin/python bench/contest_results_page.py [--competitors 300] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--competitors", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="gonghui-bench-")
    os.environ["GONGHUI_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["GONGHUI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from gonghui.accounts.actions import grant_role
    from gonghui.accounts.models import Role, User
    from gonghui.contests import actions
    from gonghui.contests.actions import AspectSpec
    from gonghui.contests.models import Competitor, Judge, Mark
    from gonghui.core.crypto import encrypt
    from gonghui.orgs.actions import create_organisation
    from gonghui.orgs.models import OrgType
    from gonghui.people.models import Person

    setup_test_environment()
    call_command("migrate", verbosity=0)
    root = create_organisation(
        by=None, code="R", name="总工会", org_type=OrgType.FEDERATION, parent=None
    )
    user = User.objects.create_user(username="officer", password=None, organisation=root)
    grant_role(by=None, user=user, organisation=root, role=Role.OFFICER)
    contest = actions.create_contest(
        by=None,
        code="BENCH",
        name="基准竞赛",
        organiser=root,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 2),
    )
    skill = actions.create_skill(by=None, contest=contest, code="S", name="车工")
    aspects = actions.set_scheme(
        by=None,
        skill=skill,
        aspects=[AspectSpec(f"M{i}", f"测量{i}", "M", Decimal(5)) for i in range(10)]
        + [AspectSpec(f"J{i}", f"评价{i}", "J", Decimal(5)) for i in range(10)],
    )
    # The fixture is written in bulk (registration through the actions is benchmarked by the
    # import, not here): people, entrants and marks as the actions would leave them.
    sealed = encrypt("650102199003070072", field="identity_number")
    people = Person.objects.bulk_create(
        Person(
            name=f"选手{n}",
            name_key=f"xuan3 shou3 {n:05d}",
            identity_hash=f"{n:032d}",
            identity_sealed=sealed,
            identity_masked="650102********0072",
            gender="M",
            birth_year=1990,
        )
        for n in range(args.competitors + 5)
    )
    competitors = Competitor.objects.bulk_create(
        Competitor(skill=skill, number=f"C{n:04d}", person=people[n])
        for n in range(args.competitors)
    )
    judges = Judge.objects.bulk_create(
        Judge(skill=skill, number=f"J{n}", person=people[args.competitors + n], is_chief=n == 0)
        for n in range(5)
    )
    rng = random.Random(7)
    marks = []
    for competitor in competitors:
        ability = rng.random()
        for aspect in aspects:
            if aspect.is_judgement:
                base = min(2, int(ability * 3))
                marks += [
                    Mark(
                        skill=skill,
                        competitor=competitor,
                        aspect=aspect,
                        judge=judge,
                        score=base + rng.randrange(2),
                    )
                    for judge in judges
                ]
            else:
                marks.append(
                    Mark(
                        skill=skill,
                        competitor=competitor,
                        aspect=aspect,
                        mark=Decimal(rng.randrange(501)).scaleb(-2),
                    )
                )
    Mark.objects.bulk_create(marks, batch_size=2000)
    print(
        f"{args.competitors} competitors × {len(aspects)} aspects × {len(judges)} judges: "
        f"{len(marks):,} marks"
    )

    client = Client()
    client.force_login(user)
    results_url = f"/contests/skills/{skill.pk}/results/"
    grid_url = f"/contests/skills/{skill.pk}/marks/"
    first = client.get(results_url)
    assert first.status_code == 200 and "金牌".encode() in first.content, first.status_code
    assert client.get(grid_url).status_code == 200

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT competitor_id, aspect_id, judge_id, mark, score FROM contests_mark "
                "WHERE skill_id = %s",
                [skill.pk],
            )
            rows = cursor.fetchall()
        index = {c.pk: i for i, c in enumerate(competitors)}
        raw = np.zeros(len(competitors))
        judged = np.zeros(len(competitors))
        for competitor_id, _aspect, judge_id, mark, score in rows:
            if judge_id is None:
                raw[index[competitor_id]] += float(mark)
            else:
                judged[index[competitor_id]] += score
        raw = np.floor((raw + 5 * judged / (3 * len(judges))) * 100 + 0.5) / 100
        median = np.median(raw)
        mad = np.median(np.abs(raw - median))
        spread = 1.4826 * mad if mad else raw.std()
        scores = np.round(700 + 100 * (raw - median) / spread)
        np.argsort(-scores, kind="stable")

    page = median_ms(lambda: client.get(results_url), args.repeat)
    grid = median_ms(lambda: client.get(grid_url), args.repeat)
    base = median_ms(floor, args.repeat)
    print(
        f"results page {page:.0f} ms, mark grid {grid:.0f} ms, floor {base:.1f} ms, "
        f"ratio {page / base:.1f} (median of {args.repeat}); target: results page under 200 ms"
    )


if __name__ == "__main__":
    main()
