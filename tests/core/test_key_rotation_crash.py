"""`rotate_keys` killed with SIGKILL half-way, then run again: every value opens with the new
key alone, each once sealed, and every person is found by identity number."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_backup import _gonghui, _roster

ROOT = Path(__file__).resolve().parents[2]
OLD = "the old field key which is long enough to be a real one: 0123456789"
NEW = "the new field key which is long enough to be a real one: 9876543210"
ROWS = 20_000

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("subprocess")]


def _env(folder: Path, **keys: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        GONGHUI_VAR_DIR=str(folder),
        GONGHUI_MEDIA_ROOT=str(folder / "media"),
        **keys,
    )
    return env


def _reveal(env: dict[str, str]) -> list[str]:
    """Every person's identity number, opened with the keys of `env`."""
    script = (
        "from gonghui.people.models import Person; "
        "print('\\n'.join('ID ' + p.reveal_identity_number() for p in Person.objects.all()))"
    )
    done = _gonghui(env, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    return sorted(line[3:] for line in done.stdout.splitlines() if line.startswith("ID "))


def _sealed_with(db: Path, prefix: str) -> int:
    with sqlite3.connect(db) as connection:
        query = "SELECT COUNT(*) FROM people_person WHERE identity_sealed LIKE ?"
        return int(connection.execute(query, [prefix + "%"]).fetchone()[0])


def test_a_rotation_killed_half_way_goes_on_where_it_stopped(tmp_path: Path) -> None:
    old = _env(tmp_path, GONGHUI_FIELD_KEY=OLD)
    assert _gonghui(old, "migrate", "-v", "0").returncode == 0
    assert _gonghui(old, "demo", "--members", "0", "--grassroots-per-county", "1").returncode == 0
    roster = _roster(tmp_path / "roster.csv", ROWS)
    imported = _gonghui(old, "import_members", str(roster), "--union", "650102-G001")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    numbers = sorted(_reveal(old))
    assert len(numbers) >= ROWS

    both = _env(tmp_path, GONGHUI_FIELD_KEYS=f"{NEW},{OLD}")
    rotating = subprocess.Popen(
        [sys.executable, "-m", "gonghui.cli", "rotate_keys", "--batch", "100"],
        cwd=ROOT,
        env=both,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert rotating.stdout is not None
    for line in rotating.stdout:
        if line.startswith("people.person: ") and int(line.split()[1].replace(",", "")) >= 3000:
            break
    os.kill(rotating.pid, signal.SIGKILL)
    rotating.wait(timeout=60)
    db = tmp_path / "db.sqlite3"
    asked = _gonghui(
        both, "shell", "-c", "from gonghui.core import crypto; print(crypto.token_prefix())"
    )
    prefix = asked.stdout.split()[-1]
    half_way = _sealed_with(db, prefix)
    assert 3000 <= half_way < len(numbers), half_way

    again = _gonghui(both, "rotate_keys", "--batch", "500")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _sealed_with(db, prefix) == len(numbers)
    assert f"{len(numbers) - half_way:,} rows sealed again" in again.stdout, again.stdout

    new = _env(tmp_path, GONGHUI_FIELD_KEY=NEW)  # the old key is gone
    assert sorted(_reveal(new)) == numbers  # each opens with the new key, once sealed
    listed = tmp_path / "numbers.txt"
    listed.write_text("\n".join(numbers))
    found = _gonghui(
        new,
        "shell",
        "-c",
        "from gonghui.people.actions import identity_digests; "
        "from gonghui.people.models import Person; "
        f"numbers = open({str(listed)!r}).read().split(); "
        "print(sum(Person.objects.filter(identity_hash__in=identity_digests(n)).count() == 1 "
        "for n in numbers))",
    )
    assert found.stdout.split()[-1:] == [str(len(numbers))], found.stdout + found.stderr
    checked = _gonghui(new, "rotate_keys", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = _gonghui(new, "audit_verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
