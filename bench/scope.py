"""Scope queries at federation scale, against floors measured in the same run.

Builds the tree of perf-baselines.md (1 federation, 15 prefectures x 10 counties x 100 grassroots
unions = 15,166 organisations) in a throwaway database, then times, for users at each level:

  gonghui   visible_orgs(user).count() and the first page of the list, through the ORM and scope();
  floor     the same in raw SQL: the user's assignments, then the count and the first page as
            range queries on the path index (the most direct way);
  cte       the same count with a recursive CTE over parent ids (what a tree without paths needs).

Prints medians and the ratio gonghui / floor. Run:  .venv/bin/python bench/scope.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="gonghui-bench-")
    os.environ["GONGHUI_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["GONGHUI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gonghui.accounts.models import Role, RoleAssignment, User
    from gonghui.orgs.models import Organisation, path_segment, path_upper_bound

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_tree(Organisation, path_segment)
    print(
        f"tree: {Organisation.objects.count()} organisations built in {time.perf_counter() - started:.1f} s"
    )

    from gonghui.orgs.permissions import visible_orgs

    levels = {
        "federation": Organisation.objects.get(depth=0),
        "prefecture": Organisation.objects.filter(depth=1).first(),
        "county": Organisation.objects.filter(depth=2).first(),
        "grassroots": Organisation.objects.filter(depth=3).first(),
    }
    print(f"{'level':<12}{'rows':>7}{'gonghui ms':>12}{'floor ms':>10}{'cte ms':>9}{'ratio':>8}")
    for level, org in levels.items():
        assert org is not None
        user, _ = User.objects.get_or_create(username=f"bench-{level}")
        RoleAssignment.objects.get_or_create(user=user, organisation=org, role=Role.OFFICER)

        def through_gonghui(user: User = user) -> int:
            fresh = User.objects.get(pk=user.pk)  # a new request: assignments read again
            total = visible_orgs(fresh).count()
            list(visible_orgs(fresh).order_by("path")[:50])
            return total

        def floor(org: Organisation = org, user: User = user) -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT o.path FROM accounts_roleassignment a JOIN orgs_organisation o "
                    "ON o.id = a.organisation_id WHERE a.user_id = %s AND a.role IN ('officer', 'viewer')",
                    [user.pk],
                )
                assert cursor.fetchall()
                cursor.execute(
                    "SELECT COUNT(*) FROM orgs_organisation WHERE path >= %s AND path < %s",
                    [org.path, path_upper_bound(org.path)],
                )
                total = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT * FROM orgs_organisation WHERE path >= %s AND path < %s ORDER BY path LIMIT 50",
                    [org.path, path_upper_bound(org.path)],
                )
                cursor.fetchall()
            return int(total)

        def cte(org: Organisation = org) -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs_organisation WHERE id = %s "
                    "UNION ALL SELECT o.id FROM orgs_organisation o JOIN sub ON o.parent_id = sub.id) "
                    "SELECT COUNT(*) FROM sub",
                    [org.pk],
                )
                return int(cursor.fetchone()[0])

        rows = floor()
        assert through_gonghui() == rows == cte()
        ours, base, recursive = (timed(f, args.repeat) for f in (through_gonghui, floor, cte))
        print(f"{level:<12}{rows:>7}{ours:>12.2f}{base:>10.2f}{recursive:>9.2f}{ours / base:>8.1f}")


def timed(function: Callable[[], int], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def build_tree(Organisation: type, path_segment: Callable[[int], str]) -> None:
    from django.db import transaction

    with transaction.atomic():
        root = Organisation.objects.create(
            code="R", name="总工会", type="federation", path="new-root", depth=0
        )
        root.path = path_segment(root.pk)
        root.save(update_fields=["path"])
        parents = [root]
        for depth, (width, org_type) in enumerate(
            [(15, "prefecture"), (10, "county"), (100, "grassroots")], start=1
        ):
            created = Organisation.objects.bulk_create(
                [
                    Organisation(
                        code=f"{p.code}-{i}",
                        name=f"{p.name}{i}",
                        type=org_type,
                        parent=p,
                        path=f"new-{p.pk}-{i}",
                        depth=depth,
                    )
                    for p in parents
                    for i in range(width)
                ],
                batch_size=2000,
            )
            by_parent = {p.pk: p.path for p in parents}
            for org in created:
                org.path = by_parent[org.parent_id] + path_segment(org.pk)
            Organisation.objects.bulk_update(created, ["path"], batch_size=2000)
            parents = created


if __name__ == "__main__":
    main()
