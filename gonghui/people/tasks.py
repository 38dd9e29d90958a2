"""Background work of web imports: check a stored upload, then apply it once confirmed."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core.housekeeping import checkpoint_after_import
from gonghui.core.tabular import UnreadableFile, write_errors
from gonghui.core.uploads import discard_upload
from gonghui.people.importing.pipeline import import_members
from gonghui.people.models import ImportJob, JobStage

KEEP_ERRORS = 500


def errors_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job.pk}-errors.csv"


def progress_path(job: ImportJob) -> Path:
    return _progress_file(job.pk)


def _progress_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job_id}-progress"


def _progress(job_id: int, stage: str, rows: int) -> None:
    if stage != "apply":
        ImportJob.objects.filter(pk=job_id).update(rows_checked=rows)
        return
    # The import writes in one transaction, which hides its own updates of the job from the
    # page until it ends: the count goes through a small file instead, replaced whole.
    path = _progress_file(job_id)
    partial = path.with_suffix(".partial")
    partial.write_text(str(rows))
    os.replace(partial, path)


def rows_applied(job: ImportJob) -> int:
    """How far the import of a confirmed job has come."""
    if job.stage != JobStage.APPLYING:
        return job.rows_applied
    try:
        return int(progress_path(job).read_text())
    except (OSError, ValueError):
        return 0


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(stage=JobStage.FAILED, message=message)
    discard_upload(ImportJob.objects.get(pk=job_id))


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("union", "created_by").get(pk=job_id)
    if job.stage != JobStage.QUEUED:
        return
    ImportJob.objects.filter(pk=job_id).update(stage=JobStage.CHECKING)
    try:
        report = import_members(
            path=Path(job.stored_path),
            union=job.union,
            by=job.created_by,
            dry_run=True,
            transfer=bool(job.options.get("transfer")),
            progress=lambda stage, n: _progress(job_id, stage, n),
        )
    except UnreadableFile as error:
        _fail(job_id, error.message)
        return
    if report.errors:
        errors_path(job).parent.mkdir(parents=True, exist_ok=True)
        write_errors(report.errors, errors_path(job))
    ImportJob.objects.filter(pk=job_id).update(
        stage=JobStage.CHECKED,
        rows_checked=report.rows,
        rows_total=report.rows,
        counts=dict(report.counts),
        errors=[[e.row, e.column, e.message] for e in report.errors[:KEEP_ERRORS]],
        error_count=len({e.row for e in report.errors}),
        warnings=[[w.row, w.column, w.message] for w in report.warnings[:KEEP_ERRORS]],
    )


@task()
def apply_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("union", "created_by").get(pk=job_id)
    if job.stage != JobStage.APPLYING:
        return
    if not job.stored_path:
        _fail(job_id, _("The uploaded file is no longer kept; upload it again."))
        return
    try:
        # re-checked from the stored file: nothing from the preview is trusted
        report = import_members(
            path=Path(job.stored_path),
            union=job.union,
            by=job.created_by,
            skip_invalid=bool(job.options.get("skip_invalid")),
            transfer=bool(job.options.get("transfer")),
            file_name=job.file_name,
            progress=lambda stage, n: _progress(job_id, stage, n),
        )
    except UnreadableFile as error:
        _fail(job_id, error.message)
        return
    if not report.written:
        progress_path(job).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job_id).update(
            stage=JobStage.CHECKED,
            counts=dict(report.counts),
            errors=[[e.row, e.column, e.message] for e in report.errors[:KEEP_ERRORS]],
            error_count=len({e.row for e in report.errors}),
            message=_(
                "The roster changed between the check and the import; nothing was written. See the errors."
            ),
        )
        return
    ImportJob.objects.filter(pk=job_id).update(
        stage=JobStage.DONE,
        batch=report.batch,
        counts=dict(report.counts),
        rows_applied=report.rows,
    )
    discard_upload(job)
    checkpoint_after_import(rows=report.rows)
