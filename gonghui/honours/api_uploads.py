"""The honours API's files: attachments to a nomination, an honouree's portrait and
certificate, and past honourees imported from a spreadsheet. Uploads are multipart/form-data
and go through the same action and content checks as on the pages."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Router, UploadedFile
from ninja.errors import HttpError

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.access import deny
from gonghui.core.api_schemas import ErrorOut, Id, answers
from gonghui.core.pdf import FontMissing
from gonghui.core.tabular import UnreadableFile
from gonghui.honours import actions
from gonghui.honours.certificates import certificate_pdf
from gonghui.honours.importer import import_uploaded_honourees
from gonghui.honours.permissions import (
    get_attachment_for_user,
    get_honouree_for_user,
    get_nomination_for_user,
)
from gonghui.honours.schemas import AttachmentOut, HonoureeOut, ImportOut
from gonghui.orgs.permissions import orgs_for_action

router = Router(tags=["honours"])


@router.get(
    "/honours/nominations/{nomination_id}/attachments",
    response=answers({200: list[AttachmentOut]}, 404),
    summary="A nomination's supporting documents",
)
def list_attachments(request: AuthedRequest, nomination_id: Id) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id)
    return nomination.attachments.order_by("pk")


@router.post(
    "/honours/nominations/{nomination_id}/attachments",
    response=answers({201: AttachmentOut}, 400, 403, 404),
    summary="Attach a document (PDF, JPEG, PNG, Word, Excel or OFD, at most 20 MB)",
)
def add_attachment(
    request: AuthedRequest,
    nomination_id: Id,
    title: Form[str],
    file: File[UploadedFile],
) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id, action="edit")
    if not title.strip():
        raise ValidationError({"title": _("Give the attachment a title.")})
    return 201, actions.add_attachment(
        by=request.user, nomination=nomination, title=title, upload=file
    )


@router.get(
    "/honours/nominations/{nomination_id}/attachments/{attachment_id}/file",
    response=answers({200: None}, 404),
    summary="Download an attachment",
)
def download_attachment(request: AuthedRequest, nomination_id: Id, attachment_id: Id) -> Any:
    attachment = get_attachment_for_user(request.user, nomination_id, attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
    )


@router.post(
    "/honours/honourees/{honouree_id}/photo",
    response=answers({200: HonoureeOut}, 400, 403, 404),
    summary="The portrait for the hall of honour (JPEG, PNG or WebP, at most 5 MB)",
)
def set_photo(request: AuthedRequest, honouree_id: Id, photo: File[UploadedFile]) -> Any:
    honouree = get_honouree_for_user(request.user, honouree_id, action="edit")
    return actions.set_honouree_photo(by=request.user, honouree=honouree, upload=photo)


@router.get(
    "/honours/honourees/{honouree_id}/certificate",
    response=answers({200: None}, 403, 404, 503),
    summary="One honouree's certificate (荣誉证书) as a PDF, drawn on request (audited)",
)
def certificate(request: AuthedRequest, honouree_id: Id) -> Any:
    honouree = get_honouree_for_user(request.user, honouree_id, action="edit")
    try:
        pdf = certificate_pdf([honouree])
    except FontMissing as error:
        raise HttpError(503, str(error)) from None
    audit.record(action="certificate.print", by=request.user, obj=honouree)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"荣誉证书-{honouree.name}.pdf") or "attachment"
    )
    return response


@router.post(
    "/honours/imports/honourees",
    # 400: the rows' problems (nothing written), or the file itself refused
    response=answers({200: ImportOut, 201: ImportOut, 400: ImportOut | ErrorOut}, 403),
    summary=(
        "Import past honourees from .xlsx or .csv: every row checked, every bad row reported, "
        "nothing written unless all are good"
    ),
)
def import_honourees(
    request: AuthedRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Any:
    allowed = orgs_for_action(request.user, "edit")
    if not allowed.exists():
        deny(
            request.user,
            action="import",
            object_type="honours.honouree",
            object_id="",
            not_found=False,
        )
    if not str(file.name).lower().endswith((".xlsx", ".csv")):
        raise ValidationError({"file": _("Choose an .xlsx or .csv file.")})
    if (file.size or 0) > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than the import limit.")})
    try:
        result = import_uploaded_honourees(file, allowed=allowed, by=request.user, dry_run=dry_run)
    except UnreadableFile as error:
        raise ValidationError({"file": error.message}) from None
    plan = result.plan
    body = {
        "dry_run": dry_run,
        "ready": len(plan.rows),
        "created": result.created,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in plan.errors],
    }
    if not plan.is_clean:
        detail = _("%(n)d problems found; nothing was written.") % {"n": len(plan.errors)}
        return 400, {**body, "detail": detail}
    if dry_run:
        detail = _("Dry run: %(n)d honourees would be added; nothing was written.") % {
            "n": len(plan.rows)
        }
        return 200, {**body, "detail": detail}
    detail = _("%(n)s honourees added to the register.") % {"n": result.created}
    return 201, {**body, "detail": detail}
