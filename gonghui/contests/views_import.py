"""Importing a contest workbook in the web: check it, see every bad row, import when clean.

A contest workbook is small (a few thousand rows at most), so it is checked and imported
within the request, in one transaction, by the same code as `gonghui import_contest`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core import signing
from django.http import HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.contests.forms import WorkbookForm
from gonghui.contests.permissions import can_manage, organisers_for
from gonghui.contests.workbook import ERROR_HEADERS, import_workbook
from gonghui.core.access import deny
from gonghui.core.tabular import csv_response

# The error report travels with the page, signed (for this user, for a day), so that the
# download needs neither the workbook again nor anything kept on the server.
_REPORT_SALT = "gonghui.contests.workbook-errors"
_REPORT_MAX_AGE = 24 * 3600


def _require_organiser(request: AuthedRequest) -> None:
    if not organisers_for(request.user).exists():
        deny(
            request.user,
            action="import",
            object_type="contests.contest",
            object_id="",
            not_found=False,
        )


def workbook_import(request: AuthedRequest) -> HttpResponseBase:
    _require_organiser(request)
    allowed = organisers_for(request.user)
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
    signed_errors = ""
    if report is not None and report.errors:
        rows = [[e.sheet, e.row or "", e.column, e.message] for e in report.errors]
        signed_errors = signing.dumps(
            {"user": request.user.pk, "rows": rows}, salt=_REPORT_SALT, compress=True
        )
    return render(
        request,
        "contests/import.html",
        {"form": form, "report": report, "signed_errors": signed_errors},
    )


@require_POST
def workbook_errors(request: AuthedRequest) -> HttpResponseBase:
    """The error report of the last check as a .csv (工作表, 行号, 列, 错误), cells neutralised."""
    _require_organiser(request)
    try:
        report = signing.loads(
            request.POST.get("report", ""), salt=_REPORT_SALT, max_age=_REPORT_MAX_AGE
        )
    except signing.BadSignature:
        return HttpResponseBadRequest(_("This error report has expired; check the workbook again."))
    if report.get("user") != request.user.pk:
        return HttpResponseBadRequest(_("This error report has expired; check the workbook again."))
    return csv_response(report["rows"], ERROR_HEADERS, filename="竞赛工作簿错误.csv")
