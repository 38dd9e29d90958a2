"""Roster pages at federation scale, served by the production server, against the
organisations page of the same server in the same run.

Fills a database (once; kept in --work for later runs) with a federation of the shape real ones
have: 15 cities with 6 to 14 counties each, lognormally many grassroots unions per county and
members per union, one very large union, employer units, names drawn with the frequencies of
Chinese surnames and identity numbers in random order. The people are written by the importer's
own writer, sealed and hashed as any import does. Then serves it with gunicorn (as
docs/deployment.md runs it) and times each page for a federation, a county and a grassroots
officer with 1 and then 10 clients at once: p50 and p95 in milliseconds, and the ratio of each
roster page's p95 to the organisations page's p95 at the same concurrency. Run:

    .venv/bin/python bench/pages.py [--members 1000000] [--postgres] [--work DIR]

Target: every roster page's p95 at most 2x the organisations page's p95.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8103
# The most common surnames with their share of the population in percent (the 2020 census's
# order); the rest share what is left.
SURNAMES = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.3, "陈": 4.6, "杨": 3.2, "黄": 2.2, "赵": 2.0,
    "吴": 2.0, "周": 1.9, "徐": 1.5, "孙": 1.5, "马": 1.3, "朱": 1.3, "胡": 1.2, "郭": 1.1,
    "何": 1.1, "林": 1.0, "高": 1.0, "罗": 0.9, "郑": 0.9, "梁": 0.8, "谢": 0.7, "宋": 0.6,
    "唐": 0.6, "许": 0.6, "韩": 0.5, "冯": 0.5, "邓": 0.5, "曹": 0.5, "彭": 0.5, "曾": 0.4,
    "肖": 0.4, "田": 0.4, "董": 0.4, "袁": 0.4, "潘": 0.4, "于": 0.4, "蒋": 0.4, "蔡": 0.4,
}  # fmt: skip
RARE_SURNAMES = "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅玉志海燕春晓东文博子涵欣怡浩然宇轩梓萱一诺雨桐俊佳凤琴云辉鹏飞斌鑫波宁琳雪晨旭阳"
TRANSLITERATED = [
    "阿依古丽",
    "古丽娜尔",
    "艾力",
    "买买提",
    "吐尔逊",
    "热依拉",
    "努尔兰",
    "帕提古丽",
]
AREAS = ["650102", "650103", "650104", "650105", "650106", "652301", "654002", "653101"]
SKILLS = ["", "", "", "", "", "junior", "junior", "intermediate", "intermediate", "senior"]
SKILLS += ["technician", "senior_technician"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--work", default=str(ROOT / "var" / "bench-pages"))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--requests", type=int, default=40, help="requests per page and level")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    name = f"gh_pages_bench_{args.members}"
    url = (
        f"postgres://postgres@127.0.0.1:5432/{name}"
        if args.postgres
        else f"sqlite:///{work / name}.sqlite3"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(GONGHUI_DATABASE_URL=url, GONGHUI_VAR_DIR=str(work))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    if args.postgres:
        create_database(name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    officers = fill(args.members, postgres=args.postgres)
    gunicorn = ["gunicorn", "gonghui.wsgi", "--bind", f"127.0.0.1:{PORT}", "--timeout", "120"]
    server = subprocess.Popen(
        [sys.executable, "-m", *gunicorn, "--workers", str(args.workers)],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_server()
        measure(officers, requests=args.requests, database=url.split(":")[0], members=args.members)
    finally:
        server.terminate()
        server.wait()


def create_database(name: str) -> None:
    exists = subprocess.run(
        [
            *("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc"),
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
            check=True,
        )


# --- filling -----------------------------------------------------------------------------------


def fill(members: int, *, postgres: bool) -> dict[str, dict[str, Any]]:
    """The federation and its roster, unless already there; the officers to measure as."""
    from gonghui.people.models import Membership

    if not Membership.objects.exists():
        started = time.perf_counter()
        build_tree()
        tree_done = time.perf_counter()
        write_members(members)
        from django.db import connection

        with connection.cursor() as cursor:  # as the database's own upkeep would leave it
            cursor.execute("VACUUM ANALYZE" if postgres else "PRAGMA wal_checkpoint(TRUNCATE)")
        print(
            f"filled: tree {tree_done - started:.0f} s, {members:,} members"
            f" {time.perf_counter() - tree_done:.0f} s"
        )
    return officers()


def build_tree() -> None:
    from django.db import transaction

    from gonghui.orgs.demo import credit_code
    from gonghui.orgs.models import EmployerUnit, Organisation, path_segment

    rng = random.Random(12)
    with transaction.atomic():
        root = Organisation.objects.create(
            code="R", name="自治区总工会", type="federation", path="new", depth=0
        )
        root.path = path_segment(root.pk)
        root.save(update_fields=["path"])
        cities = _children(root, [("prefecture", f"{i + 1}市总工会") for i in range(15)])
        counties = _children_of(
            cities,
            lambda city: [
                ("county", f"{city.name[:-3]}{j + 1}县总工会") for j in range(rng.randint(6, 14))
            ],
        )

        def grassroots(county: Organisation) -> list[tuple[str, str]]:
            count = max(3, int(rng.lognormvariate(3.6, 0.6)))
            names = [("grassroots", f"{county.name[:-3]}第{k + 1}公司工会") for k in range(count)]
            if county.pk == counties[0].pk:  # one very large union: a big state enterprise
                names.append(("grassroots", "油田公司工会"))
            return names

        unions = _children_of(counties, grassroots)
        EmployerUnit.objects.bulk_create(
            [
                EmployerUnit(
                    name=f"{union.name[:-2]}{'' if k == 0 else k + 1}",
                    credit_code=credit_code(
                        prefix="91", division_code="650102", body=f"{union.pk:06d}{k:02d}"
                    ),
                    organisation=union,
                )
                for union in unions
                for k in range(60 if union.name == "油田公司工会" else rng.randint(1, 3))
            ],
            batch_size=2000,
        )


def _children(parent: Any, specs: list[tuple[str, str]]) -> list[Any]:
    return _children_of([parent], lambda _parent: specs)


def _children_of(parents: list[Any], specs: Any) -> list[Any]:
    from gonghui.orgs.models import Organisation, path_segment

    created = Organisation.objects.bulk_create(
        [
            Organisation(
                code=f"{p.code}-{i + 1}",
                name=name,
                type=org_type,
                parent=p,
                path=f"new-{p.pk}-{i}",
                depth=p.depth + 1,
            )
            for p in parents
            for i, (org_type, name) in enumerate(specs(p))
        ],
        batch_size=2000,
    )
    paths = {p.pk: p.path for p in parents}
    for org in created:
        org.path = paths[org.parent_id] + path_segment(org.pk)
    Organisation.objects.bulk_update(created, ["path"], batch_size=2000)
    return created


def write_members(members: int) -> None:
    """Members spread over the unions (the very large one takes 6 %), written as imports are."""
    from django.db import transaction

    from gonghui.core.validators import identity_check_character
    from gonghui.orgs.models import EmployerUnit, Organisation
    from gonghui.people.identity import Identity
    from gonghui.people.importing.planning import Plan, Units
    from gonghui.people.importing.tuning import bulk_writing
    from gonghui.people.importing.writing import BatchWriter
    from gonghui.people.models import ImportBatch
    from gonghui.people.tabular import MemberRow, row_values, rows_sealer

    rng = random.Random(2026)
    unions = list(Organisation.objects.filter(type="grassroots").order_by("pk"))
    weights = [rng.lognormvariate(0, 1) for _ in unions]
    big = next(i for i, u in enumerate(unions) if u.name == "油田公司工会")
    weights[big] = 0.0
    weights[big] = sum(weights) * 0.06 / 0.94
    shares = [0] * len(unions)
    for index in rng.choices(range(len(unions)), weights=weights, k=members):
        shares[index] += 1
    units_of: dict[int, list[Any]] = {}
    for unit in EmployerUnit.objects.all():
        units_of.setdefault(unit.organisation_id, []).append(unit)
    surnames = list(SURNAMES) + list(RARE_SURNAMES)
    rest = (100 - sum(SURNAMES.values())) / len(RARE_SURNAMES)
    surname_weights = list(accumulate([*SURNAMES.values(), *[rest] * len(RARE_SURNAMES)]))
    used: set[int] = set()
    values, seal = row_values(), rows_sealer()
    today = date.today()

    def row(number: int, units: list[Any]) -> MemberRow:
        while True:
            born = date(1963, 1, 1) + timedelta(days=rng.randrange(40 * 365))
            body = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            if int(body) not in used:
                used.add(int(body))
                break
        if rng.random() < 0.03:
            name = f"{rng.choice(TRANSLITERATED)}·{rng.choice(TRANSLITERATED)}"
        else:
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            name = rng.choices(surnames, cum_weights=surname_weights)[0] + given
        unit = rng.choice(units)
        adult = born + timedelta(days=18 * 366)
        return MemberRow.of(
            number=number,
            identity=Identity(
                body + identity_check_character(body), born, "M" if int(body[16]) % 2 else "F"
            ),
            name=name,
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            joined_on=adult + timedelta(days=rng.randrange(max(1, (today - adult).days))),
            unit_name=unit.name,
            unit_credit_code=unit.credit_code,
            post="钳工",
            skill_level=rng.choice(SKILLS),
            is_frontline=rng.random() < 0.6,
            is_migrant=rng.random() < 0.15,
            is_enterprise_head=rng.random() < 0.02,
        )

    with transaction.atomic(), bulk_writing(expected_rows=members, first=True):
        batch = ImportBatch.objects.create(
            union=unions[0], file_name="bench roster", file_sha256="bench", rows_total=members
        )
        writer = BatchWriter(batch=batch, by=None)
        done = 0
        for union, count in zip(unions, shares, strict=True):
            units = Units(union)
            for start in range(0, count, 5000):
                rows = seal(
                    [
                        values(row(n, units_of[union.pk]))
                        for n in range(start, min(count, start + 5000))
                    ]
                )
                units.load(rows)
                plan = Plan(creates=rows)
                plan.counts["create"] = len(rows)
                writer.write(plan, union=union, units=units)
            done += count
            if done and union.pk % 500 == 0:
                print(f"  {done:,} members written", flush=True)
        writer.finish(rows=members, rejected=0)


def officers() -> dict[str, dict[str, Any]]:
    """An officer of the federation, of the county with the very large union (about 1/15 of
    the members) and of that union; each with a session cookie, a token and pages to ask for."""
    from django.test import Client

    from gonghui.accounts.actions import issue_api_token
    from gonghui.accounts.models import Role, RoleAssignment, User
    from gonghui.orgs.models import Organisation
    from gonghui.people.models import Membership
    from gonghui.people.roster import Cursor

    big = Organisation.objects.get(name="油田公司工会")
    levels = {
        "federation": Organisation.objects.get(depth=0),
        "county": big.parent,
        "grassroots": big,
    }
    found = {}
    for level, org in levels.items():
        user, created = User.objects.get_or_create(
            username=f"bench-{level}", defaults={"organisation": org}
        )
        if created:
            RoleAssignment.objects.create(user=user, organisation=org, role=Role.OFFICER)
        client = Client()
        client.force_login(user)
        member = (
            Membership.objects.filter(union__path__startswith=org.path, status="active")
            .select_related("person")
            .order_by("pk")[1000:1001]
            .get()
        )
        found[level] = {
            "cookie": client.cookies["sessionid"].value,
            "token": issue_api_token(user=user, name="bench").raw,
            "identity": member.person.reveal_identity_number(),
            "middle": Cursor("li3", 0).encode(),  # a page from the middle of the roster
        }
    return found


# --- measuring ---------------------------------------------------------------------------------


PAGES = {
    "orgs page": "/orgs/",
    "home (workbench)": "/",
    "first page": "/members/",
    "next page": "/members/?cursor={next}",
    "middle page": "/members/?cursor={middle}",
    "name search 张": "/members/?q=" + urllib.parse.quote("张"),
    "name search 王秀": "/members/?q=" + urllib.parse.quote("王秀"),
    "pinyin search zh": "/members/?q=zh",
    "filter technician": "/members/?skill_level=technician",
    "filter rare (senior tech., migrant)": "/members/?skill_level=senior_technician&migrant=on",
    "API list": "api:/api/v1/members?limit=50",
    "API next page": "api:/api/v1/members?limit=50&cursor={api_next}",
    "identity number": "/members/?q={identity}",
}


def wait_for_server() -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def fetch(connection: http.client.HTTPConnection, path: str, officer: dict[str, Any]) -> bytes:
    headers = {"Accept-Language": "zh-hans"}
    if path.startswith("api:"):
        path = path[4:]
        headers["Authorization"] = f"Bearer {officer['token']}"
    else:
        headers["Cookie"] = f"sessionid={officer['cookie']}"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return body


def timings(officer: dict[str, Any], *, clients: int, rounds: int) -> dict[str, list[float]]:
    """Each client asks for every page in turn, in its own random order, `rounds` times: the
    pages share whatever else the machine is doing."""
    samples: dict[str, list[float]] = {page: [] for page in PAGES}
    lock = threading.Lock()
    paths = {page: template.format(**officer) for page, template in PAGES.items()}

    def client(seed: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        fetch(connection, paths["orgs page"], officer)  # warm: the connection, the worker
        order, rng, mine = list(paths), random.Random(seed), []
        for _ in range(rounds):
            rng.shuffle(order)
            for page in order:
                started = time.perf_counter()
                fetch(connection, paths[page], officer)
                mine.append((page, (time.perf_counter() - started) * 1000))
        with lock:
            for page, milliseconds in mine:
                samples[page].append(milliseconds)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def measure(
    officers: dict[str, dict[str, Any]], *, requests: int, database: str, members: int
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    for officer in officers.values():
        html = fetch(connection, "/members/", officer).decode()
        found = re.search(r'cursor=([\w-]+)" rel="next"', html)
        officer["next"] = found.group(1) if found else ""
        api = json.loads(fetch(connection, "api:/api/v1/members?limit=50", officer))
        officer["api_next"] = api["next_cursor"] or ""
    results: dict[tuple[str, str, int], tuple[float, float]] = {}
    for clients in (1, 10):
        for level, officer in officers.items():
            rounds = max(2, requests // clients)
            for page, samples in timings(officer, clients=clients, rounds=rounds).items():
                results[(level, page, clients)] = percentiles(samples)
    print(
        f"\n{database}, {members:,} members; p50 / p95 in ms; (ratio) = p95 / p95 of the"
        " organisations page, a full page of 50, of the federation officer"
    )
    print(f"{'page':<38}" + "".join(f"{f'{lv} x{c}':>26}" for c in (1, 10) for lv in officers))
    worst = worst_own = 0.0
    for page in PAGES:
        cells = []
        for clients in (1, 10):
            for level in officers:
                p50, p95 = results[(level, page, clients)]
                ratio = p95 / results[("federation", "orgs page", clients)][1]
                own = p95 / results[(level, "orgs page", clients)][1]
                if page != "orgs page":
                    worst, worst_own = max(worst, ratio), max(worst_own, own)
                cells.append(f"{p50:7.1f} /{p95:7.1f} ({ratio:4.2f})")
        print(f"{page:<38}" + "".join(f"{c:>26}" for c in cells))
    print(f"worst ratio of a roster page: {worst:.2f} (target <= 2.0)")
    print(f"worst ratio to the same officer's organisations page: {worst_own:.2f}")


if __name__ == "__main__":
    main()
