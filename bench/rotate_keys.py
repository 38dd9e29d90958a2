"""Key rotation speed against a floor measured in the same run.

  floor    read every person's sealed identity number and mobile with sqlite3, open each with
           AES-GCM under the old key, seal it under the new one, make its keyed hash, and write
           the four columns back with one `executemany` per thousand rows, each in a
           transaction of its own;
  gonghui  `gonghui rotate_keys` on a copy of the same database: the same work, with each
           batch's rows locked, progress printed and the rotation audited.

The database is a real roster's shape (see import_members.py: units, identity numbers in no
order), imported by gonghui under the old key once, then copied for each run. Prints wall
time, rows per second and the ratio gonghui / floor, median of --repeat runs taken in turn.

    .venv/bin/python bench/rotate_keys.py --rows 100000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_members import UNION, generate, run

OLD = "bench-old-field-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW = "bench-new-field-key-9876543210-zyxwvutsrqponmlkjihgfedcba"

FLOOR = r"""
import base64, hashlib, hmac, os, sqlite3, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
path, old, new = sys.argv[1:4]
def derive(secret, purpose):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())
opening = AESGCM(derive(old, b"gonghui field encryption v1"))
sealing = AESGCM(derive(new, b"gonghui field encryption v1"))
index_key = derive(new, b"gonghui blind index v1")
key_id = hmac.new(new.encode(), b"gonghui key id", "sha256").hexdigest()[:8]
def reopen(token, field):
    if not token:
        return "", ""
    raw = base64.urlsafe_b64decode(token.partition("$")[2])
    clear = opening.decrypt(raw[:12], raw[12:], field.encode())
    nonce = os.urandom(12)
    sealed = base64.urlsafe_b64encode(nonce + sealing.encrypt(nonce, clear, field.encode())).decode()
    digest = hmac.new(index_key, field.encode() + b":" + clear, hashlib.sha256).hexdigest()[:32]
    return f"1.{key_id}${sealed}", digest
db = sqlite3.connect(path, isolation_level=None)
last = 0
while True:
    rows = db.execute("SELECT id, identity_sealed, phone_sealed FROM people_person WHERE id > ? "
                      "ORDER BY id LIMIT 1000", [last]).fetchall()
    if not rows:
        break
    updates = []
    for pk, identity, phone in rows:
        identity_sealed, identity_hash = reopen(identity, "identity_number")
        phone_sealed, phone_hash = reopen(phone, "phone")
        updates.append((identity_sealed, identity_hash, phone_sealed, phone_hash, pk))
    db.execute("BEGIN IMMEDIATE")
    db.executemany("UPDATE people_person SET identity_sealed = ?, identity_hash = ?, "
                   "phone_sealed = ?, phone_hash = ? WHERE id = ?", updates)
    db.execute("COMMIT")
    last = rows[-1][0]
"""


def prepare(work: Path, rows: int, env: dict[str, str]) -> Path:
    """A database holding the roster, sealed with the old key."""
    source = work / f"roster-units-{rows}.xlsx"
    if not source.exists():
        generate(source, rows)
    template = work / f"rotate-{rows}.sqlite3"
    if template.exists():
        return template
    env = {**env, "GONGHUI_DATABASE_URL": f"sqlite:///{template}", "GONGHUI_FIELD_KEY": OLD}
    setup = (
        "from gonghui.orgs.actions import create_organisation as c; "
        "r = c(by=None, code='B', name='总工会', org_type='federation', parent=None); "
        f"c(by=None, code='{UNION}', name='基层工会', org_type='grassroots', parent=r)"
    )
    for command in (["migrate", "-v", "0"], ["shell", "-c", setup]):
        run([sys.executable, "-m", "gonghui.cli", *command], env)
    run([sys.executable, "-m", "gonghui.cli", "import_members", str(source), "--union", UNION], env)
    with sqlite3.connect(template) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template


def copy(template: Path, target: Path) -> Path:
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="folder to keep the roster and its database in")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="gonghui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    base_env["GONGHUI_VAR_DIR"] = str(work)
    template = prepare(work, args.rows, base_env)
    floors, ours = [], []
    for n in range(args.repeat):
        target = copy(template, work / "floor.sqlite3")
        seconds, _rss, _out = run([sys.executable, "-c", FLOOR, str(target), OLD, NEW], base_env)
        floors.append(seconds)
        target = copy(template, work / "gonghui.sqlite3")
        env = {
            **base_env,
            "GONGHUI_DATABASE_URL": f"sqlite:///{target}",
            "GONGHUI_FIELD_KEYS": f"{NEW},{OLD}",
        }
        seconds, _rss, out = run([sys.executable, "-m", "gonghui.cli", "rotate_keys"], env)
        ours.append(seconds)
        said = [line for line in out.splitlines() if "sealed again" in line]
        print(f"run {n + 1}: floor {floors[-1]:.1f} s, gonghui {ours[-1]:.1f} s ({said[0]})")
    floor, median = statistics.median(floors), statistics.median(ours)
    ratios = [o / f for o, f in zip(ours, floors, strict=True)]
    print(f"\nSQLite, {args.rows:,} people (median of {args.repeat}):")
    print(f"  floor    {floor:8.1f} s  {args.rows / floor:10,.0f} rows/s")
    print(f"  gonghui  {median:8.1f} s  {args.rows / median:10,.0f} rows/s")
    print(
        f"  ratio gonghui/floor: {statistics.median(ratios):.2f}  [{min(ratios):.2f}–{max(ratios):.2f}]"
    )


if __name__ == "__main__":
    main()
