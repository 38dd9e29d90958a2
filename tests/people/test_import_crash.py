"""An import killed with SIGKILL half-way, then run again: nothing of it stays, and the rerun
writes every row once."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from gonghui.people.importing.checking import CHUNK
from gonghui.people.importing.pipeline import PARALLEL_FROM_BYTES
from tests.people.test_import import HEADERS, cname, ident

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4 * CHUNK + 1000


def _gonghui(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen[str]:
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, **kwargs}
    return subprocess.Popen(
        [sys.executable, "-m", "gonghui.cli", *args], cwd=ROOT, env=env, text=True, **options
    )


def _scalar(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(sql).fetchone()[0])


@pytest.mark.slow
@pytest.mark.xdist_group("subprocess")
def test_killed_import_leaves_nothing_and_a_rerun_writes_every_row_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(GONGHUI_DATABASE_URL=f"sqlite:///{db}", GONGHUI_VAR_DIR=str(tmp_path))
    for args in (
        ("migrate", "-v", "0"),
        ("demo", "--grassroots-per-county", "1", "--members", "0"),
    ):
        process = _gonghui(env, *args)
        assert process.wait(timeout=300) == 0, process.stdout.read() if process.stdout else ""
    # the demo's contests record their competitors and judges as people (non-members)
    before = _scalar(db, "SELECT COUNT(*) FROM people_person")
    events = _scalar(db, "SELECT COUNT(*) FROM core_auditevent")
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(1, ROWS + 1):
            born = (date(1960, 1, 1) + timedelta(days=i // 1000)).strftime("%Y%m%d")
            writer.writerow(
                [cname(i), ident(i % 1000, born=born), "", "2020-05-01", "", "", "", "", "", "", ""]
            )
    # big enough to be read in a child process while this one writes: both are killed
    assert roster.stat().st_size >= PARALLEL_FROM_BYTES
    union = "650102-G001"
    process = _gonghui(
        env, "import_members", str(roster), "--union", union, "-v", "2", stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    # killed once it has written two chunks into its transaction (-v 2 says so on stderr)
    for line in process.stderr:
        if line.startswith(f"写入 {2 * CHUNK:,}"):
            break
    else:
        pytest.fail(process.stdout.read() if process.stdout else "no progress")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _scalar(db, "SELECT COUNT(*) FROM people_person") == before
    assert _scalar(db, "SELECT COUNT(*) FROM people_membership WHERE status = 'active'") == 0
    assert _scalar(db, "SELECT COUNT(*) FROM people_importbatch") == 0
    assert _scalar(db, "SELECT COUNT(*) FROM core_auditevent") == events

    rerun = _gonghui(env, "import_members", str(roster), "--union", union)
    output = rerun.communicate(timeout=300)[0]
    assert rerun.returncode == 0, output
    assert f"新增人员 {ROWS:,}" in output
    assert _scalar(db, "SELECT COUNT(*) FROM people_person") == before + ROWS
    assert _scalar(db, "SELECT COUNT(DISTINCT identity_hash) FROM people_person") == before + ROWS
    assert _scalar(db, "SELECT COUNT(*) FROM people_membership WHERE status = 'active'") == ROWS
    assert _scalar(db, "SELECT COUNT(*) FROM people_importbatch WHERE status = 'done'") == 1
    again = _gonghui(env, "import_members", str(roster), "--union", union)
    assert f"未变 {ROWS:,}" in again.communicate(timeout=300)[0]
    verify = _gonghui(env, "audit_verify")
    assert verify.wait(timeout=120) == 0, verify.stdout.read() if verify.stdout else ""
