"""The files an import keeps beside its job row: the upload, the error list, the progress of
its writing; and the template an officer fills in, made from the kind's columns."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gonghui.core.imports.kinds import ImportKind
from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.tabular import ERROR_HEADERS, Cell, RowError, Spec, column_letters, write_csv
from gonghui.core.tabular.writing import write_xlsx

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_HEADER = "工作表"


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store_upload(upload: UploadedFile) -> Path:
    """Keep an upload under a random name (its own name never reaches the disk)."""
    suffix = Path(upload.name or "").suffix.lower()
    target = folder() / "uploads" / f"{uuid.uuid4().hex}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target


def errors_path(job: ImportJob) -> Path:
    return folder() / f"job-{job.pk}-errors{job.kind_spec.errors_suffix}"


def progress_path(job: ImportJob) -> Path:
    return folder() / f"job-{job.pk}-progress"


def derived_files(job: ImportJob) -> Iterator[Path]:
    """The files made from an upload: they go with it (see core.uploads)."""
    yield errors_path(job)
    yield progress_path(job)


def error_headers(kind: ImportKind[Any]) -> tuple[str, ...]:
    return (SHEET_HEADER, *ERROR_HEADERS) if kind.has_sheets else ERROR_HEADERS


def error_cells(kind: ImportKind[Any], errors: Iterable[RowError]) -> Iterator[tuple[Cell, ...]]:
    for error in errors:
        cells: tuple[Cell, ...] = (error.row or "", error.column, error.message)
        yield (error.sheet, *cells) if kind.has_sheets else cells


def write_error_file(
    kind: ImportKind[Any], errors: Iterable[RowError], target: Path | IO[bytes], *, suffix: str
) -> int:
    """Every error of a check, as .xlsx or .csv (行号, 列, 错误; 工作表 first in a workbook)."""
    rows = error_cells(kind, errors)
    if suffix == ".csv":
        if isinstance(target, Path):
            with target.open("wb") as handle:
                return write_csv(rows, error_headers(kind), handle)
        return write_csv(rows, error_headers(kind), target)
    return write_xlsx(rows, error_headers(kind), target, title="errors")


def report_progress(job_id: int, rows: int) -> None:
    # A writer runs in one transaction, which hides its own updates of the job from the page
    # until it ends: the count goes through a small file instead, replaced whole.
    path = folder() / f"job-{job_id}-progress"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(str(rows))
    os.replace(partial, path)


def rows_written(job: ImportJob) -> int:
    """How far the writing of a confirmed job has come."""
    if job.stage != ImportStage.APPLYING:
        return job.rows_written
    try:
        return int(progress_path(job).read_text())
    except (OSError, ValueError):
        return 0


def write_template(kind: ImportKind[Any], target: Path | IO[bytes]) -> None:
    """An empty workbook to fill in: each sheet's Chinese header row, the required headers in
    bold, and on each header a comment saying what the column takes (a comment, not a row,
    so that the template imports as it is)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, spec in kind.template_sheets:
        _template_sheet(workbook.create_sheet(title=name[:31]), spec)
    workbook.save(target)


def _template_sheet(sheet: Worksheet, spec: Spec) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    for position, column in enumerate(spec.columns):
        cell = sheet.cell(row=1, column=position + 1, value=column.header)
        cell.font = Font(bold=column.required)
        need = _("Required") if column.required else _("Optional")
        cell.comment = Comment(f"{need}. {column.help}" if column.help else need, "gonghui")
        width = max(12, 2 * len(column.header) + 4)
        sheet.column_dimensions[column_letters(position)].width = width
    sheet.freeze_panes = "A2"
