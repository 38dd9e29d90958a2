"""Importing a roster: read → check → seal → plan → write, in one pass and one transaction.

The file side (reading and checking every row) needs nothing from the database; for a large file
it runs in a child process, on the other core, while this process finds the people named twice,
seals each chunk's personal data, plans the chunk against the database and writes it (these
are here because the writing alone leaves this core the idler of the two). All of
it happens in one transaction: a bad row (unless `skip_invalid`), a crash or a power cut at any
moment leaves the database as it was, and running the import again does it all, once.
"""

from __future__ import annotations

import gc
import hashlib
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.background import in_child
from gonghui.core.tabular import RowError, Table, open_table
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.orgs.permissions import Scope
from gonghui.people.actions import OUTSIDE_SCOPE, check_member_union
from gonghui.people.models import (
    BatchStatus,
    ImportBatch,
    ImportRevision,
    Membership,
    MembershipStatus,
    Person,
    roster_traits,
    roster_traits_expression,
)
from gonghui.people.permissions import seen_scope
from gonghui.people.tabular import (
    MEMBER_SPEC,
    PERSON_FIELDS,
    MemberRowChecker,
    SealedRow,
    row_values,
    rows_sealer,
)

CHUNK = 5000
# Files from this size on are read and checked in a child process beside the writing; below it
# the fork would cost more than it saves.
PARALLEL_FROM_BYTES = 1 << 20
# Audit events of changed people wait for the end of the import (so that the chain's lock is
# not held while it writes), up to this many; beyond, they are recorded as they come.
PENDING_EVENTS = 20_000
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
# the row's field for each person field it sets, where the names differ
_ROW_FIELD = {"phone_hash": "phone_digest"}
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

    def __len__(self) -> int:
        return self._used

    def __contains__(self, key: int) -> bool:
        key = key or 1
        keys, mask = self._keys, self._mask
        slot = key & mask
        while found := keys[slot]:
            if found == key:
                return True
            slot = (slot + 1) & mask
        return False

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


@dataclass
class Checked:
    """A chunk of the file, checked: its good rows (sealed) and the problems of the others."""

    rows: list[SealedRow]
    errors: list[RowError]
    read: int  # rows of the file in this chunk, good and bad


PlainChunk = tuple[list[tuple[Any, ...]], list[tuple[int, str, str]], int]


def checked_chunks(table: Table, *, today: date) -> Generator[PlainChunk, None, None]:
    """The file side of an import: every row checked, the good ones made ready to seal
    (`row_values`); a chunk at a time, as plain values (rows, problems, rows read) that
    `sealed_chunks` takes on. Touches no database: it may run in a child process."""
    check = MemberRowChecker(today=today)
    values = row_values()
    rows: list[tuple[Any, ...]] = []
    errors: list[tuple[int, str, str]] = []
    read = 0
    for raw in table:
        read += 1
        row, problems = check(raw.number, raw.values)
        if row is None:
            errors += [(e.row, e.column, e.message) for e in problems]
        else:
            rows.append(values(row))
        if read == CHUNK:
            yield rows, errors, read
            rows, errors, read = [], [], 0
    if read:
        yield rows, errors, read


_DIGEST, _NUMBER = SealedRow._fields.index("digest"), SealedRow._fields.index("number")


def sealed_chunks(chunks: Iterable[PlainChunk]) -> Iterator[Checked]:
    """The chunks of `checked_chunks` with the people named twice in the file found (a row
    naming someone an earlier row named is an error) and the other rows sealed. This runs in
    the writing process: with it there, the two processes' shares of a large import are even."""
    seal = rows_sealer()
    seen = FirstRows()
    header = MEMBER_SPEC.header("identity_number")
    first_of = seen.first
    for rows, plain_errors, read in chunks:
        errors = [RowError(*e) for e in plain_errors]
        kept = []
        for row in rows:
            number = row[_NUMBER]
            first = first_of(int(row[_DIGEST][:16], 16), number)
            if first == number:
                kept.append(row)
            else:
                message = _("The same person as row %(row)d.") % {"row": first}
                errors.append(RowError(number, header, message))
        yield Checked(seal(kept), errors, read)


def _ids_by_digest(cursor: Any, digests: list[str]) -> dict[str, int]:
    """The ids of the people with these identity digests, in plain queries: on a fresh roster
    it finds nobody, and the ORM's per-parameter work would cost more than the search."""
    table = Person._meta.db_table
    if cursor.db.vendor == "postgresql":  # one parameter, not thousands: the digests joined
        cursor.execute(
            f"SELECT identity_hash, id FROM {table} WHERE identity_hash = ANY(string_to_array(%s, ','))",  # noqa: S608 - fixed names
            [",".join(digests)],
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


def _roster_size(cursor: Any) -> int:
    """How many people are registered, at most (the highest id: no count of the table)."""
    cursor.execute(f"SELECT MAX(id) FROM {Person._meta.db_table}")  # noqa: S608 - fixed name
    (top,) = cursor.fetchone()
    return int(top or 0)


def _registered(expected_rows: int) -> FirstRows | None:
    """The people registered already, as the 64-bit prefixes of their identity digests, when
    an import is as large as the roster it joins: reading them once costs far less than looking
    up each of its rows (on PostgreSQL some 5 µs a row, 8 s a million), and a first roster needs
    no look-up at all. None (each row is looked up) for a smaller import; some 25 MB for a
    million people."""
    with transaction.get_connection().cursor() as cursor:
        registered = _roster_size(cursor)
    if registered > expected_rows:
        return None
    known = FirstRows(capacity=1 << max(16, (2 * registered).bit_length()))
    digests = Person.objects.order_by().values_list("identity_hash", flat=True)
    for digest in digests.iterator(chunk_size=20_000):
        known.first(int(digest[:16], 16), 1)
    return known


@dataclass
class _Existing:
    people: dict[str, Person]
    current: dict[int, Membership]


def _existing(digests: list[str], *, lock: bool) -> _Existing:
    """The people among these identity digests who are registered already, and their current
    memberships; locked (PostgreSQL) when they are about to be written."""
    with transaction.get_connection().cursor() as cursor:
        ids = list(_ids_by_digest(cursor, digests).values())
    if not ids:
        return _Existing({}, {})
    people_query = Person.objects.filter(pk__in=ids)
    if lock:
        people_query = people_query.select_for_update()
    people = {p.identity_hash: p for p in people_query}
    current = {
        m.person_id: m
        for m in Membership.objects.filter(
            person__in=list(people.values()), status=MembershipStatus.ACTIVE
        ).select_related("union")
    }
    return _Existing(people, current)


class Units:
    """Employer units named by the rows: found by credit code (created under the union when new)
    or by name among the union's units."""

    def __init__(self, union: Organisation) -> None:
        self.union = union
        self.by_code: dict[str, EmployerUnit] = {}
        names: dict[str, list[EmployerUnit]] = {}
        for unit in EmployerUnit.objects.filter(organisation=union):
            names.setdefault(unit.name, []).append(unit)
        self.by_name = {name: units[0] for name, units in names.items() if len(units) == 1}

    def load(self, rows: list[SealedRow]) -> None:
        codes = {r.unit_credit_code for r in rows if r.unit_credit_code} - set(self.by_code)
        if codes:
            self.by_code.update(
                {u.credit_code: u for u in EmployerUnit.objects.filter(credit_code__in=codes)}
            )

    def missing(self, rows: list[SealedRow]) -> dict[str, str]:
        """New credit codes in these rows, with the name each first comes with."""
        out: dict[str, str] = {}
        for r in rows:
            if r.unit_credit_code and r.unit_credit_code not in self.by_code:
                out.setdefault(r.unit_credit_code, r.unit_name or r.unit_credit_code)
        return out

    def for_row(self, row: SealedRow) -> EmployerUnit | None:
        if row.unit_credit_code:
            return self.by_code.get(row.unit_credit_code)
        if row.unit_name:
            return self.by_name.get(row.unit_name)
        return None


@dataclass
class Plan:
    """What writing a chunk would do: the people it creates, and for people registered
    already each row's kind and the person fields it changes."""

    creates: list[SealedRow] = field(default_factory=list)
    steps: list[tuple[str, SealedRow, list[str]]] = field(default_factory=list)
    found: _Existing = field(default_factory=lambda: _Existing({}, {}))
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def _differs(person: Person, row: SealedRow, column: str) -> bool:
    if column == "phone":
        return bool(person.phone_hash != row.phone_digest)
    return bool(getattr(person, column) != getattr(row, column))


def plan_rows(
    *,
    rows: list[SealedRow],
    union: Organisation,
    present: frozenset[str],
    units: Units,
    transfer: bool,
    lock: bool = False,
    registered: FirstRows | None = None,
    seen: Scope | None = None,
) -> Plan:
    """Classify checked rows against the database: create, join, update, transfer, unchanged;
    a member of another union is an error unless `transfer`, and always when that union is
    outside `seen` (the importing officer's scope; None for the system). With `registered`
    (see `_registered`), only rows it may hold are looked up."""
    units.load(rows)
    digests = [r.digest for r in rows]
    if registered is not None:  # a first roster's is empty: nobody to look up
        digests = [d for d in digests if int(d[:16], 16) in registered] if registered else []
    found = _existing(digests, lock=lock) if digests else _Existing({}, {})
    plan = Plan(found=found)
    header = MEMBER_SPEC.header("identity_number")
    if not found.people:  # nobody here is registered yet (a new roster): all are created
        plan.creates = rows
    for row in rows if found.people else ():
        person = found.people.get(row.digest)
        if person is None:
            plan.creates.append(row)
            continue
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
            kind = "join"
        elif current.union_id == union.pk:
            kind = "update" if changed else "unchanged"
        elif seen is not None and not seen.contains(current.union):
            plan.errors.append(RowError(row.number, header, str(OUTSIDE_SCOPE)))
            continue
        elif transfer:
            kind = "transfer"
        else:
            plan.errors.append(
                RowError(
                    row.number,
                    header,
                    _(
                        "Already a member of %(union)s (%(code)s); import with the transfer option to move the membership here."
                    )
                    % {"union": current.union.name, "code": current.union.code},
                )
            )
            continue
        plan.counts[kind] += 1
        plan.steps.append((kind, row, changed))
    refused = {e.row for e in plan.errors}
    for row in rows:
        unnamed = row.unit_name and not row.unit_credit_code and row.number not in refused
        if unnamed and units.for_row(row) is None:
            plan.warnings.append(
                RowError(
                    row.number,
                    MEMBER_SPEC.header("unit_name"),
                    _(
                        "%(name)s is not a registered employer unit of this union; give its credit code to register it. The member is imported without a unit."
                    )
                    % {"name": row.unit_name},
                )
            )
    plan.counts["create"] = len(plan.creates)
    plan.counts["rejected"] = len(refused)
    return plan


class _Abandoned(Exception):
    """Raised inside the import's transaction to undo it: some rows are bad."""


class _RegisteredMeanwhile(Exception):
    """Raised out of the import's first attempt when writing failed on a unique index: someone
    registered one of the file's people after the import looked for them (PostgreSQL lets
    others write during an import; an import as large as the roster looks when it starts)."""


@dataclass(frozen=True)
class _Job:
    path: Path
    union: Organisation
    by: Actor
    dry_run: bool
    skip_invalid: bool
    transfer: bool
    file_name: str
    progress: Callable[[str, int], None] | None
    seen: Scope | None  # whose memberships the officer may be told of


def import_members(
    *,
    path: Path | str,
    union: Organisation,
    by: Actor,
    dry_run: bool = False,
    skip_invalid: bool = False,
    transfer: bool = False,
    file_name: str = "",
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Import a roster file into `union`. Raises UnreadableFile when the file cannot be read."""
    check_member_union(union)
    job = _Job(
        Path(path),
        union,
        by,
        dry_run,
        skip_invalid,
        transfer,
        file_name,
        progress,
        seen_scope(by),
    )
    with _collecting_rarely():
        try:
            return _import(job, first=True)
        except _RegisteredMeanwhile:
            pass
        # nothing was written: done again, looking up every row as it comes, it finds them
        return _import(job, first=False)


def _import(job: _Job, *, first: bool) -> ImportReport:
    """One attempt at the import; the first reads the people registered at the start if the
    import is as large as the roster, a second (after `_RegisteredMeanwhile`) does not."""
    today = timezone.localdate()
    with open_table(job.path, spec=MEMBER_SPEC) as table:

        def produce() -> Generator[Any, None, None]:
            return checked_chunks(table, today=today)

        large = job.path.stat().st_size >= PARALLEL_FROM_BYTES
        source = in_child(produce) if large else produce()
        chunks = sealed_chunks(source)
        try:
            if job.dry_run:
                return _check(job, chunks, present=table.present)
            return _write(job, chunks, present=table.present, first=first)
        finally:
            source.close()  # stops the child at once if the import stops early


def _planned(
    job: _Job,
    chunk: Checked,
    report: ImportReport,
    *,
    present: frozenset[str],
    units: Units,
    registered: FirstRows | None,
    lock: bool = False,
) -> Plan:
    """A chunk planned, and counted in the report."""
    plan = plan_rows(
        rows=chunk.rows,
        union=job.union,
        present=present,
        units=units,
        transfer=job.transfer,
        lock=lock,
        registered=registered,
        seen=job.seen,
    )
    _tally(report, chunk, plan)
    return plan


def _check(job: _Job, chunks: Iterator[Checked], *, present: frozenset[str]) -> ImportReport:
    """What the import would do, writing nothing (so never a second attempt)."""
    report, units = ImportReport(), Units(job.union)
    registered = _registered(_expected_rows(job.path))
    for chunk in chunks:
        _planned(job, chunk, report, present=present, units=units, registered=registered)
        if job.progress is not None:
            job.progress("check", report.rows)
    return _finish_report(report)


def _write(
    job: _Job, chunks: Iterator[Checked], *, present: frozenset[str], first: bool
) -> ImportReport:
    """Plan and write each chunk as it comes, in one transaction, undone if a row is bad (unless
    `skip_invalid`)."""
    report, units = ImportReport(), Units(job.union)
    expected_rows = _expected_rows(job.path)
    try:
        with transaction.atomic(), _bulk_writing(expected_rows=expected_rows, first=first):
            batch = _start_batch(
                path=job.path,
                union=job.union,
                by=job.by,
                file_name=job.file_name,
                options={"skip_invalid": job.skip_invalid, "transfer": job.transfer},
            )
            # read once the import holds SQLite's write lock: nobody registers anyone after
            registered = _registered(expected_rows) if first else None
            writer = BatchWriter(batch=batch, by=job.by)
            for chunk in chunks:
                plan = _planned(
                    job,
                    chunk,
                    report,
                    present=present,
                    units=units,
                    registered=registered,
                    lock=True,
                )
                if job.skip_invalid or not report.errors:
                    writer.write(plan, union=job.union, units=units)
                if job.progress is not None:
                    job.progress("apply", report.rows)
            _finish_report(report)
            if report.errors and not job.skip_invalid:
                raise _Abandoned
            writer.finish(rows=report.rows, rejected=report.counts["rejected"])
    except _Abandoned:
        return report
    except IntegrityError as error:
        if not first:
            raise
        raise _RegisteredMeanwhile from error
    report.batch = batch
    report.written = True
    return report


@contextmanager
def _collecting_rarely() -> Iterator[None]:
    """An import makes millions of short-lived tuples and strings and no garbage cycles to
    speak of. The cycle collector's youngest generation is collected once this many more
    objects are alive than at its last pass: above what a chunk keeps alive (some tens of
    thousands), so that it runs only if garbage cycles pile up; and the objects alive before
    the import (the whole of Django) are left out of its full passes."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(250_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _tally(report: ImportReport, chunk: Checked, plan: Plan) -> None:
    report.rows += chunk.read
    report.errors += chunk.errors
    report.errors += plan.errors
    report.warnings += plan.warnings
    report.counts.update(plan.counts)


def _finish_report(report: ImportReport) -> ImportReport:
    report.errors.sort(key=lambda e: e.row)
    report.warnings.sort(key=lambda e: e.row)
    report.counts["rejected"] = len({e.row for e in report.errors})
    return report


@contextmanager
def _bulk_writing(*, expected_rows: int, first: bool) -> Iterator[None]:
    """On SQLite, for this connection while the import writes: a 128 MB page cache (the 2 MB
    default thrashes on a roster's random-key indexes) and a write-ahead log checkpointed every
    256 MB rather than every 4 MB. For an import as large as the roster it joins, the indexes
    that the import does not read are dropped inside its transaction and built again, sorted,
    at its end: far cheaper than a million random insertions into each. Readers keep the
    indexes all along (they see the database as it was until the import commits), and an
    import that fails or is killed leaves them as they were."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")
        cursor.execute("PRAGMA wal_autocheckpoint = 65536")
        deferred = _deferrable_indexes(cursor, expected_rows=expected_rows, first=first)
        for name, _sql in deferred:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
        with connection.cursor() as cursor:
            for _name, sql in deferred:
                cursor.execute(sql)  # a unique one that fails: IntegrityError, tried again
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute("PRAGMA wal_autocheckpoint = 1000")


# below this many rows (or half the people already registered), indexes are kept as they are
DEFER_INDEXES_FROM = 100_000


def _deferrable_indexes(cursor: Any, *, expected_rows: int, first: bool) -> list[tuple[str, str]]:
    """The indexes (name, how to build it) an import of about `expected_rows` rows leaves to
    its end. For an import as large as the roster: the person indexes it never reads (pinyin
    keys, phone hashes), whose keys come in no order. For the first attempt at a first roster
    (nobody registered yet) also the identity's unique index and the membership indexes: such an
    import reads none of them (its people are told apart by the file's own table of digests,
    `FirstRows`, and nobody registered needs looking up), and SQLite's write lock keeps others
    from registering anyone meanwhile; should building a unique one fail all the same, the
    import is undone and tried again with every index kept up."""
    if expected_rows < DEFER_INDEXES_FROM:
        return []
    roster = _roster_size(cursor)
    if expected_rows * 2 < roster:
        return []
    first_roster = first and roster == 0
    tables = [Person._meta.db_table, Membership._meta.db_table]
    cursor.execute(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (%s, %s) ORDER BY tbl_name DESC, name",
        tables,
    )
    return [
        (name, sql)
        for table, name, sql in cursor.fetchall()
        if first_roster or (table == tables[0] and not sql.startswith("CREATE UNIQUE"))
    ]


def _expected_rows(path: Path) -> int:
    """About how many rows a roster file holds, from its size (a row of .xlsx or .csv takes
    some 40 to 100 bytes): enough to choose how to write them."""
    return path.stat().st_size // 60


def _start_batch(
    *, path: Path, union: Organisation, by: Actor, file_name: str, options: dict[str, Any]
) -> ImportBatch:
    return ImportBatch.objects.create(
        union=union,
        file_name=(file_name or path.name)[:255],
        file_sha256=file_digest(path),
        created_by=by if getattr(by, "pk", None) else None,
        options=options,
    )


PERSON_COLUMNS = (
    "name",
    "name_key",
    "identity_hash",
    "identity_sealed",
    "identity_masked",
    "gender",
    "birth_year",
    "phone_hash",
    "phone_sealed",
    "phone_masked",
    "post",
    "skill_level",
    "is_frontline",
    "is_migrant",
    "is_enterprise_head",
    # the row's first PERSON_FIELDS fields are the columns above
)
MEMBERSHIP_COLUMNS = ("person_id", "name_key", "traits", "joined_on")


def _insert(
    cursor: Any,
    model: type[models.Model],
    columns: tuple[str, ...],
    values: list[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Rows written in one go, without the ORM's per-object work (the rows are checked
    already): a binary COPY on PostgreSQL (half the work of a text one, on both sides), one
    executemany on SQLite. `constants` are columns with one value for every row: on SQLite
    they are written into the statement (each bound value costs a little, a million times)."""
    if not values:
        return
    table = model._meta.db_table
    constants = constants or {}
    if cursor.db.vendor == "postgresql":
        if constants:
            tail = tuple(constants.values())
            values = [row + tail for row in values]
        _copy(cursor, model, (*columns, *constants), values)
        return
    names = ", ".join((*columns, *constants))
    slots = ", ".join([*(["%s"] * len(columns)), *map(_sqlite_literal, constants.values())])
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({slots})", values)  # noqa: S608 - fixed names, our own values


def _sqlite_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    raise TypeError(f"no literal for {type(value).__name__}")


def _copy(
    cursor: Any, model: type[models.Model], columns: tuple[str, ...], values: list[tuple[Any, ...]]
) -> None:
    types = _copy_types(model, columns)
    dates = [i for i, kind in enumerate(types) if kind == "date"]
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    # psycopg's own errors made Django's, as through Django's cursor
    with cursor.db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        copy.set_types(types)
        write = copy.write_row
        if not dates:
            for row in values:
                write(row)
            return
        parse = date.fromisoformat
        for row in values:
            cells = list(row)
            for i in dates:  # ISO text, as SQLite takes it, made dates for the binary format
                if isinstance(cells[i], str):
                    cells[i] = parse(cells[i])
            write(cells)


# PostgreSQL's binary formats of the kinds of column an import writes
_COPY_TYPES = {
    "CharField": "text",  # varchar and text share one binary format
    "TextField": "text",
    "BooleanField": "bool",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "BigAutoField": "int8",
    "BigIntegerField": "int8",
    "AutoField": "int4",
    "IntegerField": "int4",
    "PositiveIntegerField": "int4",
    "SmallIntegerField": "int2",
    "PositiveSmallIntegerField": "int2",
}


def _copy_types(model: type[models.Model], columns: tuple[str, ...]) -> list[str]:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    types = []
    for column in columns:
        found = by_column[column]
        target = found.target_field if found.is_relation else found  # type: ignore[attr-defined]
        types.append(_COPY_TYPES[target.get_internal_type()])
    return types


def _new_ids(cursor: Any, table: str, count: int) -> list[int] | None:
    """Ids for rows about to be written, on PostgreSQL taken from the table's sequence (so the
    rows can be copied in with them); None on SQLite, where they are known once written."""
    if cursor.db.vendor != "postgresql":
        return None
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    # the sequence named by a constant: looked up once, not once a row (4 s a million)
    draw = sql.SQL("SELECT array_agg(nextval({}::regclass)) FROM generate_series(1, %s)")
    raw = cursor.cursor
    with cursor.db.wrap_database_errors:
        raw.execute(draw.format(sql.Literal(sequence)), [count])
        (ids,) = raw.fetchone()
    return list(ids)


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


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in RESTORABLE}


class BatchWriter:
    """Writes planned chunks into one batch, inside the caller's transaction, and closes it."""

    def __init__(self, *, batch: ImportBatch, by: Actor) -> None:
        self.batch, self.by = batch, by
        connection = transaction.get_connection()
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.today = timezone.localdate()
        self.pending: list[audit.Entry] = []
        self.created: list[int] = []

    def write(self, plan: Plan, *, union: Organisation, units: Units) -> None:
        self._register_units([*plan.creates, *(row for _kind, row, _c in plan.steps)], union, units)
        to_create = plan.creates
        joining: list[tuple[int, str, int, str]] = []
        changed_people: dict[int, Person] = {}
        changed_fields: set[str] = set()
        revisions: list[ImportRevision] = []
        closing: list[Membership] = []
        found = plan.found
        for kind, row, changed in plan.steps:
            person = found.people[row.digest]
            if changed or kind == "transfer":
                revision = ImportRevision(batch=self.batch, person=person, before=_snapshot(person))
                self._update(person, row, changed, units)
                changed_people[person.pk] = person
                changed_fields.update(changed)
                if kind == "transfer":
                    current = found.current[person.pk]
                    current.status, current.ended_on, current.transferred_to = (
                        MembershipStatus.TRANSFERRED,
                        date.fromisoformat(row.joined_on) if row.joined_on else self.today,
                        union,
                    )
                    closing.append(current)
                    revision.closed_membership = current
                revisions.append(revision)
            if kind in {"join", "transfer"}:
                joining.append((person.pk, person.name_key, person.traits, row.joined_on))
        new_ids = self._insert_people(to_create, units)
        self.created += new_ids
        if closing:
            Membership.objects.bulk_update(closing, ["status", "ended_on", "transferred_to"])
        self._insert_memberships(
            [
                (pk, row.name_key, _traits(row), row.joined_on)
                for pk, row in zip(new_ids, to_create, strict=True)
            ]
            + joining,
            union,
        )
        if changed_people:
            if changed_fields:
                Person.objects.bulk_update(
                    list(changed_people.values()), sorted(changed_fields), batch_size=500
                )
            if changed_fields & FOLLOWED:
                memberships_follow_people(list(changed_people))
            Person.objects.filter(pk__in=list(changed_people)).update(updated_at=timezone.now())
            ImportRevision.objects.bulk_create(revisions, batch_size=500)
            self._audit(
                audit.Entry(
                    action="person.update",
                    by=self.by,
                    organisation=union,
                    obj=p,
                    object_repr=p.name,
                    extra={"batch": self.batch.pk, "fields": sorted(changed_fields)},
                )
                for p in changed_people.values()
            )
        self._audit(
            audit.Entry(
                action="membership.transfer",
                by=self.by,
                organisation=org,
                object_type="people.membership",
                object_id=str(m.pk),
                object_repr=m.person.name,
                extra={"batch": self.batch.pk, "from": m.union.code, "to": union.code},
            )
            for m in closing
            for org in (m.union, union)
        )
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            **{
                counter: F(counter) + plan.counts[kind]
                for kind, counter in BATCH_COUNTERS.items()
                if plan.counts[kind] and kind != "rejected"
            }
        )

    def finish(self, *, rows: int, rejected: int) -> None:
        """Close the batch: its figures and the import's audit event, with the events pending."""
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            status=BatchStatus.DONE,
            finished_at=timezone.now(),
            rows_total=rows,
            rows_done=rows,
            rejected=rejected,
        )
        self.batch.refresh_from_db()
        created = sorted(self.created)
        self.pending.append(
            audit.Entry(
                action="member.import",
                by=self.by,
                organisation=self.batch.union,
                obj=self.batch,
                extra={
                    "file": self.batch.file_name,
                    "sha256": self.batch.file_sha256,
                    "rows": rows,
                    **self.batch.options,
                    **self.batch.counts,
                    "people_created": [created[0], created[-1]] if created else [],
                },
            )
        )
        audit.record_many(self.pending)
        self.pending = []

    def _audit(self, entries: Any) -> None:
        self.pending += entries
        if len(self.pending) >= PENDING_EVENTS:
            audit.record_many(self.pending)
            self.pending = []

    def _register_units(self, rows: list[SealedRow], union: Organisation, units: Units) -> None:
        new_units = [
            EmployerUnit(name=name[:128], credit_code=code, organisation=union)
            for code, name in units.missing(rows).items()
        ]
        if new_units:
            EmployerUnit.objects.bulk_create(new_units)
            units.load(rows)
            self._audit(
                audit.Entry(
                    action="unit.create", by=self.by, obj=u, changes=audit.diff({}, u.snapshot())
                )
                for u in new_units
            )

    def _update(self, person: Person, row: SealedRow, changed: list[str], units: Units) -> None:
        for name in changed:
            if name == "unit_id":
                person.unit = units.for_row(row)
            else:
                setattr(person, name, getattr(row, _ROW_FIELD.get(name, name)))

    def _insert_people(self, rows: list[SealedRow], units: Units) -> list[int]:
        """Insert new people; returns their ids, in order."""
        if not rows:
            return []
        for_row = units.for_row
        columns: tuple[str, ...] = PERSON_COLUMNS
        constants = {"created_at": self.now, "updated_at": self.now, "batch_id": self.batch.pk}
        with_units = [for_row(r) if r.unit_credit_code or r.unit_name else None for r in rows]
        if any(with_units):
            columns += ("unit_id",)
            values = [
                (*row[:PERSON_FIELDS], unit.pk if unit else None)
                for row, unit in zip(rows, with_units, strict=True)
            ]
        else:  # most rosters name no units
            constants["unit_id"] = None
            values = [row[:PERSON_FIELDS] for row in rows]
        table = Person._meta.db_table
        with transaction.get_connection().cursor() as cursor:
            ids = _new_ids(cursor, table, len(rows))
            if ids is None:
                _insert(cursor, Person, columns, values, constants)
                return _written_ids(cursor, table, [row.digest for row in rows])
            values = [(pk, *row) for pk, row in zip(ids, values, strict=True)]
            _insert(cursor, Person, ("id", *columns), values, constants)
        return ids

    def _insert_memberships(
        self, people: list[tuple[int, str, int, str]], organisation: Organisation
    ) -> None:
        """Open memberships of `organisation` for people (id, sort key, traits, joining date or
        "" for today)."""
        today = self.today.isoformat()
        values = [(pk, key, traits, day or today) for pk, key, traits, day in people]
        constants = {
            "union_id": organisation.pk,
            "status": MembershipStatus.ACTIVE.value,
            "end_reason": "",
            "batch_id": self.batch.pk,
        }
        with transaction.get_connection().cursor() as cursor:
            _insert(cursor, Membership, MEMBERSHIP_COLUMNS, values, constants)


# the person fields their memberships carry a copy of (as name_key and traits)
FOLLOWED = frozenset(
    {"name_key", "skill_level", "is_frontline", "is_migrant", "is_enterprise_head"}
)


def _traits(row: SealedRow) -> int:
    return roster_traits(
        skill_level=row.skill_level,
        is_frontline=row.is_frontline,
        is_migrant=row.is_migrant,
        is_head=row.is_enterprise_head,
    )


def memberships_follow_people(people: list[int]) -> None:
    """The memberships of these people given their (new) sort keys and traits."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Membership.objects.filter(person__in=people).update(
        name_key=Subquery(person.values("name_key")[:1]),
        traits=Subquery(person.annotate(value=roster_traits_expression()).values("value")[:1]),
    )


class RollbackRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@transaction.atomic
def roll_back_batch(*, batch: ImportBatch, by: Actor) -> dict[str, int]:
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
    renamed: list[int] = []
    for revision in batch.revisions.all():
        Person.objects.filter(pk=revision.person_id).update(**revision.before)
        restored += 1
        renamed.append(revision.person_id)
    memberships_follow_people(renamed)
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
