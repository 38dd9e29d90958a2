"""Exporting the organisation tree as spreadsheets, in the browser (the import is on the
one import lifecycle: `orgs.imports`)."""

from __future__ import annotations

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.tabular import csv_response, xlsx_response
from gonghui.orgs.permissions import visible_orgs
from gonghui.orgs.tabular import ORG_SPEC, org_export_rows


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
