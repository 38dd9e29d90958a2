"""Backups that are proved to restore.

A backup is one tar file: the database (SQLite's online backup, safe while the server runs;
on PostgreSQL `pg_dump` in custom format, from one snapshot), the uploaded files, and
`manifest.json` — the migrations applied, the rows of every table, the audit trail's head and
latest checkpoint, the time, and a SHA-256 of every other member. Never the keys: a backup
restores only where the field and audit keyrings hold the keys it was made with.

`restore` refuses a database that holds any table, checks every checksum before it writes
anything, restores, then compares the rows of every table with the manifest and walks the
audit chain (its head must be the manifest's, and the latest checkpoint must name an event the
chain still holds). `verify` does the same into a scratch database, in a second process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gonghui.core.audit import verify_chain
from gonghui.core.checkpoints import CheckpointLogError, read_checkpoints
from gonghui.core.models import AuditEvent, AuditHead, BackupRecord

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"
MEDIA = "media/"


class BackupError(Exception):
    """The backup cannot be taken or restored; the message says why, in plain words."""


@dataclass
class Report:
    """What a restore found: `whole` when every table and the audit chain match."""

    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    audit_events: int = 0

    @property
    def whole(self) -> bool:
        return not self.problems


def _tables() -> list[str]:
    """Every table of the project's models and Django's own, in a stable order."""
    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    names.add(MigrationRecorder.Migration._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected names
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _audit_head(cursor: Any) -> dict[str, Any]:
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    cursor.execute(f"SELECT last_id, last_hash FROM {table} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return {"last_id": int(row[0]), "last_hash": row[1]} if row else {"last_id": 0, "last_hash": ""}


def _latest_checkpoint() -> dict[str, Any] | None:
    try:
        checkpoints = read_checkpoints()
    except CheckpointLogError:
        return None
    if not checkpoints:
        return None
    last = checkpoints[-1]
    return {"seq": last.seq, "hash": last.hash, "at": last.at}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- taking a backup --------------------------------------------------------------------


@contextmanager
def _snapshot(work: Path) -> Iterator[tuple[str, Path, dict[str, int], dict[str, Any]]]:
    """The database copied into `work` from one consistent state, with that state's counts
    and audit head."""
    tables = _tables()
    if connection.vendor == "sqlite":
        target = work / SQLITE_MEMBER
        connection.ensure_connection()
        source: sqlite3.Connection = connection.connection
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent copy even while others write
            copied = copy.cursor()
            yield SQLITE_MEMBER, target, _counts(copied, tables), _audit_head(copied)
        finally:
            copy.close()
        return
    target = work / POSTGRES_MEMBER
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        counts, head = _counts(cursor, tables), _audit_head(cursor)
        _pg(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        yield POSTGRES_MEMBER, target, counts, head


def _pg(command: list[str], *, database: dict[str, Any] | None = None) -> None:
    """Run a PostgreSQL client program against the database (default: the configured one)."""
    db = database or settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    args = [
        *command,
        f"--host={db.get('HOST') or 'localhost'}",
        f"--port={db.get('PORT') or 5432}",
        f"--username={db.get('USER') or 'postgres'}",
        f"--dbname={db['NAME']}",
    ]
    finished = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[:500]}")


def take_backup(path: Path) -> dict[str, Any]:
    """Write the backup file at `path` (atomically: a partial file never has the name)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        work = Path(scratch)
        with _snapshot(work) as (member, copy, counts, head):
            media = Path(settings.MEDIA_ROOT)
            files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created": timezone.now().isoformat(),
                "engine": connection.vendor,
                "database": member,
                "migrations": sorted(
                    f"{app}.{name}"
                    for app, name in MigrationRecorder(connection).applied_migrations()
                ),
                "tables": counts,
                "audit": head,
                "checkpoint": _latest_checkpoint(),
                "sha256": {member: _sha256(copy)},
            }
            partial = path.with_name(path.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                archive.add(copy, arcname=member)
                for file in files:
                    name = MEDIA + file.relative_to(media).as_posix()
                    manifest["sha256"][name] = _sha256(file)
                    archive.add(file, arcname=name)
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
            os.replace(partial, path)
    return manifest


# ---- restoring ----------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("this is not a gonghui backup: it has no manifest") from None
    if member is None:
        raise BackupError("this is not a gonghui backup: its manifest is not a file")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"this backup is of format {manifest.get('format')}, not {FORMAT}")
    return manifest


def _unpack(path: Path, into: Path) -> dict[str, Any]:
    """Every member extracted and checked against the manifest's checksums."""
    try:
        with tarfile.open(path, "r") as archive:
            manifest = _read_manifest(archive)
            archive.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(f"the backup file is damaged or incomplete ({error})") from None
    for name, expected in manifest["sha256"].items():
        member = into / name
        if not member.is_file() or _sha256(member) != expected:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum")
    return manifest


def _empty() -> bool:
    return not connection.introspection.table_names()


def restore_backup(path: Path) -> Report:
    """Restore into the configured database, which must hold no table; then check it."""
    if not _empty():
        raise BackupError(
            "the database is not empty: restore only into a new, empty database "
            "(point GONGHUI_DATABASE_URL at one)"
        )
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        manifest = _unpack(Path(path), work)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"this backup is of a {manifest['engine']} database; "
                f"this one is {connection.vendor}"
            )
        if connection.vendor == "sqlite":
            connection.close()
            shutil.copyfile(work / manifest["database"], settings.DATABASES["default"]["NAME"])
        else:
            _pg(["pg_restore", "--no-owner", "--exit-on-error", str(work / manifest["database"])])
        media_source = work / MEDIA
        if media_source.exists():
            shutil.copytree(media_source, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return check_restored(manifest)


def check_restored(manifest: dict[str, Any]) -> Report:
    """The restored database against the manifest: rows of every table, and the audit chain."""
    report = Report()
    with connection.cursor() as cursor:
        counts = _counts(cursor, sorted(manifest["tables"]))
        head = _audit_head(cursor)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"{table}: {counts.get(table)} rows, the backup had {expected}")
    report.tables, report.rows = len(counts), sum(counts.values())
    if head != manifest["audit"]:
        report.problems.append("the audit trail's head is not the one the backup recorded")
    chain = verify_chain()
    report.audit_events = chain.checked
    if not chain.intact:
        hint = (
            " (or GONGHUI_AUDIT_KEYS here lacks a key of the installation backed up)"
            if chain.first_bad_id == 1
            else ""
        )
        report.problems.append(f"the audit trail is broken: {chain.reason}{hint}")
    checkpoint = manifest.get("checkpoint")
    if checkpoint and checkpoint["seq"] <= head["last_id"]:
        kept = AuditEvent.objects.filter(id=checkpoint["seq"]).values_list("hash", flat=True)
        if list(kept) != [checkpoint["hash"]]:
            report.problems.append(
                f"the audit trail does not hold checkpoint #{checkpoint['seq']} of {checkpoint['at']}"
            )
    return report


def verify_backup(path: Path) -> tuple[bool, str]:
    """Restore into a scratch database in a second process and check it (the drill)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if k != "GONGHUI_DATABASE_URL"}
        env["GONGHUI_MEDIA_ROOT"] = str(Path(scratch) / "media")
        env["GONGHUI_AUDIT_CHECKPOINTS"] = str(Path(scratch) / "checkpoints.log")
        if connection.vendor == "sqlite":
            env["GONGHUI_DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'verify.sqlite3'}"
            return _restore_in(env, path)
        db = settings.DATABASES["default"]
        name = f"gonghui_verify_{os.getpid()}"
        admin = {**db, "NAME": "postgres"}
        _pg(["psql", "-q", "-c", f'CREATE DATABASE "{name}"'], database=admin)
        try:
            env["GONGHUI_DATABASE_URL"] = (
                f"postgres://{db.get('USER') or 'postgres'}:{db.get('PASSWORD') or ''}"
                f"@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{name}"
            )
            return _restore_in(env, path)
        finally:
            _pg(["psql", "-q", "-c", f'DROP DATABASE IF EXISTS "{name}"'], database=admin)


def _restore_in(env: dict[str, str], path: Path) -> tuple[bool, str]:
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gonghui.cli", "restore", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    return finished.returncode == 0, (finished.stdout + finished.stderr).strip()


# ---- the worker's nightly backup ------------------------------------------------------------


def nightly_backup() -> BackupRecord | None:
    """Once a day after GONGHUI_BACKUP_HOUR: a backup into GONGHUI_BACKUP_DIR, its drill, and
    the oldest beyond GONGHUI_BACKUP_KEEP deleted. None when not due (or not configured)."""
    folder = settings.BACKUP_DIR
    now = timezone.localtime()
    if not folder or now.hour < settings.BACKUP_HOUR:
        return None
    record, created = BackupRecord.objects.get_or_create(
        day=now.date(), defaults={"started_at": timezone.now()}
    )
    if not created:  # taken today already, by this worker or another
        return None
    path = Path(folder) / f"gonghui-{now:%Y-%m-%d-%H%M}.tar"
    try:
        take_backup(path)
        whole, said = verify_backup(path)
        record.path, record.size, record.verified = str(path), path.stat().st_size, whole
        record.message = said[-2000:]
    except Exception as error:  # a failed backup is told on the workbench, not lost in a log
        record.message = f"{type(error).__name__}: {error}"[:2000]
    record.save()
    _keep_newest(Path(folder), settings.BACKUP_KEEP)
    return record


def _keep_newest(folder: Path, keep: int) -> None:
    backups = sorted(folder.glob("gonghui-*.tar"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in backups[keep:]:
        old.unlink(missing_ok=True)


def backup_problem() -> str | None:
    """What is wrong with the nightly backups, when they are configured: none lately, or the
    latest did not restore whole."""
    if not settings.BACKUP_DIR:
        return None
    latest = BackupRecord.objects.order_by("-day").first()
    if latest is None or timezone.localdate() - latest.day > timedelta(days=1):
        return "no backup in the last day"
    if not latest.verified:
        return f"the backup of {latest.day} did not restore whole"
    return None
