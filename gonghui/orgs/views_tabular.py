"""Importing and exporting the organisation tree as spreadsheets, in the browser.

An upload is checked (a dry run) and shown; only a clean file can be confirmed. The file
waits in the default storage under imports/ with a random name, named in a signed token
that binds it to the uploading user, and confirming plans it again from the stored file.
Any web process can confirm what another one previewed: nothing is kept in memory.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.access import deny
from gonghui.core.tabular import UnreadableFile, csv_response, open_table, xlsx_response
from gonghui.core.uploads import delete_files_older_than
from gonghui.orgs.forms import ImportForm
from gonghui.orgs.models import OrganisationQuerySet
from gonghui.orgs.permissions import orgs_for_action, visible_orgs
from gonghui.orgs.tabular import (
    ORG_SPEC,
    OrgImportPlan,
    apply_org_import,
    org_export_rows,
    plan_org_import,
)

SIGNING_SALT = "gonghui.orgs.import"
TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation
# uploads wait here, in a folder of their own; one never confirmed is deleted once its token
# has expired (by the worker's housekeeping, and here before each new upload)
UPLOAD_FOLDER = "orgs/imports"
KEEP_UPLOADS = timedelta(seconds=TOKEN_MAX_AGE)
SUFFIXES = ("xlsx", "csv", "txt", "xls")  # anything else is kept as .bin and refused on reading
STORED_NAME = re.compile(r"orgs/imports/[0-9a-f]{32}\.(xlsx|csv|txt|xls|bin)")


def _store(upload: UploadedFile) -> str:
    """Keep an upload under a random name (its own name never reaches the storage)."""
    delete_files_older_than(UPLOAD_FOLDER, timezone.now() - KEEP_UPLOADS)
    suffix = Path(upload.name or "").suffix.lower().lstrip(".")
    suffix = suffix if suffix in SUFFIXES else "bin"
    return default_storage.save(f"{UPLOAD_FOLDER}/{secrets.token_hex(16)}.{suffix}", upload)


@contextmanager
def _local(name: str) -> Iterator[Path]:
    """A path to read a stored upload from: the file itself, or a temporary local copy."""
    try:
        local = default_storage.path(name)
    except NotImplementedError:
        local = ""  # object storage: copy it down
    if local:
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        with default_storage.open(name) as stored:
            shutil.copyfileobj(stored, copy)
        copy.flush()
        yield Path(copy.name)


def _stored(request: AuthedRequest, token: str) -> tuple[str, str] | None:
    """The stored upload a confirmation names, if this user uploaded it within the hour."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    name = str(data.get("file", ""))
    if data.get("user") != request.user.pk or not STORED_NAME.fullmatch(name):
        return None
    return (name, str(data.get("name", ""))) if default_storage.exists(name) else None


def _plan(name: str, allowed: OrganisationQuerySet) -> tuple[OrgImportPlan | None, str]:
    try:
        with _local(name) as path, open_table(path, spec=ORG_SPEC) as table:
            return plan_org_import(table, allowed_parents=allowed), ""
    except UnreadableFile as error:
        return None, error.message


def org_import(request: AuthedRequest) -> HttpResponse:
    allowed = orgs_for_action(request.user, "import")
    if not allowed.exists():
        deny(
            request.user,
            action="import",
            object_type="orgs.organisation",
            object_id="import",
            not_found=True,
        )
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, allowed)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        name = _store(upload)
        plan, problem = _plan(name, allowed)
        if plan is None:
            form.add_error("file", problem)
        else:
            context.update(plan=plan, filename=upload.name)
        if plan is not None and plan.is_clean:
            payload = {"file": name, "user": request.user.pk, "name": upload.name}
            context["token"] = signing.dumps(payload, salt=SIGNING_SALT)
        else:
            default_storage.delete(name)  # nothing can be confirmed: keep nothing
    return render(request, "orgs/org_import.html", context)


def _confirm(request: AuthedRequest, allowed: OrganisationQuerySet) -> HttpResponse:
    stored = _stored(request, request.POST["token"])
    if stored is None:
        messages.error(
            request, _("This upload has expired or was already applied; upload the file again.")
        )
        return redirect("orgs:import")
    name, filename = stored
    try:
        # checked again from the stored file: the database may have changed since the preview
        with transaction.atomic():
            plan, problem = _plan(name, allowed)
            result = None
            if plan is not None and plan.is_clean:
                result = apply_org_import(plan=plan, by=request.user, source=filename)
    finally:
        default_storage.delete(name)
    if result is None:
        form = ImportForm()
        if problem:
            form.add_error(None, problem)
        return render(
            request, "orgs/org_import.html", {"form": form, "plan": plan, "filename": filename}
        )
    messages.success(
        request,
        _(
            "Imported: %(created)d created, %(updated)d updated, %(moved)d moved, %(unchanged)d unchanged."
        )
        % {
            "created": result.created,
            "updated": result.updated,
            "moved": result.moved,
            "unchanged": result.unchanged,
        },
    )
    return redirect("orgs:list")


@require_GET
def org_export_csv(request: AuthedRequest) -> HttpResponseBase:
    return _export(request, "csv")


@require_GET
def org_export_xlsx(request: AuthedRequest) -> HttpResponseBase:
    return _export(request, "xlsx")


def _export(request: AuthedRequest, file_format: str) -> HttpResponseBase:
    """The organisations of the list page (same filters), as a file that re-imports as is."""
    filters = {name: request.GET.get(name, "").strip() for name in ("q", "type", "parent")}
    orgs = visible_orgs(request.user).filtered(
        q=filters["q"], org_type=filters["type"], parent=filters["parent"]
    )
    audit.record(
        action="org.export",
        by=request.user,
        object_type="orgs.organisation",
        extra={"rows": orgs.count(), "format": file_format, "filters": filters},
    )
    filename = f"{_('organisations')}-{timezone.localdate():%Y%m%d}.{file_format}"
    rows = org_export_rows(orgs)
    if file_format == "xlsx":
        return xlsx_response(rows, ORG_SPEC.headers, filename=filename)
    return csv_response(rows, ORG_SPEC.headers, filename=filename)
