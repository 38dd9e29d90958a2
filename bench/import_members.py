"""Roster import speed and memory against a floor measured in the same run.

  floor    read the .xlsx with python-calamine, insert the file's employer units (unique credit
           code) and then the rows, each with its unit's id, with one raw `executemany` each
           into bare tables of the same columns (unique identity number, union index);
  gonghui  `gonghui import_members` of the same file: validation, de-duplication, keyed
           hashes, encryption, memberships, batch records and audit included.

The file is a real roster's shape: its rows name a few hundred employer units (工作单位 and
单位统一社会信用代码, a few large ones and many small), and its identity numbers come in no
order. Each runs in its own process on a fresh database; the script prints wall time, rows per
second, peak memory (max RSS of that process) and the ratio gonghui / floor, median of
--repeat runs taken in turn. Run:

    .venv/bin/python bench/import_members.py --rows 100000 [--repeat 3] [--postgres]

Targets (issue 3): ratio <= 2.0 on SQLite and PostgreSQL; peak memory under 500 MB and not
growing with the file (compare --rows 100000 with --rows 1000000).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "姓名",
    "公民身份号码",
    "手机号码",
    "入会日期",
    "工作单位",
    "单位统一社会信用代码",
    "岗位",
    "技能等级",
    "一线职工",
    "农民工",
    "企业负责人",
]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
UNION = "B-G1"
UNITS = 300


def identity(serial: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=serial // 1000)
    body = f"650102{born:%Y%m%d}{serial % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def employer_units(rng: random.Random) -> list[tuple[str, str]]:
    """A few hundred employers (name, credit code with a right check character)."""
    from gonghui.core.validators import credit_code_check_character

    units = []
    for n in range(UNITS):
        first17 = f"91650102{rng.randrange(10**9):09d}"
        kind = rng.choice(["建筑工程", "煤业", "石化", "纺织", "物流", "商贸", "机械制造", "电力"])
        units.append(
            (f"新疆{n + 1:03d}{kind}有限公司", first17 + credit_code_check_character(first17))
        )
    return units


def generate(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    rng = random.Random(rows)
    units = employer_units(rng)
    unit_weights = [rng.lognormvariate(0, 1.5) for _ in units]  # a few large, many small
    serials = list(range(rows))
    rng.shuffle(serials)  # identity numbers in no order, as a real roster has them
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚",
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(HEADERS)
    for serial, (unit_name, credit_code) in zip(
        serials, rng.choices(units, unit_weights, k=rows), strict=True
    ):
        sheet.append(
            [
                rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                identity(serial),
                f"13{rng.randrange(10**9):09d}",
                date(2000, 1, 1) + timedelta(days=rng.randrange(9000)),
                unit_name,
                credit_code,
                "钳工",
                "技师",
                "是",
                "否",
                "否",
            ]
        )
    book.save(path)


FLOOR = r"""
import sqlite3, sys, time
from python_calamine import CalamineWorkbook
path, url = sys.argv[1], sys.argv[2]
rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[1:]
units = list({r[5]: r[4] for r in rows}.items())  # credit code -> the name it first comes with
unit_ddl = ("CREATE TABLE floor_unit (id {serial} PRIMARY KEY, credit_code varchar(18) UNIQUE, "
            "name varchar(128))")
ddl = ("CREATE TABLE floor_member (id {serial} PRIMARY KEY, name varchar(64), identity_number varchar(18) UNIQUE, "
       "phone varchar(11), joined_on varchar(10), unit_id integer, post varchar(64), skill varchar(20), "
       "frontline boolean, migrant boolean, head boolean, union_code varchar(32))")
insert_unit = "INSERT INTO floor_unit (credit_code, name) VALUES ({x}, {x})"
insert = ("INSERT INTO floor_member (name, identity_number, phone, joined_on, unit_id, post, skill, frontline, migrant, "
          "head, union_code) VALUES ({p})".format(p=", ".join(["{x}"] * 11)))

def members(unit_ids):
    return [(r[0], r[1], r[2], str(r[3]), unit_ids[r[5]], r[6], r[7], r[8] == "是", r[9] == "是", r[10] == "是", "B-G1")
            for r in rows]

if url.startswith("sqlite"):
    db = sqlite3.connect(url[len("sqlite:///"):])
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
    db.execute(unit_ddl.format(serial="INTEGER")); db.execute(ddl.format(serial="INTEGER"))
    db.execute("CREATE INDEX floor_union ON floor_member (union_code)")
    db.executemany(insert_unit.replace("{x}", "?"), units)
    unit_ids = dict(db.execute("SELECT credit_code, id FROM floor_unit"))
    values = members(unit_ids)
    db.executemany(insert.replace("{x}", "?"), values); db.commit()
else:
    import psycopg
    with psycopg.connect(url) as db:
        db.execute(unit_ddl.format(serial="BIGSERIAL")); db.execute(ddl.format(serial="BIGSERIAL"))
        db.execute("CREATE INDEX floor_union ON floor_member (union_code)")
        with db.cursor() as cursor:
            cursor.executemany(insert_unit.replace("{x}", "%s"), units)
            unit_ids = dict(cursor.execute("SELECT credit_code, id FROM floor_unit").fetchall())
            values = members(unit_ids)
            cursor.executemany(insert.replace("{x}", "%s"), values)
print(len(values))
"""


def run(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"{command[:4]} failed:\n{output[-2000:]}")
    return seconds, usage.ru_maxrss // 1024, output


def psql(statement: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", statement], check=True)


def drop_database(url: str) -> None:
    """The run's database removed (a million-row one takes over half a gigabyte)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    psql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")


def fresh_database(work: Path, postgres: bool, n: int) -> str:
    if not postgres:
        path = work / f"bench-{n}-{time.monotonic_ns()}.sqlite3"
        return f"sqlite:///{path}"
    name = f"gonghui_bench_{os.getpid()}_{n}"
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", help="folder to keep the generated file in between runs")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="gonghui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"roster-units-{args.rows}.xlsx"
    if not source.exists():
        started = time.perf_counter()
        generate(source, args.rows)
        print(
            f"generated {source.name}: {args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s"
        )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    base_env["GONGHUI_VAR_DIR"] = str(work)
    floors, ours, floor_rss, our_rss = [], [], [], []
    for n in range(args.repeat):
        url = fresh_database(work, args.postgres, n)
        seconds, rss, _out = run([sys.executable, "-c", FLOOR, str(source), url], base_env)
        drop_database(url)
        floors.append(seconds)
        floor_rss.append(rss)
        url = fresh_database(work, args.postgres, n + 100)
        env = {**base_env, "GONGHUI_DATABASE_URL": url}
        setup = (
            "from gonghui.orgs.actions import create_organisation as c; "
            f"r = c(by=None, code='B', name='总工会', org_type='federation', parent=None); "
            f"c(by=None, code='{UNION}', name='基层工会', org_type='grassroots', parent=r)"
        )
        for command in (["migrate", "-v", "0"], ["shell", "-c", setup]):
            run([sys.executable, "-m", "gonghui.cli", *command], env)
        seconds, rss, out = run(
            [sys.executable, "-m", "gonghui.cli", "import_members", str(source), "--union", UNION],
            env,
        )
        drop_database(url)
        ours.append(seconds)
        our_rss.append(rss)
        print(
            f"run {n + 1}: floor {floors[-1]:.1f} s ({floor_rss[-1]} MB), gonghui {ours[-1]:.1f} s ({our_rss[-1]} MB): {out.strip().splitlines()[-1]}"
        )
    floor, ours_median = statistics.median(floors), statistics.median(ours)
    ratios = [o / f for o, f in zip(ours, floors, strict=True)]
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{db}, {args.rows:,} rows (median of {args.repeat}):")
    print(f"  floor    {floor:8.1f} s  {args.rows / floor:10,.0f} rows/s  peak {max(floor_rss)} MB")
    print(
        f"  gonghui  {ours_median:8.1f} s  {args.rows / ours_median:10,.0f} rows/s  peak {max(our_rss)} MB"
    )
    print(
        f"  ratio gonghui/floor: {statistics.median(ratios):.2f}  [{min(ratios):.2f}–{max(ratios):.2f}]"
    )


if __name__ == "__main__":
    main()
