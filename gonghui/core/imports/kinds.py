"""What an app declares to have an import: its columns, its check, its writer, who may run it.

An app builds one `ImportKind` in its own module and registers it in its AppConfig.ready
(as it declares its audit actions); the lifecycle (`actions`, `tasks`, `views`, `command`)
then gives it the upload page, the background check with progress, the error list and its
download, the confirmation, the template download and the CLI command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils.functional import Promise

from gonghui.core import metrics
from gonghui.core.tabular import RowError, Spec, Table, collect_readings, survey_sheets
from gonghui.core.tabular.reading import CHOSEN_SHEET

if TYPE_CHECKING:
    from gonghui.core.imports.models import ImportJob

Label = str | Promise
T = TypeVar("T")
# the app's own User model: the kind's functions take it (core imports no app to name it)
U = TypeVar("U", bound=AbstractBaseUser)


@dataclass
class Context(Generic[U]):
    """What a check and a writer are told about the import they serve."""

    by: U | None  # the importing user, or None on the command line: every organisation in reach
    source: str  # the uploaded file's name, for the audit trail
    organisation: Any = None  # the organisation chosen on the upload form, if the kind has one
    options: Mapping[str, Any] = field(default_factory=dict)
    skip_bad_rows: bool = False
    progress: Callable[[int], None] = lambda rows: None
    # the sheet of a workbook to read (the officer's choice, or --sheet); None: the first
    # whose top rows hold the import's header
    sheet: str | None = None


@dataclass
class Checked:
    """A check's answer: how many rows were read and are ready, what is wrong, and the plan
    (the app's own object) that the writer takes."""

    rows: int = 0
    ready: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    plan: Any = None
    # how each sheet was read (`core.tabular.Reading.as_json`): filled in by the lifecycle
    readings: list[dict[str, Any]] = field(default_factory=list)
    # a workbook's sheets, to choose from (`core.tabular.SheetFound.as_json`): filled in by
    # the lifecycle for a kind that reads one sheet
    sheets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({(error.sheet, error.row) for error in self.errors})


@dataclass
class Written:
    """A writer's answer: rows written, counts by what happened, and what the job keeps of it
    (plain JSON: a batch number for the roll-back, the url of what was made)."""

    rows: int
    counts: dict[str, int] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportKind(Generic[U]):
    """One import: a spec, a check, a writer, and who may run it.

    - `check(path, context)` reads the file and checks every row, writing nothing; it raises
      `UnreadableFile` for a file it cannot read at all.
    - `write(checked, context)` writes a checked plan (only its good rows when the officer chose
      to skip the bad ones); it runs in the transaction of a fresh check of the same file.
    - `may_import(user)` says whether the page is open to a user at all; `organisations(user)`,
      if given, lists the organisations a user imports into: the user sees the jobs of those.
    - `form_fields(user)` adds fields to the upload form (the organisation, options);
      `organisation_field` names the one whose value is the job's organisation.
    - `roll_back(job, by)` undoes a done job, if the kind can; it returns a message to show
      (and raises `StageRefused` with the reason when it cannot).
    """

    code: str  # "honours.honourees": app label, dot, a name
    label: Label  # the page's title: "Import past honourees"
    spec: Spec
    check: Callable[[Path, Context[U]], Checked]
    may_import: Callable[[U], bool]
    url_name: str  # the upload page; its job pages are `<url_name>_job` and so on
    write: Callable[[Checked, Context[U]], Written] | None = None
    intro: Label = ""  # a line above the upload form: what the file holds
    organisations: Callable[[U], models.QuerySet[Any]] | None = None
    form_fields: Callable[[U], dict[str, forms.Field]] | None = None
    organisation_field: str = ""
    skips_bad_rows: bool = False  # may the officer import the good rows of a file with bad ones
    roll_back: Callable[[ImportJob, U | None], str] | None = None
    count_labels: Mapping[str, Label] = field(default_factory=dict)
    # where a done job leads, and the link's text: the register, the batch, the contest
    done_link: Callable[[ImportJob], tuple[str, str]] | None = None
    form_initial: Callable[[U], dict[str, Any]] | None = None  # the upload form's first values
    # A kind whose writer checks as it goes (one pass over a large file) gives `apply`
    # instead: it checks the file again and writes it (its good rows, if so chosen) in one
    # transaction, and answers the check and what was written (None when nothing was).
    apply: Callable[[Path, Context[U]], tuple[Checked, Written | None]] | None = None
    back_url_name: str = ""  # the list the page belongs to, for the breadcrumbs
    suffixes: tuple[str, ...] = (".xlsx", ".xls", ".ods", ".csv")
    # the template's sheets (name, spec); one sheet named after the kind when empty
    sheets: tuple[tuple[str, Spec], ...] = ()
    errors_suffix: str = ".xlsx"
    refuse_as_missing: bool = False  # a refused upload page answers 404 instead of 403
    links: tuple[tuple[str, Label], ...] = ()  # (url name, label) shown on the upload page

    def __post_init__(self) -> None:
        if (self.write is None) == (self.apply is None):
            raise ValueError(f"import kind {self.code!r} needs a writer or `apply`, not both")

    @property
    def app_label(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def template_sheets(self) -> tuple[tuple[str, Spec], ...]:
        return self.sheets or ((str(self.label)[:31], self.spec),)

    @property
    def has_sheets(self) -> bool:
        return len(self.sheets) > 1


PROGRESS_EVERY = 200  # rows between two reports of progress


def counted(
    rows: Iterable[T], context: Context[Any], counter: list[int] | None = None
) -> Iterator[T]:
    """The rows, telling `context.progress` how many have passed now and then and at the end;
    `counter`, if given, holds the count afterwards."""
    count = 0
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            context.progress(count)
        yield row
    context.progress(count)
    if counter is not None:
        counter[:] = [count]


def readings_of(tables: Iterable[Table]) -> list[dict[str, Any]]:
    """How the sheets were read, one per sheet (a sheet read twice counts once: the last)."""
    found: dict[str, dict[str, Any]] = {}
    for table in tables:
        reading = table.reading.as_json()
        found[reading["sheet"]] = reading
    return list(found.values())


@contextmanager
def _rows_counted(kind: ImportKind[Any], context: Context[Any]) -> Iterator[list[int]]:
    """Count the rows checked into the metrics as the check's progress reports them (so that
    a long import shows its rate while it runs); the list holds the count so far."""
    told, seen = context.progress, [0]

    def progress(rows: int) -> None:
        metrics.count_rows_checked(kind=kind.code, rows=rows - seen[0])
        seen[0] = max(seen[0], rows)
        told(rows)

    context.progress = progress
    try:
        yield seen
    finally:
        context.progress = told


@contextmanager
def _reading(context: Context[Any]) -> Iterator[list[Table]]:
    """The tables opened within, reading the sheet the context names (if it names one)."""
    chosen = CHOSEN_SHEET.set(context.sheet or None)
    try:
        with collect_readings() as tables:
            yield tables
    finally:
        CHOSEN_SHEET.reset(chosen)


def check_file(kind: ImportKind[Any], path: Path, context: Context[Any]) -> Checked:
    """The kind's check, with how each sheet was read (the header row, the rows skipped)."""
    with _reading(context) as tables, _rows_counted(kind, context) as seen:
        checked = kind.check(path, context)
    metrics.count_rows_checked(kind=kind.code, rows=checked.rows - seen[0])
    checked.readings = readings_of(tables)
    return checked


def apply_file(
    kind: ImportKind[Any], path: Path, context: Context[Any]
) -> tuple[Checked, Written | None]:
    """The kind's `apply`, with how each sheet was read."""
    assert kind.apply is not None
    with _reading(context) as tables, _rows_counted(kind, context) as seen:
        checked, written = kind.apply(path, context)
    metrics.count_rows_checked(kind=kind.code, rows=checked.rows - seen[0])
    checked.readings = readings_of(tables)
    return checked, written


def sheets_to_choose(kind: ImportKind[Any], path: Path, checked: Checked) -> list[dict[str, Any]]:
    """The sheets of a workbook of several that the officer may read instead, each with where
    its header is or why none was found; none for a kind that reads several sheets by name,
    a CSV file, or a workbook of one sheet."""
    if kind.has_sheets:
        return []
    read = checked.readings[0] if len(checked.readings) == 1 else None
    return [found.as_json() for found in survey_sheets(path, kind.spec, read=read)]


_KINDS: dict[str, ImportKind[Any]] = {}


def register(kind: ImportKind[U]) -> ImportKind[U]:
    """Declare an import (in the app's AppConfig.ready); a code is registered once."""
    known = _KINDS.get(kind.code)
    if known is not None and known is not kind:
        raise ValueError(f"import kind {kind.code!r} is registered twice")
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> ImportKind[Any]:
    return _KINDS[code]


def kinds() -> list[ImportKind[Any]]:
    return [_KINDS[code] for code in sorted(_KINDS)]


def unregister(code: str) -> None:
    """For tests that declare a kind of their own."""
    _KINDS.pop(code, None)
