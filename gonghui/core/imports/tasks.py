"""The background half of every web import: check the stored upload (with progress), then,
once the officer confirms, check it again from the file and write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core import metrics
from gonghui.core.housekeeping import checkpoint_after_import
from gonghui.core.imports import actions, files
from gonghui.core.imports.kinds import (
    Checked,
    Context,
    Written,
    apply_file,
    check_file,
    sheets_to_choose,
)
from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.tabular import UnreadableFile


def _context(job: ImportJob) -> Context[Any]:
    return Context(
        by=job.created_by,
        source=job.file_name,
        organisation=job.organisation,
        options=job.options,
        skip_bad_rows=job.skip_bad_rows,
        sheet=job.sheet or None,
    )


@task()
def check_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by", "organisation").get(pk=job_id)
    if not actions.begin_check(job=job):
        return
    context = _context(job)
    # a check says how far it has come now and then (every few hundred rows)
    context.progress = lambda rows: actions.note_rows_checked(job_id=job_id, rows=rows)
    kind, path = job.kind_spec, Path(job.stored_path)
    try:
        checked = check_file(kind, path, context)
    except UnreadableFile as error:
        actions.fail_import(job=job, message=error.message)
        return
    checked.sheets = sheets_to_choose(kind, path, checked)
    actions.finish_check(job=job, checked=checked)


def _write(job: ImportJob, context: Context[Any]) -> tuple[Checked, Written | None]:
    kind = job.kind_spec
    if kind.apply is not None:
        context.progress = lambda rows: files.report_progress(job.pk, rows)
        return apply_file(kind, Path(job.stored_path), context)
    with transaction.atomic():
        checked = check_file(kind, Path(job.stored_path), context)
        if not checked.ready or (checked.errors and not job.skip_bad_rows):
            return checked, None
        context.progress = lambda rows: files.report_progress(job.pk, rows)
        assert kind.write is not None  # a kind has a writer, or `apply` (ImportKind)
        return checked, kind.write(checked, context)


@task()
def apply_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by", "organisation").get(pk=job_id)
    if job.stage != ImportStage.APPLYING:
        return
    if not job.stored_path:
        actions.fail_import(
            job=job, message=_("The uploaded file is no longer kept; upload it again.")
        )
        return
    try:
        # checked again from the stored file and the officer's scope now: nothing is trusted
        checked, written = _write(job, _context(job))
    except UnreadableFile as error:
        actions.fail_import(job=job, message=error.message)
        return
    if written is None:
        actions.reopen_after_recheck(
            job=job,
            checked=checked,
            message=_(
                "The data or your scope changed between the check and the import; nothing was "
                "written. See the errors."
            ),
        )
        return
    actions.finish_import(job=job, written=written)
    metrics.count_import_written(kind=job.kind, rows=written.rows)
    checkpoint_after_import(rows=written.rows)
