"""Importing a roster: read → check → plan → apply, all-or-nothing by default, in batches.

Pass one reads the file once, checks every row (against the file itself and the database)
and spools the good rows, sealed with a key that lives only in this process, to an
anonymous temporary file. Nothing is written unless the file is clean (or `skip_invalid`).
Pass two applies the spooled rows chunk by chunk, each chunk one transaction that re-checks
its rows against the database: a process killed half-way leaves whole chunks, which the next
run finds unchanged, so running it again completes the import without duplicates.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.crypto import encrypt, sealer
from gonghui.core.personal import mask_identity_number, mask_phone
from gonghui.core.tabular import RowError, open_table
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.people.actions import check_member_union
from gonghui.people.models import (
    BatchStatus,
    ImportBatch,
    ImportRevision,
    Membership,
    MembershipStatus,
    Person,
)
from gonghui.people.tabular import MEMBER_SPEC, MemberRow, MemberRowChecker

CHUNK = 5000
# what a row did -> the batch's counter of it
BATCH_COUNTERS = {
    "create": "created",
    "join": "joined",
    "update": "updated",
    "transfer": "transferred",
    "unchanged": "unchanged",
    "rejected": "rejected",
}
# Person fields an import may change on someone already registered, by the column that sets them.
UPDATABLE = {
    "name": ("name", "name_key"),
    "phone": ("phone_hash", "phone_sealed", "phone_masked"),
    "post": ("post",),
    "skill_level": ("skill_level",),
    "is_frontline": ("is_frontline",),
    "is_migrant": ("is_migrant",),
    "is_enterprise_head": ("is_enterprise_head",),
}
# what a revision keeps to put a person back: every field an import may change
RESTORABLE = (*(name for names in UPDATABLE.values() for name in names), "unit_id")


@dataclass
class ImportReport:
    rows: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None
    written: bool = False

    @property
    def clean(self) -> bool:
        return not self.errors


class _Spool:
    """Good rows between the passes: marshalled, sealed with a key that never leaves memory."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="gonghui-import-")  # noqa: SIM115
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))

    def write(self, rows: list[MemberRow]) -> None:
        nonce = os.urandom(12)
        frame = nonce + self._aead.encrypt(nonce, marshal.dumps([r.dump() for r in rows]), None)
        self._file.write(struct.pack(">I", len(frame)) + frame)

    def __iter__(self) -> Iterator[list[MemberRow]]:
        self._file.seek(0)
        while header := self._file.read(4):
            frame = self._file.read(struct.unpack(">I", header)[0])
            # our own frames, authenticated by the process-only key: nothing else can be in them
            values = marshal.loads(self._aead.decrypt(frame[:12], frame[12:], None))  # noqa: S302
            yield [MemberRow.load(v) for v in values]

    def close(self) -> None:
        self._file.close()


class FirstRows:
    """The row on which each person first appears in a file, in a few dozen bytes a row.

    A dict of a million digests costs over a hundred megabytes; this is an open-addressing
    table of 64-bit digest prefixes (a chance collision in a million rows is about 1 in 30
    million) with the row numbers beside them, doubled when half full.
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._rows = array("I", bytes(4 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def first(self, key: int, row: int) -> int:
        """The first row with this key; `row` if it is new (and remembered)."""
        key = key or 1  # 0 marks an empty slot
        keys, mask = self._keys, self._mask
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                return int(self._rows[slot])
            if not found:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self._rows[slot] = row
        self._used += 1
        if self._used * 2 > mask:
            self._grow()
        return row

    def _grow(self) -> None:
        old = zip(self._keys, self._rows, strict=True)
        capacity = 2 * (self._mask + 1)
        self._keys = array("Q", bytes(8 * capacity))
        self._rows = array("I", bytes(4 * capacity))
        self._mask = capacity - 1
        keys, rows, mask = self._keys, self._rows, self._mask
        for key, row in old:
            if key:
                slot = key & mask
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot], rows[slot] = key, row


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Existing:
    people: dict[str, Person]
    current: dict[int, Membership]


def _ids_by_digest(cursor: Any, digests: list[str]) -> dict[str, int]:
    """The ids of the people with these identity digests, in plain queries: on a fresh roster
    it finds nobody, and the ORM's per-parameter work would cost more than the search."""
    table = Person._meta.db_table
    if cursor.db.vendor == "postgresql":  # one array parameter, not thousands
        cursor.execute(
            f"SELECT identity_hash, id FROM {table} WHERE identity_hash = ANY(%s)",  # noqa: S608 - fixed names
            [digests],
        )
        return dict(cursor.fetchall())
    found: dict[str, int] = {}
    for start in range(0, len(digests), 900):  # under SQLite's old 999-parameter default
        part = digests[start : start + 900]
        cursor.execute(
            f"SELECT identity_hash, id FROM {table} WHERE identity_hash IN ({', '.join(['%s'] * len(part))})",  # noqa: S608 - fixed names
            part,
        )
        found.update(cursor.fetchall())
    return found


def _existing(digests: list[str]) -> _Existing:
    """The people among these identity digests who are registered already, and their memberships."""
    with transaction.get_connection().cursor() as cursor:
        ids = list(_ids_by_digest(cursor, digests).values())
    if not ids:
        return _Existing({}, {})
    people = {p.identity_hash: p for p in Person.objects.filter(pk__in=ids)}
    current = {
        m.person_id: m
        for m in Membership.objects.filter(
            person__in=list(people.values()), status=MembershipStatus.ACTIVE
        ).select_related("union")
    }
    return _Existing(people, current)


def _classify(
    row: MemberRow, found: _Existing, union: Organisation, present: frozenset[str], units: _Units
) -> tuple[str, list[str]]:
    """create, join, update, transfer, unchanged, or conflict; and the person fields that change."""
    person = found.people.get(row.digest)
    if person is None:
        return "create", []
    changed = [
        name
        for column, names in UPDATABLE.items()
        if column in present and _differs(person, row, column)
        for name in names
    ]
    unit = units.for_row(row)
    if unit is not None and unit.pk != person.unit_id:
        changed.append("unit_id")
    current = found.current.get(person.pk)
    if current is None:
        return "join", changed
    if current.union_id != union.pk:
        return "conflict", changed
    return ("update" if changed else "unchanged"), changed


def _differs(person: Person, row: MemberRow, column: str) -> bool:
    if column == "phone":
        return person.phone_hash != row.phone_digest
    return bool(getattr(person, column) != getattr(row, column))


class _Units:
    """Employer units named by the rows: found by credit code (created under the union when new)
    or by name among the union's units."""

    def __init__(self, union: Organisation) -> None:
        self.union = union
        self.by_code: dict[str, EmployerUnit] = {}
        names: dict[str, list[EmployerUnit]] = {}
        for unit in EmployerUnit.objects.filter(organisation=union):
            names.setdefault(unit.name, []).append(unit)
        self.by_name = {name: units[0] for name, units in names.items() if len(units) == 1}

    def load(self, rows: list[MemberRow]) -> None:
        codes = {r.unit_credit_code for r in rows if r.unit_credit_code} - set(self.by_code)
        if codes:
            self.by_code.update(
                {u.credit_code: u for u in EmployerUnit.objects.filter(credit_code__in=codes)}
            )

    def missing(self, rows: list[MemberRow]) -> dict[str, str]:
        """New credit codes in these rows, with the name each first comes with."""
        out: dict[str, str] = {}
        for r in rows:
            if r.unit_credit_code and r.unit_credit_code not in self.by_code:
                out.setdefault(r.unit_credit_code, r.unit_name or r.unit_credit_code)
        return out

    def for_row(self, row: MemberRow) -> EmployerUnit | None:
        if row.unit_credit_code:
            return self.by_code.get(row.unit_credit_code)
        if row.unit_name:
            return self.by_name.get(row.unit_name)
        return None


def plan_import(
    *,
    path: Path,
    union: Organisation,
    transfer: bool,
    spool: _Spool | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ImportReport, frozenset[str]]:
    """Pass one: check every row; count what applying would do; spool the good rows."""
    report = ImportReport()
    seen = FirstRows()
    units = _Units(union)
    check = MemberRowChecker(today=timezone.localdate())
    with open_table(path, spec=MEMBER_SPEC) as table:
        present = table.present
        for chunk in _chunks(iter(table), CHUNK):
            good: list[MemberRow] = []
            for raw in chunk:
                report.rows += 1
                row, errors = check(raw.number, raw.values)
                if row is None:
                    report.errors.extend(errors)
                    continue
                if (first := seen.first(int(row.digest[:16], 16), row.number)) != row.number:
                    report.errors.append(
                        RowError(
                            row.number,
                            MEMBER_SPEC.header("identity_number"),
                            _("The same person as row %(row)d.") % {"row": first},
                        )
                    )
                    continue
                good.append(row)
            units.load(good)
            found = _existing([r.digest for r in good])
            kept: list[MemberRow] = []
            for row in good:
                kind, _changed = _classify(row, found, union, present, units)
                if kind == "conflict":
                    current = found.current[found.people[row.digest].pk]
                    if not transfer:
                        report.errors.append(
                            RowError(
                                row.number,
                                MEMBER_SPEC.header("identity_number"),
                                _(
                                    "Already a member of %(union)s (%(code)s); import with the transfer option to move the membership here."
                                )
                                % {"union": current.union.name, "code": current.union.code},
                            )
                        )
                        continue
                    kind = "transfer"
                if row.unit_name and not row.unit_credit_code and units.for_row(row) is None:
                    report.warnings.append(
                        RowError(
                            row.number,
                            MEMBER_SPEC.header("unit_name"),
                            _(
                                "%(name)s is not a registered employer unit of this union; give its credit code to register it. The member is imported without a unit."
                            )
                            % {"name": row.unit_name},
                        )
                    )
                report.counts[kind] += 1
                kept.append(row)
            if spool is not None and kept:
                spool.write(kept)
            if progress is not None:
                progress(report.rows)
    report.counts["rejected"] = len({e.row for e in report.errors})
    return report, present


def import_members(
    *,
    path: Path | str,
    union: Organisation,
    by: Any,
    dry_run: bool = False,
    skip_invalid: bool = False,
    transfer: bool = False,
    file_name: str = "",
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Import a roster file into `union`. Raises UnreadableFile when the file cannot be read."""
    path = Path(path)
    check_member_union(union)
    spool = None if dry_run else _Spool()
    try:
        report, present = plan_import(
            path=path,
            union=union,
            transfer=transfer,
            spool=spool,
            progress=(lambda n: progress("check", n)) if progress else None,
        )
        if dry_run or (report.errors and not skip_invalid):
            return report
        assert spool is not None
        batch = _start_batch(
            path=path,
            union=union,
            by=by,
            report=report,
            file_name=file_name,
            options={"skip_invalid": skip_invalid, "transfer": transfer},
        )
        report.batch = batch
        with _bulk_writing():
            for rows in spool:
                report.errors += apply_rows(
                    rows=rows, batch=batch, union=union, by=by, present=present, transfer=transfer
                )
                if progress is not None:
                    batch.refresh_from_db(fields=["rows_done"])
                    progress("apply", batch.rows_done)
        finish_batch(batch=batch, by=by)
        report.written = True
        return report
    finally:
        if spool is not None:
            spool.close()


@contextmanager
def _bulk_writing() -> Iterator[None]:
    """On SQLite, for this connection while the import writes: a 128 MB page cache (the 2 MB
    default thrashes on a roster's random-key indexes) and a write-ahead log checkpointed every
    256 MB rather than every 4 MB (which copies pages back after nearly every chunk)."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")
        cursor.execute("PRAGMA wal_autocheckpoint = 65536")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute("PRAGMA wal_autocheckpoint = 1000")


@transaction.atomic
def _start_batch(
    *,
    path: Path,
    union: Organisation,
    by: Any,
    report: ImportReport,
    file_name: str,
    options: dict[str, Any],
) -> ImportBatch:
    digest = file_digest(path)
    # an earlier run of the same file that never finished was killed: say so, it stays as it is
    ImportBatch.objects.filter(union=union, file_sha256=digest, status=BatchStatus.RUNNING).update(
        status=BatchStatus.INTERRUPTED
    )
    batch = ImportBatch.objects.create(
        union=union,
        file_name=(file_name or path.name)[:255],
        file_sha256=digest,
        created_by=by if getattr(by, "pk", None) else None,
        options=options,
        rows_total=report.rows,
        rejected=report.counts["rejected"],
    )
    audit.record(
        action="member.import.start",
        by=by,
        organisation=union,
        obj=batch,
        extra={"file": batch.file_name, "sha256": digest, "rows": report.rows, **options},
    )
    return batch


@transaction.atomic
def finish_batch(*, batch: ImportBatch, by: Any) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.DONE, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    audit.record(
        action="member.import", by=by, organisation=batch.union, obj=batch, extra=batch.counts
    )


PERSON_COLUMNS = (
    "name",
    "name_key",
    "identity_hash",
    "identity_sealed",
    "identity_masked",
    "gender",
    "birth_date",
    "phone_hash",
    "phone_sealed",
    "phone_masked",
    "unit_id",
    "post",
    "skill_level",
    "is_frontline",
    "is_migrant",
    "is_enterprise_head",
    "created_at",
    "updated_at",
    "batch_id",
)
MEMBERSHIP_COLUMNS = ("person_id", "union_id", "joined_on", "status", "end_reason", "batch_id")


def _insert(
    cursor: Any, table: str, columns: tuple[str, ...], values: list[tuple[Any, ...]]
) -> None:
    """Rows written in one go, without the ORM's per-object work (the rows are checked
    already): COPY on PostgreSQL, one executemany on SQLite."""
    if not values:
        return
    if cursor.db.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    cursor.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608 - fixed names
        values,
    )


def _new_ids(cursor: Any, table: str, count: int) -> list[int] | None:
    """Ids for rows about to be written, on PostgreSQL taken from the table's sequence (so the
    rows can be copied in with them); None on SQLite, where they are known once written."""
    if cursor.db.vendor != "postgresql":
        return None
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _written_ids(cursor: Any, table: str, digests: list[str]) -> list[int]:
    """The ids SQLite gave the rows just written by one executemany, in order.

    The import holds the write lock, so they are consecutive and end at last_insert_rowid();
    the first and last rows are checked against that, and looked up one by one otherwise.
    """
    cursor.execute("SELECT last_insert_rowid()")
    (last,) = cursor.fetchone()
    ids = list(range(last - len(digests) + 1, last + 1))
    cursor.execute(
        f"SELECT id, identity_hash FROM {table} WHERE id IN (%s, %s)",  # noqa: S608 - fixed names
        [ids[0], ids[-1]],
    )
    if dict(cursor.fetchall()) == {ids[0]: digests[0], ids[-1]: digests[-1]}:
        return ids
    found = _ids_by_digest(cursor, digests)
    return [found[digest] for digest in digests]


def _insert_people(
    rows: list[tuple[MemberRow, EmployerUnit | None]], batch: ImportBatch
) -> dict[str, int]:
    """Insert new people; returns their ids by identity digest."""
    if not rows:
        return {}
    connection = transaction.get_connection()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    seal_identity, seal_phone = sealer("identity_number"), sealer("phone")
    table = Person._meta.db_table
    values = [
        (
            row.name,
            row.name_key,
            row.digest,
            seal_identity(row.identity.number),
            mask_identity_number(row.identity.number),
            row.identity.gender,
            ops.adapt_datefield_value(row.identity.birth_date),
            row.phone_digest,
            seal_phone(row.phone),
            mask_phone(row.phone) if row.phone else "",
            unit.pk if unit else None,
            row.post,
            row.skill_level,
            row.is_frontline,
            row.is_migrant,
            row.is_enterprise_head,
            now,
            now,
            batch.pk,
        )
        for row, unit in rows
    ]
    digests = [row.digest for row, _unit in rows]
    with connection.cursor() as cursor:
        ids = _new_ids(cursor, table, len(rows))
        if ids is None:
            _insert(cursor, table, PERSON_COLUMNS, values)
            ids = _written_ids(cursor, table, digests)
        else:
            _insert(
                cursor,
                table,
                ("id", *PERSON_COLUMNS),
                [(pk, *row) for pk, row in zip(ids, values, strict=True)],
            )
    return dict(zip(digests, ids, strict=True))


def _insert_memberships(
    people: list[tuple[int, date]], union: Organisation, batch: ImportBatch
) -> None:
    connection = transaction.get_connection()
    adapt = connection.ops.adapt_datefield_value
    values = [
        (pk, union.pk, adapt(day), MembershipStatus.ACTIVE.value, "", batch.pk)
        for pk, day in people
    ]
    with connection.cursor() as cursor:
        _insert(cursor, Membership._meta.db_table, MEMBERSHIP_COLUMNS, values)


def _update_person(
    person: Person, row: MemberRow, changed: list[str], unit: EmployerUnit | None
) -> None:
    for name in changed:
        if name == "phone_sealed":
            person.phone_sealed = encrypt(row.phone, field="phone")
        elif name == "phone_masked":
            person.phone_masked = mask_phone(row.phone) if row.phone else ""
        elif name == "phone_hash":
            person.phone_hash = row.phone_digest
        elif name == "unit_id":
            person.unit = unit
        else:
            setattr(person, name, getattr(row, name))


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in RESTORABLE}


@transaction.atomic
def apply_rows(
    *,
    rows: list[MemberRow],
    batch: ImportBatch,
    union: Organisation,
    by: Any,
    present: frozenset[str],
    transfer: bool = False,
) -> list[RowError]:
    """Write checked rows as one transaction, re-checking each against the database now.

    Returns the rows refused because the database changed since they were checked.
    """
    refused: list[RowError] = []
    units = _Units(union)
    units.load(rows)
    new_units = [
        EmployerUnit(name=name[:128], credit_code=code, organisation=union)
        for code, name in units.missing(rows).items()
    ]
    entries: list[audit.Entry] = []
    if new_units:
        EmployerUnit.objects.bulk_create(new_units)
        units.load(rows)
        entries += [
            audit.Entry(action="unit.create", by=by, obj=u, changes=audit.diff({}, u.snapshot()))
            for u in new_units
        ]
    found = _existing([r.digest for r in rows])
    if found.people and transaction.get_connection().vendor == "postgresql":
        list(
            Person.objects.select_for_update()
            .filter(pk__in=[p.pk for p in found.people.values()])
            .values_list("pk")
        )
    counts: Counter[str] = Counter()
    to_create: list[tuple[MemberRow, EmployerUnit | None]] = []
    to_join: list[tuple[MemberRow, Person]] = []
    changed_people: dict[int, Person] = {}
    changed_fields: set[str] = set()
    revisions: list[ImportRevision] = []
    closing: list[Membership] = []
    today = timezone.localdate()
    for row in rows:
        kind, changed = _classify(row, found, union, present, units)
        unit = units.for_row(row)
        if kind == "create":
            to_create.append((row, unit))
        elif kind == "conflict" and not transfer:
            counts["rejected"] += 1  # joined another union since the check: not ours to move
            refused.append(
                RowError(
                    row.number,
                    MEMBER_SPEC.header("identity_number"),
                    _("Joined another union while the file was being imported."),
                )
            )
            continue
        else:
            person = found.people[row.digest]
            if kind in {"update", "join", "conflict"} and (changed or kind == "conflict"):
                revision = ImportRevision(batch=batch, person=person, before=_snapshot(person))
                _update_person(person, row, changed, unit)
                changed_people[person.pk] = person
                changed_fields.update(changed)
                if kind == "conflict":
                    current = found.current[person.pk]
                    current.status, current.ended_on, current.transferred_to = (
                        MembershipStatus.TRANSFERRED,
                        row.joined_on or today,
                        union,
                    )
                    closing.append(current)
                    revision.closed_membership = current
                revisions.append(revision)
            if kind in {"join", "conflict"}:
                to_join.append((row, person))
            kind = "transfer" if kind == "conflict" else kind
        counts[kind] += 1
    new_ids = _insert_people(to_create, batch)
    created = sorted(new_ids.values())
    if closing:
        Membership.objects.bulk_update(closing, ["status", "ended_on", "transferred_to"])
    _insert_memberships(
        [(new_ids[row.digest], row.joined_on or today) for row, _unit in to_create]
        + [(person.pk, row.joined_on or today) for row, person in to_join],
        union,
        batch,
    )
    if changed_people:
        if changed_fields:
            Person.objects.bulk_update(
                list(changed_people.values()), sorted(changed_fields), batch_size=500
            )
        Person.objects.filter(pk__in=list(changed_people)).update(updated_at=timezone.now())
        ImportRevision.objects.bulk_create(revisions, batch_size=500)
        entries += [
            audit.Entry(
                action="person.update",
                by=by,
                organisation=union,
                obj=p,
                object_repr=p.name,
                extra={"batch": batch.pk, "fields": sorted(changed_fields)},
            )
            for p in changed_people.values()
        ]
    entries += [
        audit.Entry(
            action="membership.transfer",
            by=by,
            organisation=org,
            object_type="people.membership",
            object_id=str(m.pk),
            object_repr=m.person.name,
            extra={"batch": batch.pk, "from": m.union.code, "to": union.code},
        )
        for m in closing
        for org in (m.union, union)
    ]
    entries.append(
        audit.Entry(
            action="member.import.chunk",
            by=by,
            organisation=union,
            obj=batch,
            extra={
                "rows": [rows[0].number, rows[-1].number],
                **counts,
                "people_created": [created[0], created[-1]] if created else [],
            },
        )
    )
    audit.record_many(entries)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=F("rows_done") + len(rows),
        **{
            field: F(field) + counts[kind] for kind, field in BATCH_COUNTERS.items() if counts[kind]
        },
    )
    return refused


class RollbackRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@transaction.atomic
def roll_back_batch(*, batch: ImportBatch, by: Any) -> dict[str, int]:
    """Undo a whole import, refused if anything done since depends on what it wrote."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.ROLLED_BACK:
        raise RollbackRefused([_("This import has already been rolled back.")])
    since = batch.finished_at or timezone.now()
    reasons: list[str] = []
    opened = Membership.objects.filter(batch=batch).select_related("person")
    touched = set(opened.values_list("person", flat=True)) | set(
        batch.revisions.values_list("person", flat=True)
    )
    later_memberships = (
        Membership.objects.filter(person__in=touched)
        .exclude(batch=batch)
        .filter(pk__gt=opened.order_by("-pk").values_list("pk", flat=True).first() or 0)
    )
    if opened.exclude(status=MembershipStatus.ACTIVE).exists() or later_memberships.exists():
        reasons.append(_("Memberships it opened have since been transferred or ended."))
    if Person.objects.filter(pk__in=touched, updated_at__gt=since).exists():
        reasons.append(_("People it wrote have been changed since."))
    if reasons:
        raise RollbackRefused(reasons)
    closed = [
        r.closed_membership
        for r in batch.revisions.select_related("closed_membership")
        if r.closed_membership
    ]
    n_opened = opened.count()
    opened.delete()
    for membership in closed:
        membership.status, membership.ended_on, membership.transferred_to = (
            MembershipStatus.ACTIVE,
            None,
            None,
        )
    Membership.objects.bulk_update(closed, ["status", "ended_on", "transferred_to"])
    restored = 0
    for revision in batch.revisions.all():
        Person.objects.filter(pk=revision.person_id).update(**revision.before)
        restored += 1
    n_removed, _detail = Person.objects.filter(batch=batch, memberships__isnull=True).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.ROLLED_BACK,
        rolled_back_at=timezone.now(),
        rolled_back_by=by if getattr(by, "pk", None) else None,
    )
    summary = {
        "memberships_removed": n_opened,
        "people_removed": n_removed,
        "people_restored": restored,
        "memberships_reopened": len(closed),
    }
    audit.record(
        action="member.import.rollback", by=by, organisation=batch.union, obj=batch, extra=summary
    )
    return summary
