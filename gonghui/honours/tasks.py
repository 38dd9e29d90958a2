"""Background work of the web import of past honourees: check the stored file (with
progress), then, once the officer confirms, check it again and write it, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core.tabular import UnreadableFile, open_table
from gonghui.core.uploads import discard_upload
from gonghui.honours.importer import (
    HONOUREE_SPEC,
    HonoureePlan,
    apply_honouree_import,
    plan_honouree_import,
)
from gonghui.honours.models import HonoureeImport
from gonghui.orgs.permissions import orgs_for_action
from gonghui.people.models import JobStage

KEEP_ERRORS = 500


def _checked(job_id: int, rows: int) -> None:
    HonoureeImport.objects.filter(pk=job_id).update(rows_checked=rows)


def _errors(plan: HonoureePlan) -> list[list[object]]:
    return [[e.row, e.column, e.message] for e in plan.errors[:KEEP_ERRORS]]


def _fail(job: HonoureeImport, message: str) -> None:
    HonoureeImport.objects.filter(pk=job.pk).update(stage=JobStage.FAILED, message=message)
    discard_upload(job)


@task()
def check_honourees_file(job_id: int) -> None:
    job = HonoureeImport.objects.select_related("created_by").get(pk=job_id)
    if job.stage != JobStage.QUEUED:
        return
    HonoureeImport.objects.filter(pk=job_id).update(stage=JobStage.CHECKING)
    allowed = orgs_for_action(job.created_by, "edit")
    try:
        with open_table(Path(job.stored_path), spec=HONOUREE_SPEC) as table:
            plan = plan_honouree_import(
                table, allowed=allowed, progress=lambda n: _checked(job_id, n)
            )
    except UnreadableFile as error:
        _fail(job, error.message)
        return
    HonoureeImport.objects.filter(pk=job_id).update(
        stage=JobStage.CHECKED,
        rows_checked=plan.rows_checked,
        rows_ready=len(plan.rows),
        errors=_errors(plan),
        error_count=len(plan.errors),
    )
    if not plan.is_clean:
        discard_upload(job)  # nothing will be written: the officer corrects and uploads again


@task()
def import_honourees_file(job_id: int) -> None:
    job = HonoureeImport.objects.select_related("created_by").get(pk=job_id)
    if job.stage != JobStage.APPLYING:
        return
    if not job.stored_path:
        _fail(job, _("The uploaded file is no longer kept; upload it again."))
        return
    # checked again from the stored file and the officer's scope now: nothing is trusted
    allowed = orgs_for_action(job.created_by, "edit")
    created = 0
    try:
        with open_table(Path(job.stored_path), spec=HONOUREE_SPEC) as table, transaction.atomic():
            plan = plan_honouree_import(table, allowed=allowed)
            if plan.is_clean:
                created = apply_honouree_import(plan=plan, by=job.created_by, source=job.file_name)
    except UnreadableFile as error:
        _fail(job, error.message)
        return
    if plan.is_clean:
        HonoureeImport.objects.filter(pk=job_id).update(stage=JobStage.DONE, created=created)
    else:
        HonoureeImport.objects.filter(pk=job_id).update(
            stage=JobStage.CHECKED,
            errors=_errors(plan),
            error_count=len(plan.errors),
            message=_(
                "The register or your scope changed between the check and the import; nothing "
                "was written. See the errors."
            ),
        )
    discard_upload(job)
