"""Official documents to print and seal: approval forms (PDF and Word) and the public notice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.pdf import FontMissing
from gonghui.honours import documents
from gonghui.honours.models import NominationStatus
from gonghui.honours.permissions import (
    get_campaign_for_user,
    get_nomination_for_user,
    visible_nominations,
)

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# nominations that never reach a reviewer's desk have no approval form to print
NOT_FILED = [NominationStatus.DRAFT, NominationStatus.WITHDRAWN]


def _file(content: bytes, name: str, file_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=TYPES[file_format])
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{name}.{file_format}") or "attachment"
    )
    return response


def _render(forms: list[documents.ApprovalForm], file_format: str) -> bytes:
    if file_format == "docx":
        return documents.approval_forms_docx(forms)
    return documents.approval_forms_pdf(forms)


def nomination_approval_form(request: AuthedRequest, pk: int, file_format: str) -> HttpResponseBase:
    nomination = get_nomination_for_user(request.user, pk)
    form = documents.approval_form(nomination)
    try:
        content = _render([form], file_format)
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(nomination)
    audit.record(
        action="nomination.print_form",
        by=request.user,
        obj=nomination,
        extra={"format": file_format},
    )
    return _file(content, f"推荐审批表-{nomination.display_name}", file_format)


def campaign_approval_forms(request: AuthedRequest, pk: int, file_format: str) -> HttpResponseBase:
    """Every nomination of the campaign the user may see, one page each, in tree order."""
    campaign = get_campaign_for_user(request.user, pk)
    nominations = (
        visible_nominations(request.user)
        .in_campaign(campaign)
        .exclude(status__in=NOT_FILED)
        .select_related("campaign", "organisation", "person")
    )
    forms = [documents.approval_form(n) for n in nominations]
    if not forms:
        messages.info(request, _("No nomination of this campaign has been submitted yet."))
        return redirect(campaign)
    try:
        content = _render(forms, file_format)
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(campaign)
    audit.record(
        action="campaign.print_forms",
        by=request.user,
        obj=campaign,
        extra={"format": file_format, "nominations": len(forms)},
    )
    return _file(content, f"推荐审批表-{campaign.name}", file_format)


def notice_document(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The public notice as a PDF to post: only once the notice is published."""
    campaign = get_campaign_for_user(request.user, pk)
    if campaign.notice_starts is None:
        messages.error(request, _("The public notice of this campaign is not published yet."))
        return redirect(campaign)
    nominations = (
        campaign.nominations.filter(status__in=documents.IN_NOTICE)
        .select_related("person")
        .order_by("organisation__path", "pk")
    )
    notice = documents.notice_text(campaign, nominations, today=timezone.localdate())
    try:
        content = documents.notice_pdf(notice)
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(campaign)
    audit.record(action="campaign.print_notice", by=request.user, obj=campaign)
    return _file(content, notice.title, "pdf")
