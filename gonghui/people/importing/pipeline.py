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
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.types import Actor
from gonghui.core.background import in_child
from gonghui.core.tabular import RowError, Table, open_table
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import Scope
from gonghui.people.actions import check_member_union
from gonghui.people.importing.checking import (
    Checked,
    FirstRows,
    PlainChunk,
    checked_chunks,
    sealed_chunks,
)
from gonghui.people.importing.planning import Plan, Units, plan_rows
from gonghui.people.importing.registered import registered_people
from gonghui.people.importing.tuning import bulk_writing
from gonghui.people.importing.writing import BatchWriter
from gonghui.people.models import ImportBatch
from gonghui.people.permissions import seen_scope
from gonghui.people.tabular import MEMBER_SPEC

# Files from this size on are read and checked in a child process beside the writing; below it
# the fork would cost more than it saves.
PARALLEL_FROM_BYTES = 1 << 20


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
        path=Path(path),
        union=union,
        by=by,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        transfer=transfer,
        file_name=file_name,
        progress=progress,
        seen=seen_scope(by),
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

        def produce() -> Generator[PlainChunk | list[list[Any]], None, None]:
            yield from checked_chunks(table, today=today)
            # what reading the rows noted (lines left out, months alone), perhaps in a child
            yield table.notes()

        large = job.path.stat().st_size >= PARALLEL_FROM_BYTES
        source = in_child(produce) if large else produce()
        chunks = sealed_chunks(_taking_notes(source, table))
        try:
            if job.dry_run:
                return _check(job, chunks, present=table.present)
            return _write(job, chunks, present=table.present, first=first)
        finally:
            source.close()  # stops the child at once if the import stops early


def _taking_notes(
    source: Iterable[PlainChunk | list[list[Any]]], table: Table
) -> Iterator[PlainChunk]:
    """The chunks; what the reading noted (the lines left out below the data, the dates giving
    only a month) goes back on this process's table, which says how the file was read
    (`Table.reading`)."""
    for item in source:
        if isinstance(item, list):
            table.take_notes(item)
        else:
            yield item


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
    registered = registered_people(_expected_rows(job.path))
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
        with transaction.atomic(), bulk_writing(expected_rows=expected_rows, first=first):
            batch = _start_batch(job)
            # read once the import holds SQLite's write lock: nobody registers anyone after
            registered = registered_people(expected_rows) if first else None
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


def _expected_rows(path: Path) -> int:
    """About how many rows a roster file holds, from its size (a row of .xlsx or .csv takes
    some 40 to 100 bytes): enough to choose how to write them."""
    return path.stat().st_size // 60


def _start_batch(job: _Job) -> ImportBatch:
    """The import's batch, opened for the file."""
    return ImportBatch.objects.create(
        union=job.union,
        file_name=(job.file_name or job.path.name)[:255],
        file_sha256=_file_digest(job.path),
        created_by=job.by if getattr(job.by, "pk", None) else None,
        options={"skip_invalid": job.skip_invalid, "transfer": job.transfer},
    )


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
