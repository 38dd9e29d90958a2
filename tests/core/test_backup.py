"""Backups that restore: taken while an import writes, restored whole, refused when damaged.

Each step runs as an operator runs it, `gonghui …` in a process of its own, on an installation
in a temporary folder (its own SQLite database and keys)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("subprocess")]


def _env(folder: Path, database: str = "db.sqlite3") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATABASE_URL=f"sqlite:///{folder / database}",
        GONGHUI_VAR_DIR=str(folder),  # the development keys live here
        GONGHUI_MEDIA_ROOT=str(folder / f"media-{database}"),
    )
    return env


def _gonghui(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonghui.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _roster(path: Path, rows: int) -> Path:
    """Members with distinct identity numbers: 900 serials for each birth day."""
    from datetime import date, timedelta

    from tests.people.test_import import cname, good_rows, ident, write_csv

    template = good_rows(1)[0]
    body = []
    for n in range(rows):
        born = (date(1970, 1, 1) + timedelta(days=n // 900)).strftime("%Y%m%d")
        body.append([cname(n + 1), ident(100 + n % 900, born), "", *template[3:]])
    return write_csv(path, body)


def _reveal(env: dict[str, str]) -> list[str]:
    script = (
        "from gonghui.people.models import Person; "
        "print('\\n'.join(sorted(p.reveal_identity_number() for p in Person.objects.all())))"
    )
    done = _gonghui(env, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_backup_restores_whole_and_damage_is_refused(tmp_path: Path) -> None:
    here = _env(tmp_path)
    assert _gonghui(here, "migrate", "-v", "0").returncode == 0
    assert (
        _gonghui(here, "demo", "--members", "300", "--grassroots-per-county", "1").returncode == 0
    )
    backup = tmp_path / "backup.tar"
    taken = _gonghui(here, "backup", str(backup))
    assert taken.returncode == 0, taken.stderr
    assert "backup written" in taken.stdout

    elsewhere = _env(tmp_path, "restored.sqlite3")  # the same keys, an empty database
    restored = _gonghui(elsewhere, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restore whole" in restored.stdout and "audit trail intact" in restored.stdout
    assert _reveal(elsewhere) == _reveal(here) and len(_reveal(here)) >= 300

    again = _gonghui(elsewhere, "restore", str(backup))
    assert again.returncode == 2 and "not empty" in again.stderr
    cut = tmp_path / "cut.tar"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    refused = _gonghui(_env(tmp_path, "other.sqlite3"), "restore", str(cut))
    assert refused.returncode == 2 and "damaged or incomplete" in refused.stderr
    altered = tmp_path / "altered.tar"
    data = bytearray(backup.read_bytes())
    data[len(data) // 3] ^= 0xFF
    altered.write_bytes(bytes(data))
    refused = _gonghui(_env(tmp_path, "third.sqlite3"), "restore", str(altered))
    assert refused.returncode == 2 and "damaged" in refused.stderr


def test_a_backup_taken_while_an_import_writes_restores_whole(tmp_path: Path) -> None:
    here = _env(tmp_path)
    assert _gonghui(here, "migrate", "-v", "0").returncode == 0
    assert _gonghui(here, "demo", "--members", "0", "--grassroots-per-county", "1").returncode == 0
    roster = _roster(tmp_path / "roster.csv", 30_000)
    importing = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gonghui.cli",
            "import_members",
            str(roster),
            "--union",
            "650102-G001",
        ],
        cwd=ROOT,
        env=here,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    backups, during = [], 0
    while True:
        running = importing.poll() is None
        backup = tmp_path / f"backup-{len(backups)}.tar"
        assert _gonghui(here, "backup", str(backup)).returncode == 0
        backups.append(backup)
        during += running
        if not running:
            break
        time.sleep(0.2)
    assert importing.returncode == 0 and during >= 1
    for backup in (backups[0], backups[-1]):
        checked = _gonghui(here, "backup", "--verify", str(backup))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "restore whole" in checked.stdout


def test_the_worker_takes_one_nightly_backup_and_a_failure_waits_on_the_workbench(
    tmp_path: Path,
) -> None:
    """In-process: the nightly round, once a day, its drill, and what the workbench says."""
    here = _env(tmp_path)
    here["GONGHUI_BACKUP_DIR"] = str(tmp_path / "nightly")
    here["GONGHUI_BACKUP_HOUR"] = "0"
    assert _gonghui(here, "migrate", "-v", "0").returncode == 0
    assert _gonghui(here, "demo", "--members", "50", "--grassroots-per-county", "1").returncode == 0
    script = (
        "from gonghui.core.backup import nightly_backup, backup_problem\n"
        "first = nightly_backup(); second = nightly_backup()\n"
        "print(first.verified, second is None, backup_problem())\n"
        "from gonghui.core.models import BackupRecord\n"
        "BackupRecord.objects.update(verified=False)\n"
        "from gonghui.accounts.models import User\n"
        "from gonghui.core import workbench\n"
        "print([str(t.text) for t in workbench.todos_for(User.objects.get(username='security'))])\n"
    )
    done = _gonghui(here, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    first_line, todos = done.stdout.strip().splitlines()[-2:]
    assert first_line == "True True None"
    assert "did not restore whole" in todos
    assert len(list((tmp_path / "nightly").glob("gonghui-*.tar"))) == 1
