"""Every import through the API, as on its page: upload a file (checked in the background),
follow the job, read another sheet of its workbook, confirm it (all of it, or its good rows),
cancel it, roll it back, download its errors or the template. The same actions, permissions and audit events as the pages."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, UploadedFile

from gonghui.core.api_schemas import Id, answers
from gonghui.core.imports import actions, files
from gonghui.core.imports.kinds import ImportKind, get_kind, kinds
from gonghui.core.imports.models import ImportJob
from gonghui.core.imports.permissions import (
    get_import_job_for_user,
    refuse,
    require_importer,
    visible_import_jobs,
)
from gonghui.core.imports.views import SignedInRequest, UploadForm
from gonghui.core.tabular import XLSX_CONTENT_TYPE
from gonghui.core.validators import Conflict

router = Router(tags=["imports"])


class ColumnOut(Schema):
    header: str
    required: bool
    aliases: list[str]
    help: str


class OptionOut(Schema):
    name: str
    label: str
    required: bool
    help: str


class ImportKindOut(Schema):
    code: str = Field(description='"people.roster", "orgs.organisations", …')
    label: str
    intro: str
    suffixes: list[str]
    columns: list[ColumnOut]
    options: list[OptionOut] = Field(
        description="the form fields sent beside the file (multipart/form-data)"
    )
    skips_bad_rows: bool = Field(description="may a file with bad rows be imported without them")
    can_roll_back: bool


class RowErrorOut(Schema):
    row: int | None
    column: str
    message: str
    sheet: str = ""


class SheetOut(Schema):
    name: str
    header_rows: list[int] = Field(description="where its header is; empty when none was found")
    problem: str = Field(description="why it cannot be read for this import, if it cannot")
    read: bool = Field(description="the sheet this import reads")


class ImportJobOut(Schema):
    id: int
    kind: str
    file_name: str
    stage: str = Field(
        description="queued, checking, checked, applying, done, failed, cancelled, rolled_back"
    )
    stage_label: str
    organisation: str | None = Field(description="the organisation's code, if the kind has one")
    created_at: datetime
    rows_total: int
    rows_checked: int
    rows_ready: int
    rows_written: int
    error_count: int
    errors: list[RowErrorOut] = Field(description="the first errors; all of them at …/errors")
    warnings: list[RowErrorOut]
    readings: list[dict[str, Any]] = Field(
        description="how each sheet was read: header rows, rows skipped, columns not imported"
    )
    counts: dict[str, int]
    message: str
    sheet: str = Field(description="the sheet chosen to read; empty: the first with the header")
    sheets: list[SheetOut] = Field(
        description="a workbook's sheets, once checked, when it has more than one"
    )
    can_apply: bool
    can_cancel: bool
    can_roll_back: bool
    can_choose_sheet: bool


def _errors(rows: list[list[Any]]) -> list[dict[str, Any]]:
    keys = ("row", "column", "message", "sheet")
    return [dict(zip(keys, row, strict=False)) for row in rows]


def _job(job: ImportJob) -> dict[str, Any]:
    organisation = job.organisation
    return {
        "id": job.pk,
        "kind": job.kind,
        "file_name": job.file_name,
        "stage": job.stage,
        "stage_label": str(job.get_stage_display()),
        "organisation": getattr(organisation, "code", None),
        "created_at": job.created_at,
        "rows_total": job.rows_total,
        "rows_checked": job.rows_checked,
        "rows_ready": job.rows_ready,
        "rows_written": files.rows_written(job),
        "error_count": job.error_count,
        "errors": _errors(job.errors),
        "warnings": _errors(job.warnings),
        "readings": job.readings,
        "counts": job.counts,
        "message": job.message,
        "sheet": job.sheet,
        "sheets": job.sheets,
        "can_apply": job.can_apply,
        "can_cancel": job.can_cancel,
        "can_roll_back": job.can_roll_back,
        "can_choose_sheet": job.can_choose_sheet,
    }


def _kind(kind: ImportKind[Any], user: Any) -> dict[str, Any]:
    fields = kind.form_fields(user) if kind.form_fields is not None else {}
    return {
        "code": kind.code,
        "label": str(kind.label),
        "intro": str(kind.intro),
        "suffixes": list(kind.suffixes),
        "columns": [
            {
                "header": column.header,
                "required": column.required,
                "aliases": list(column.aliases),
                "help": str(column.help),
            }
            for _name, spec in kind.template_sheets
            for column in spec.columns
        ],
        "options": [
            {
                "name": name,
                "label": str(field.label or name),
                "required": field.required,
                "help": str(field.help_text),
            }
            for name, field in fields.items()
        ],
        "skips_bad_rows": kind.skips_bad_rows,
        "can_roll_back": kind.roll_back is not None,
    }


def _known_kind(code: str) -> ImportKind[Any]:
    try:
        return get_kind(code)
    except KeyError:
        raise Http404(_("There is no import of that kind.")) from None


@router.get(
    "/imports",
    response=answers({200: list[ImportKindOut]}),
    summary="The imports you may run, with their columns and options",
)
def list_kinds(request: HttpRequest) -> Any:
    user = request.user
    return [_kind(kind, user) for kind in kinds() if kind.may_import(user)]


@router.post(
    "/imports/{kind}",
    response=answers({202: ImportJobOut}, 400, 403, 404),
    summary=(
        "Upload a file to import (multipart/form-data: `file` and the kind's options); it is "
        "checked in the background: follow the job, then confirm it"
    ),
)
def start(request: SignedInRequest, kind: str, file: File[UploadedFile]) -> Any:
    spec = _known_kind(kind)
    require_importer(request.user, spec)
    form = UploadForm(request.POST, request.FILES, kind=spec, user=request.user)
    if not form.is_valid():
        raise ValidationError(
            {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        )
    job = actions.start_import(
        kind=spec,
        upload=form.cleaned_data["file"],
        by=request.user,
        organisation=form.organisation(),
        options=form.options(),
    )
    job.refresh_from_db()  # as it stands now: queued, or checked already by an inline worker
    return 202, _job(job)


@router.get(
    "/imports/{kind}/jobs",
    response=answers({200: list[ImportJobOut]}, 404),
    summary="Your latest imports of this kind, and those into organisations you import into",
)
def list_jobs(request: SignedInRequest, kind: str) -> Any:
    spec = _known_kind(kind)
    jobs = visible_import_jobs(request.user, spec).select_related("organisation")[:50]
    return [_job(job) for job in jobs]


@router.get(
    "/imports/{kind}/jobs/{job_id}",
    response=answers({200: ImportJobOut}, 404),
    summary="An import: its stage, progress, findings and what can be done with it",
)
def get_job(request: SignedInRequest, kind: str, job_id: Id) -> Any:
    return _job(get_import_job_for_user(request.user, _known_kind(kind), job_id))


class ConfirmIn(Schema):
    skip_bad_rows: bool = Field(
        False, description="import the good rows of a file with bad ones (where the kind allows)"
    )


def _stage(step: Any, **arguments: Any) -> Any:
    try:
        return step(**arguments)
    except actions.SheetRefused:
        raise  # the request named what cannot be: 400
    except actions.StageRefused as refused:
        raise Conflict(refused.message) from None


@router.post(
    "/imports/{kind}/jobs/{job_id}/confirm",
    response=answers({202: ImportJobOut}, 400, 404, 409),
    summary="Confirm a checked import: its rows are written in the background",
)
def confirm(request: SignedInRequest, kind: str, job_id: Id, body: ConfirmIn) -> Any:
    job = get_import_job_for_user(request.user, _known_kind(kind), job_id)
    _stage(actions.confirm_import, job=job, by=request.user, skip_bad_rows=body.skip_bad_rows)
    job.refresh_from_db()
    return 202, _job(job)


@router.post(
    "/imports/{kind}/jobs/{job_id}/cancel",
    response=answers({200: ImportJobOut}, 404, 409),
    summary="Cancel an import waiting or checked (its uploaded file is deleted)",
)
def cancel(request: SignedInRequest, kind: str, job_id: Id) -> Any:
    job = get_import_job_for_user(request.user, _known_kind(kind), job_id)
    _stage(actions.cancel_import, job=job, by=request.user)
    job.refresh_from_db()
    return _job(job)


class SheetIn(Schema):
    sheet: str = Field(description="the name of one of the job's `sheets`")


@router.post(
    "/imports/{kind}/jobs/{job_id}/sheet",
    response=answers({202: ImportJobOut}, 400, 403, 404, 409),
    summary="Read another sheet of a checked workbook: the job is checked again on it",
)
def choose_sheet(request: SignedInRequest, kind: str, job_id: Id, body: SheetIn) -> Any:
    spec = _known_kind(kind)
    job = get_import_job_for_user(request.user, spec, job_id)
    if not spec.may_import(request.user):
        refuse(
            request.user, kind=spec, action="choose_sheet", object_id=str(job_id), not_found=False
        )
    try:
        _stage(actions.choose_sheet, job=job, sheet=body.sheet, by=request.user)
    except actions.SheetRefused as refused:
        raise ValidationError({"sheet": refused.message}) from None
    job.refresh_from_db()
    return 202, _job(job)


class RolledBackOut(Schema):
    detail: str
    job: ImportJobOut


@router.post(
    "/imports/{kind}/jobs/{job_id}/roll-back",
    response=answers({200: RolledBackOut}, 403, 404, 409),
    summary="Undo an import that was written (where the kind can)",
)
def roll_back(request: SignedInRequest, kind: str, job_id: Id) -> Any:
    spec = _known_kind(kind)
    job = get_import_job_for_user(request.user, spec, job_id)
    if not spec.may_import(request.user):
        refuse(request.user, kind=spec, action="roll_back", object_id=str(job_id), not_found=False)
    summary = _stage(actions.roll_back_import, job=job, by=request.user)
    job.refresh_from_db()
    return {"detail": summary, "job": _job(job)}


@router.get(
    "/imports/{kind}/jobs/{job_id}/errors",
    response=answers({200: None}, 404),
    summary="Every error of the check, as a spreadsheet",
)
def errors(request: SignedInRequest, kind: str, job_id: Id) -> Any:
    spec = _known_kind(kind)
    job = get_import_job_for_user(request.user, spec, job_id)
    path = files.errors_path(job)
    if not job.error_count or not path.exists():
        refuse(request.user, kind=spec, action="download", object_id=str(job_id), not_found=True)
    name = f"{job.file_name.rsplit('.', 1)[0]}-错误清单{spec.errors_suffix}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@router.get(
    "/imports/{kind}/template",
    response=answers({200: None}, 403, 404),
    summary="An empty workbook with the import's columns, to fill in",
)
def template(request: SignedInRequest, kind: str) -> Any:
    spec = _known_kind(kind)
    require_importer(request.user, spec)
    buffer = io.BytesIO()
    files.write_template(spec, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"{spec.label}-模板.xlsx")
        or "attachment"
    )
    return response
