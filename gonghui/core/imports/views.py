"""The pages of every import, parametrised by its kind: upload, the job followed live, its
confirmation, cancellation, roll-back, the error list and the template to download."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from gonghui.core.actor import Actor
from gonghui.core.imports import actions, files
from gonghui.core.imports.kinds import ImportKind, get_kind
from gonghui.core.imports.models import ImportJob
from gonghui.core.imports.permissions import (
    get_import_job_for_user,
    refuse,
    require_importer,
    visible_import_jobs,
)
from gonghui.core.tabular import XLSX_CONTENT_TYPE
from gonghui.core.tabular.records import WPS_SUFFIXES


class SignedInRequest(HttpRequest):
    """A request past LoginRequiredMiddleware, as the ground floor sees it (the apps' own
    AuthedRequest names their User)."""

    user: AbstractBaseUser  # type: ignore[assignment]
    htmx: HtmxDetails


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx, .xls, .ods or .csv)"))

    def __init__(self, *args: Any, kind: ImportKind[Any], user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind.form_fields is not None:
            self.fields.update(kind.form_fields(user))
            self.order_fields([*kind.form_fields(user), "file"])
        if ".csv" not in kind.suffixes:
            self.fields["file"].label = gettext_lazy("Workbook (.xlsx, .xls or .ods)")

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix in WPS_SUFFIXES:
            raise forms.ValidationError(
                _("Save this WPS file as .xlsx or .xls before importing it.")
            )
        if suffix not in self.kind.suffixes:
            raise forms.ValidationError(
                _("Upload a file of one of these kinds: %(kinds)s.")
                % {"kinds": "、".join(self.kind.suffixes)}
            )
        if (upload.size or 0) > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than the import limit."))
        return upload

    def organisation(self) -> Any:
        name = self.kind.organisation_field
        return self.cleaned_data.get(name) if name else None

    def options(self) -> dict[str, Any]:
        skip = {"file", self.kind.organisation_field}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


def _links(kind: ImportKind[Any], job: ImportJob) -> dict[str, str]:
    return {
        step: reverse(f"{kind.url_name}_{step}", args=[job.pk])
        for step in ("job", "apply", "cancel", "errors", "roll_back", "sheet")
    }


def _page(kind: ImportKind[Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "start_url": reverse(kind.url_name),
        "template_url": reverse(f"{kind.url_name}_template"),
        "back_url": reverse(kind.back_url_name) if kind.back_url_name else "",
        "links": [(reverse(name), label) for name, label in kind.links],
    }


def import_start(request: SignedInRequest, kind: str) -> HttpResponse:
    """Upload a file; it is checked in the background while the job's page follows it."""
    spec = get_kind(kind)
    require_importer(request.user, spec)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        kind=spec,
        user=request.user,
        initial={
            **(spec.form_initial(request.user) if spec.form_initial else {}),
            **request.GET.dict(),
        },
    )
    if request.method == "POST" and form.is_valid():
        job = actions.start_import(
            kind=spec,
            upload=form.cleaned_data["file"],
            by=request.user,
            organisation=form.organisation(),
            options=form.options(),
        )
        return redirect(job)
    jobs = visible_import_jobs(request.user, spec).select_related("organisation")[:10]
    return render(request, "core/import.html", {**_page(spec), "form": form, "jobs": jobs})


def _job_page(spec: ImportKind[Any], job: ImportJob) -> dict[str, Any]:
    job.rows_written = files.rows_written(job)
    context = {**_page(spec), "job": job, "steps": _links(spec, job)}
    if job.stage == "done" and spec.done_link is not None:
        context["done_url"], context["done_label"] = spec.done_link(job)
    return context


def import_job(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = get_kind(kind)
    job = get_import_job_for_user(request.user, spec, pk)
    context = _job_page(spec, job)
    if request.htmx:
        return render(request, "core/import_job.html#status", context)
    return render(request, "core/import_job.html", context)


@require_POST
def import_sheet(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    """Read another sheet of the checked workbook: the file is checked again on it."""
    spec = get_kind(kind)
    job = get_import_job_for_user(request.user, spec, pk)
    if not spec.may_import(request.user):
        refuse(request.user, kind=spec, action="choose_sheet", object_id=str(pk), not_found=False)
    refusal = ""
    try:
        actions.choose_sheet(job=job, sheet=request.POST.get("sheet", ""), by=request.user)
    except actions.StageRefused as refused:
        refusal = refused.message
    if request.htmx:
        job.refresh_from_db()
        context = {**_job_page(spec, job), "sheet_refusal": refusal}
        return render(request, "core/import_job.html#status", context)
    if refusal:
        messages.error(request, refusal)
    return redirect(job)


@require_POST
def import_apply(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    """Confirm a checked file: all of it, or, if chosen now, its good rows only."""
    job = get_import_job_for_user(request.user, get_kind(kind), pk)
    try:
        actions.confirm_import(
            job=job, by=request.user, skip_bad_rows=bool(request.POST.get("skip_bad_rows"))
        )
    except actions.StageRefused as refused:
        messages.error(request, refused.message)
    return redirect(job)


@require_POST
def import_cancel(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = get_kind(kind)
    job = get_import_job_for_user(request.user, spec, pk)
    try:
        actions.cancel_import(job=job, by=request.user)
    except actions.StageRefused as refused:
        messages.error(request, refused.message)
        return redirect(job)
    messages.info(request, _("The import was cancelled; the uploaded file has been deleted."))
    return redirect(spec.url_name)


@require_POST
def import_roll_back(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = get_kind(kind)
    job = get_import_job_for_user(request.user, spec, pk)
    if not spec.may_import(request.user):
        refuse(request.user, kind=spec, action="roll_back", object_id=str(pk), not_found=False)
    try:
        summary = actions.roll_back_import(job=job, by=request.user)
    except actions.StageRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, summary)
    return redirect(job)


@require_GET
def import_errors(request: SignedInRequest, kind: str, pk: int) -> HttpResponseBase:
    """Every error of the check, as a spreadsheet (the page shows the first ones)."""
    spec = get_kind(kind)
    job = get_import_job_for_user(request.user, spec, pk)
    path = files.errors_path(job)
    if not job.error_count or not path.exists():
        refuse(request.user, kind=spec, action="download", object_id=str(pk), not_found=True)
    name = f"{Path(job.file_name).stem}-错误清单{spec.errors_suffix}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@require_GET
def import_template(request: SignedInRequest, kind: str) -> HttpResponse:
    """An empty workbook with the import's columns, to fill in."""
    spec = get_kind(kind)
    require_importer(request.user, spec)
    buffer = io.BytesIO()
    files.write_template(spec, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"{spec.label}-模板.xlsx"
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"
