"""Importing a contest workbook in the web: check it, see every bad row, import when clean.

A contest workbook is small (a few thousand rows at most), so it is checked and imported
within the request, in one transaction, by the same code as `gonghui import_contest`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.contests.forms import WorkbookForm
from gonghui.contests.permissions import can_manage, organisers_for
from gonghui.contests.workbook import import_workbook
from gonghui.core.types import AuthedRequest
from gonghui.orgs.permissions import deny


def workbook_import(request: AuthedRequest) -> HttpResponseBase:
    allowed = organisers_for(request.user)
    if not allowed.exists():
        deny(
            request.user,
            action="import",
            object_type="contests.contest",
            object_id="",
            not_found=False,
        )
    form = WorkbookForm(request.POST or None, request.FILES or None, allowed_orgs=allowed)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "workbook.xlsx"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            report = import_workbook(
                path,
                by=request.user,
                organiser=form.cleaned_data["organiser"],
                dry_run=not form.cleaned_data["apply"],
                may_manage=lambda contest: can_manage(request.user, contest),
            )
        if report.written and report.contest is not None:
            messages.success(
                request,
                _("The workbook is imported into %(contest)s.") % {"contest": report.contest.name},
            )
            return redirect(report.contest)
    return render(request, "contests/import.html", {"form": form, "report": report})
