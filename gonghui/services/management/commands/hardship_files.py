"""`gonghui hardship_files --union CODE [-o OUT.csv|.xlsx]`: the files of a union's subtree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.core import audit
from gonghui.core.tabular import write_csv, write_xlsx
from gonghui.orgs.models import Organisation
from gonghui.services.models import FileStatus, HardshipFile, Tier

HEADERS = [
    "建档工会代码",
    "建档工会",
    "姓名",
    "身份证号",
    "家庭人口",
    "困难类别",
    "状态",
    "更新日期",
]


def file_rows(union: Organisation, *, status: str = "", tier: str = "") -> Iterator[list[Any]]:
    """One row a file, identity numbers masked, no money or health."""
    files = (
        HardshipFile.objects.filter(union__in=Organisation.objects.subtree(union))
        .filtered(status=status, tier=tier)
        .select_related("person", "union")
        .order_by("union__path", "pk")
    )
    for file in files.iterator(chunk_size=500):
        yield [
            file.union.code,
            file.union.name,
            file.person.name,
            file.person.identity_masked,
            file.household_size,
            str(Tier(file.tier).label),
            str(FileStatus(file.status).label),
            file.updated_at.date().isoformat(),
        ]


class Command(BaseCommand):
    help = (
        "List the hardship files of a union and its subtree (identity numbers masked; no "
        "income or health), on the screen or to .csv or .xlsx."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--union", required=True, help="the union's code")
        parser.add_argument("--status", default="", choices=["", *FileStatus.values])
        parser.add_argument("--tier", default="", choices=["", *Tier.values])
        parser.add_argument("-o", "--output", default="", help="OUT.csv or OUT.xlsx")

    def handle(
        self, *args: Any, union: str, status: str, tier: str, output: str, **options: Any
    ) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        organisation = Organisation.objects.filter(code=union).first()
        if organisation is None:
            raise CommandError(f"没有代码为 {union} 的组织")
        rows = list(file_rows(organisation, status=status, tier=tier))
        if not output:
            self.stdout.write("\t".join(HEADERS))
            for row in rows:
                self.stdout.write("\t".join(str(cell) for cell in row))
            return
        target = Path(output)
        if target.suffix.lower() == ".xlsx":
            write_xlsx(rows, HEADERS, target, title=organisation.code)
        elif target.suffix.lower() == ".csv":
            with target.open("wb") as handle:
                write_csv(rows, HEADERS, handle)
        else:
            raise CommandError("输出文件须为 .csv 或 .xlsx")
        audit.record(
            action="hardship.export",
            organisation=organisation,
            object_type="services.hardshipfile",
            extra={"format": target.suffix.lower().lstrip("."), "rows": len(rows), "via": "cli"},
        )
        self.stdout.write(f"{len(rows)} 行写入 {target}")
