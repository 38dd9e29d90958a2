"""`gonghui export_orgs -o OUT`: the organisation tree as a spreadsheet that re-imports as is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.tabular import write_csv, write_xlsx
from gonghui.orgs.models import Organisation
from gonghui.orgs.tabular import ORG_SPEC, org_export_rows


class Command(BaseCommand):
    help = (
        "Write the organisation tree (or the subtree under --root) to an .xlsx or .csv file "
        "with the same columns `import_orgs` reads, parents first."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.xlsx or OUT.csv")
        parser.add_argument("--root", metavar="CODE", help="export only this subtree")

    def handle(self, *args: Any, output: Path, root: str | None, **options: Any) -> None:
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in {"csv", "xlsx"}:
            raise CommandError(_("The output must be a .csv or .xlsx file."), returncode=2)
        orgs = Organisation.objects.all()
        top = None
        if root:
            top = Organisation.objects.filter(code=root).first()
            if top is None:
                raise CommandError(
                    _("There is no organisation with code %(code)s.") % {"code": root}
                )
            orgs = orgs.subtree(top)
        rows = org_export_rows(orgs)
        if file_format == "xlsx":
            count = write_xlsx(rows, ORG_SPEC.headers, output)
        else:
            with output.open("wb") as handle:
                count = write_csv(rows, ORG_SPEC.headers, handle)
        audit.record(
            action="org.export",
            organisation=top,
            object_type="file",
            object_repr=str(output),
            extra={"rows": count, "format": file_format, "root": root or ""},
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)d organisations written to %(path)s.") % {"n": count, "path": output}
            )
        )
