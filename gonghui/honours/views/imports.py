"""Importing past honourees on the web: upload, a background check with progress, then the
import itself once the officer confirms, all or nothing (as `gonghui import_honourees`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.core.access import deny
from gonghui.core.uploads import discard_upload
from gonghui.honours import tasks
from gonghui.honours.forms import ImportForm
from gonghui.honours.importer import HONOUREE_SPEC
from gonghui.honours.models import HonoureeImport
from gonghui.honours.permissions import get_honouree_import_for_user
from gonghui.orgs.permissions import orgs_for_action
from gonghui.people.models import JobStage


def honouree_import(request: AuthedRequest) -> HttpResponse:
    """Upload a file of past honourees for unions the officer may edit; checked in the background."""
    if not orgs_for_action(request.user, "edit").exists():
        deny(
            request.user,
            action="import",
            object_type="honours.honouree",
            object_id="",
            not_found=False,
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        folder = Path(settings.MEDIA_ROOT) / "honours" / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        job = HonoureeImport.objects.create(
            created_by=request.user,
            file_name=Path(upload.name).name[:255],
            stored_path=str(stored),
        )
        tasks.check_honourees_file.enqueue(job.pk)
        return redirect(job)
    context = {
        "form": form,
        "headers": HONOUREE_SPEC.headers,
        "jobs": HonoureeImport.objects.filter(created_by=request.user)[:10],
    }
    return render(request, "honours/honouree_import.html", context)


def honouree_import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_honouree_import_for_user(request.user, pk)
    if request.htmx:
        return render(request, "honours/honouree_import_job.html#status", {"job": job})
    return render(request, "honours/honouree_import_job.html", {"job": job})


@require_POST
def honouree_import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_honouree_import_for_user(request.user, pk)
    # the stage moves only once, so a double click cannot import twice
    moved = (
        job.can_apply
        and HonoureeImport.objects.filter(pk=job.pk, stage=JobStage.CHECKED).update(
            stage=JobStage.APPLYING, message=""
        )
        == 1
    )
    if moved:
        tasks.import_honourees_file.enqueue(job.pk)
    else:
        messages.error(request, _("This import cannot be applied in its present state."))
    return redirect(job)


@require_POST
def honouree_import_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_honouree_import_for_user(request.user, pk)
    if HonoureeImport.objects.filter(
        pk=job.pk, stage__in=[JobStage.QUEUED, JobStage.CHECKED]
    ).update(stage=JobStage.CANCELLED):
        discard_upload(job)
        messages.info(request, _("The import was cancelled; the uploaded file has been deleted."))
    return redirect("honours:register_import")
