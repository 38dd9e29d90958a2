"""Every step of an import's life, each one audited; the only place a job's stage moves.

upload → queued → checking → checked → (confirmed) applying → done, or failed or cancelled on
the way, and rolled back after done where the kind can undo itself. A step taken twice (a
double click, a task delivered twice) finds the stage already moved and does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from gonghui.core import audit
from gonghui.core.actor import Actor
from gonghui.core.imports import files
from gonghui.core.imports.kinds import Checked, ImportKind, Label, Written
from gonghui.core.imports.models import RUNNING, ImportJob, ImportStage
from gonghui.core.notifications import notify
from gonghui.core.uploads import discard_upload

KEEP_ERRORS = 500  # errors kept on the job for the page; the download has them all

AUDIT_ACTIONS: dict[str, Label] = {
    "import.upload": gettext_lazy("File uploaded for import"),
    "import.check": gettext_lazy("Import file checked"),
    "import.confirm": gettext_lazy("Import confirmed"),
    "import.done": gettext_lazy("Import written"),
    "import.fail": gettext_lazy("Import failed"),
    "import.cancel": gettext_lazy("Import cancelled"),
    "import.roll_back": gettext_lazy("Import rolled back"),
    "import.choose_sheet": gettext_lazy("Another sheet of the workbook chosen for import"),
}


class StageRefused(Exception):
    """The job is not in a stage that allows this step; `message` says so to the officer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SheetRefused(StageRefused):
    """The sheet asked for is not one the import can read: not in the workbook, or without
    the import's header or rows beneath it."""


def _record(action: str, job: ImportJob, by: Actor, **extra: Any) -> None:
    audit.record(
        action=action,
        by=by,
        obj=job,
        organisation=job.organisation,
        extra={"kind": job.kind, "file": job.file_name, **extra},
    )


def _tell(job: ImportJob, message: str) -> None:
    """Tell whoever uploaded the file how its import went (the header's notifications)."""
    try:
        url = job.get_absolute_url()
    except NoReverseMatch:  # a kind without pages of its own
        url = ""
    notify(
        [job.created_by_id],
        message,
        {
            "file": job.file_name,
            "rows": job.rows_checked,
            "bad": job.error_count,
            "written": job.rows_written,
        },
        url=url,
    )


def _move(job: ImportJob, *, allowed: set[str], to: str, **fields: Any) -> bool:
    """Move the stage from one of `allowed` to `to`, in one conditional update (so that two
    requests or two deliveries of a task cannot both take the step)."""
    moved = ImportJob.objects.filter(pk=job.pk, stage__in=allowed).update(stage=to, **fields)
    if moved:
        job.stage = to
        for name, value in fields.items():
            setattr(job, name, value)
    return bool(moved)


@transaction.atomic
def start_import(
    *,
    kind: ImportKind[Any],
    upload: UploadedFile,
    by: AbstractBaseUser,
    organisation: Any = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Keep an uploaded file and queue its check."""
    stored = files.store_upload(upload)
    job = ImportJob.objects.create(
        kind=kind.code,
        organisation=organisation,
        created_by_id=by.pk,
        file_name=Path(upload.name or "").name[:255],
        stored_path=str(stored),
        options=options or {},
    )
    _record("import.upload", job, by)
    from gonghui.core.imports import tasks

    # the task's row is written in this transaction: a worker sees it once the job is there
    tasks.check_job.enqueue(job.pk)
    return job


def begin_check(*, job: ImportJob) -> bool:
    """The worker takes a queued job; False if another has taken it or it was cancelled."""
    return _move(job, allowed={ImportStage.QUEUED}, to=ImportStage.CHECKING)


def note_rows_checked(*, job_id: int, rows: int) -> None:
    """Progress of a check, for the page (outside any transaction, so the page sees it)."""
    ImportJob.objects.filter(pk=job_id).update(rows_checked=rows)


def _findings(job: ImportJob, checked: Checked) -> dict[str, Any]:
    kept = checked.errors[:KEEP_ERRORS]
    if checked.errors:
        path = files.errors_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_error_file(
            job.kind_spec, checked.errors, path, suffix=job.kind_spec.errors_suffix
        )
    return {
        "rows_checked": checked.rows,
        "rows_total": checked.rows,
        "rows_ready": checked.ready,
        "counts": dict(checked.counts),
        "errors": [[e.row, e.column, e.message, e.sheet] for e in kept],
        "error_count": checked.bad_rows,
        "warnings": [[w.row, w.column, w.message, w.sheet] for w in checked.warnings[:KEEP_ERRORS]],
        "readings": checked.readings,
        "sheets": checked.sheets,
    }


def finish_check(*, job: ImportJob, checked: Checked) -> None:
    """Record what the check found. The upload and its error list stay while the officer
    reads them, until cancelled, imported or past the retention period (core.uploads)."""
    if not _move(job, allowed={ImportStage.CHECKING}, to=ImportStage.CHECKED):
        return
    ImportJob.objects.filter(pk=job.pk).update(**_findings(job, checked))
    job.refresh_from_db()
    _record("import.check", job, None, rows=checked.rows, bad_rows=checked.bad_rows)
    _tell(job, gettext_noop("%(file)s is checked: %(rows)s rows, %(bad)s with errors"))


def fail_import(*, job: ImportJob, message: str) -> None:
    """The file could not be read (or is no longer kept): the job ends, the upload goes."""
    if not _move(
        job, allowed={*RUNNING, ImportStage.CHECKED}, to=ImportStage.FAILED, message=message
    ):
        return
    _record("import.fail", job, None, reason=message)
    _tell(job, gettext_noop("%(file)s could not be imported"))
    discard_upload(job)


@transaction.atomic
def confirm_import(*, job: ImportJob, by: Actor, skip_bad_rows: bool = False) -> None:
    """The officer asks for the checked file to be written (its good rows only, if chosen)."""
    if not job.can_apply or (job.error_count and not skip_bad_rows):
        raise StageRefused(_("This import cannot be applied in its present state."))
    if not _move(
        job,
        allowed={ImportStage.CHECKED},
        to=ImportStage.APPLYING,
        skip_bad_rows=skip_bad_rows,
        message="",
    ):
        raise StageRefused(_("This import cannot be applied in its present state."))
    _record("import.confirm", job, by, skip_bad_rows=skip_bad_rows)
    from gonghui.core.imports import tasks

    tasks.apply_job.enqueue(job.pk)


def finish_import(*, job: ImportJob, written: Written) -> None:
    """The rows are written: the job remembers what, and the upload goes."""
    _move(
        job,
        allowed={ImportStage.APPLYING},
        to=ImportStage.DONE,
        rows_written=written.rows,
        counts=dict(written.counts),
        result=dict(written.result),
    )
    _record("import.done", job, None, rows=written.rows)
    job.refresh_from_db()
    _tell(job, gettext_noop("%(file)s is imported: %(written)s rows written"))
    discard_upload(job)


def reopen_after_recheck(*, job: ImportJob, checked: Checked, message: str) -> None:
    """The file no longer passes (the data or the scope changed since the check): nothing was
    written; the job shows the new errors."""
    if _move(job, allowed={ImportStage.APPLYING}, to=ImportStage.CHECKED, message=message):
        ImportJob.objects.filter(pk=job.pk).update(**_findings(job, checked))
        job.refresh_from_db()
    files.progress_path(job).unlink(missing_ok=True)


# what a check found, forgotten when the file is checked again on another sheet
_UNCHECKED: dict[str, Any] = {
    "rows_checked": 0,
    "rows_total": 0,
    "rows_ready": 0,
    "counts": {},
    "errors": [],
    "error_count": 0,
    "warnings": [],
    "readings": [],
    "message": "",
}


def _sheet_read(job: ImportJob) -> str:
    return job.sheet or next((s["name"] for s in job.sheets if s.get("read")), "")


@transaction.atomic
def choose_sheet(*, job: ImportJob, sheet: str, by: Actor) -> bool:
    """Read another sheet of the checked workbook: the file is checked again, on that sheet.
    False when there is nothing to do (the sheet is the one read, or a double click took the
    step already)."""
    found = next((s for s in job.sheets if s["name"] == sheet), None)
    if found is None:
        raise SheetRefused(_("The workbook has no sheet named %(sheet)s.") % {"sheet": sheet})
    if not found["header_rows"] or found["problem"]:
        raise SheetRefused(
            _("The sheet %(sheet)s cannot be read for this import: %(problem)s")
            % {"sheet": sheet, "problem": found["problem"]}
        )
    before = _sheet_read(job)
    if sheet == before:
        return False
    moved = (
        ImportJob.objects.filter(pk=job.pk, stage=ImportStage.CHECKED)
        .exclude(stored_path="")
        .exclude(sheet=sheet)
        .update(stage=ImportStage.QUEUED, sheet=sheet, **_UNCHECKED)
    )
    if not moved:
        job.refresh_from_db()
        if job.sheet == sheet and job.stage in {*RUNNING, ImportStage.CHECKED}:
            return False  # taken already: a double click, or a second tab
        raise StageRefused(_("Another sheet can no longer be chosen for this import."))
    files.errors_path(job).unlink(missing_ok=True)
    job.refresh_from_db()
    _record("import.choose_sheet", job, by, sheet=sheet, previous=before)
    from gonghui.core.imports import tasks

    tasks.check_job.enqueue(job.pk)
    return True


@transaction.atomic
def cancel_import(*, job: ImportJob, by: Actor) -> None:
    """The officer drops a job before it is written; its upload is deleted at once."""
    if not _move(job, allowed={ImportStage.QUEUED, ImportStage.CHECKED}, to=ImportStage.CANCELLED):
        raise StageRefused(_("This import can no longer be cancelled."))
    _record("import.cancel", job, by)
    discard_upload(job)


@transaction.atomic
def roll_back_import(*, job: ImportJob, by: Actor) -> str:
    """Undo what a done job wrote, through its kind; returns the kind's account of it."""
    kind = job.kind_spec
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.stage != ImportStage.DONE or kind.roll_back is None:
        raise StageRefused(_("This import cannot be rolled back."))
    summary = str(kind.roll_back(locked, by))
    _move(job, allowed={ImportStage.DONE}, to=ImportStage.ROLLED_BACK)
    _record("import.roll_back", job, by, summary=summary)
    return summary
