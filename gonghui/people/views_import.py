"""Web imports of rosters: upload, background check with progress, confirm, batches, rollback."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.accounts.http import AuthedRequest
from gonghui.core.access import deny
from gonghui.core.uploads import discard_upload
from gonghui.orgs.models import OrganisationQuerySet
from gonghui.orgs.permissions import orgs_for_action
from gonghui.people import tasks
from gonghui.people.actions import MEMBER_UNION_TYPES
from gonghui.people.importing.rollback import RollbackRefused, roll_back_batch
from gonghui.people.models import BatchStatus, ImportJob, JobStage
from gonghui.people.permissions import get_batch_for_user, get_import_job_for_user, visible_batches

ALLOWED_SUFFIXES = {".xlsx", ".csv"}


class UploadForm(forms.Form):
    union = OrganisationCodeField(label=gettext_lazy("Union code"))
    file = forms.FileField(label=gettext_lazy("Roster (.xlsx or .csv)"))
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some are bad"), required=False
    )
    transfer = forms.BooleanField(
        label=gettext_lazy("Move members of other unions into this one"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(gettext_lazy("Upload an .xlsx or .csv file."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than the import limit."))
        return upload


def _importable(request: AuthedRequest) -> OrganisationQuerySet:
    return orgs_for_action(request.user, "import").filter(type__in=MEMBER_UNION_TYPES)


def _only_code(unions: OrganisationQuerySet) -> str:
    """The code of the one union an officer may import into (a grassroots officer's own); ""
    when there are several to choose from."""
    codes = list(unions.values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else ""


def import_start(request: AuthedRequest) -> HttpResponse:
    if not orgs_for_action(request.user, "import").exists():
        deny(
            request.user,
            action="import",
            object_type="people.importjob",
            object_id="",
            not_found=False,
        )
    importable = _importable(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"union": request.GET.get("union", "") or _only_code(importable)},
    )
    form.fields["union"].allowed = importable  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        job = ImportJob.objects.create(
            union=form.cleaned_data["union"],
            created_by=request.user,
            file_name=Path(upload.name).name[:255],
            stored_path=str(stored),
            options={
                "skip_invalid": form.cleaned_data["skip_invalid"],
                "transfer": form.cleaned_data["transfer"],
            },
        )
        tasks.check_import.enqueue(job.pk)
        return redirect(job)
    jobs = ImportJob.objects.filter(
        union__in=orgs_for_action(request.user, "import")
    ).select_related("union")[:10]
    return render(request, "people/import.html", {"form": form, "jobs": jobs})


def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(request.user, pk)
    job.rows_applied = tasks.rows_applied(job)
    context = {"job": job}
    if request.htmx:
        return render(request, "people/import_job.html#status", context)
    return render(request, "people/import_job.html", context)


@require_POST
def import_job_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(request.user, pk)
    # the stage moves only once, so a double click cannot start two imports
    if job.can_apply and ImportJob.objects.filter(pk=job.pk, stage=JobStage.CHECKED).update(
        stage=JobStage.APPLYING
    ):
        tasks.apply_import.enqueue(job.pk)
    else:
        messages.error(request, _("This import cannot be applied in its present state."))
    return redirect(job)


@require_POST
def import_job_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(request.user, pk)
    if ImportJob.objects.filter(pk=job.pk, stage__in=[JobStage.QUEUED, JobStage.CHECKED]).update(
        stage=JobStage.CANCELLED
    ):
        discard_upload(job)
        messages.info(request, _("The import was cancelled; the uploaded file has been deleted."))
    return redirect("people:import")


def import_job_errors(request: AuthedRequest, pk: int) -> HttpResponseBase:
    job = get_import_job_for_user(request.user, pk)
    path = tasks.errors_path(job)
    if not path.exists():
        deny(
            request.user,
            action="download",
            object_type="people.importjob",
            object_id=str(pk),
            not_found=True,
        )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{Path(job.file_name).stem}-错误清单.csv"
    )


def batch_list(request: AuthedRequest) -> HttpResponse:
    batches = visible_batches(request.user).select_related("union", "created_by")[:100]
    return render(request, "people/batch_list.html", {"batches": batches})


def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    can_roll_back = (
        batch.status != BatchStatus.ROLLED_BACK
        and orgs_for_action(request.user, "import").filter(pk=batch.union_id).exists()
    )
    return render(
        request, "people/batch_detail.html", {"batch": batch, "can_roll_back": can_roll_back}
    )


@require_POST
def batch_roll_back(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk, action="roll_back")
    try:
        summary = roll_back_batch(batch=batch, by=request.user)
    except RollbackRefused as refused:
        messages.error(
            request,
            _("This import cannot be rolled back: %(reasons)s")
            % {"reasons": " ".join(refused.reasons)},
        )
    else:
        messages.success(
            request,
            _(
                "Rolled back: %(removed)d people and %(memberships)d memberships removed, %(restored)d people restored."
            )
            % {
                "removed": summary["people_removed"],
                "memberships": summary["memberships_removed"],
                "restored": summary["people_restored"],
            },
        )
    return redirect(batch)
