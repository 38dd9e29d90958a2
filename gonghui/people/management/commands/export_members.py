from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.tabular import write_csv, write_xlsx
from gonghui.orgs.models import Organisation, subtree_q
from gonghui.orgs.permissions import Scope
from gonghui.people.export import EXPORT_HEADERS, Export, record_export
from gonghui.people.models import Membership, MembershipStatus


class Command(BaseCommand):
    help = "Export the members of an organisation's subtree to .xlsx or .csv (masked unless --reveal, which is audited)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--union", required=True, help="organisation code: its members and those beneath it"
        )
        parser.add_argument("-o", "--output", required=True, help="OUT.xlsx or OUT.csv")
        parser.add_argument(
            "--reveal", action="store_true", help="full identity numbers and mobiles (audited)"
        )
        parser.add_argument(
            "--all", action="store_true", help="also former members (transferred out or left)"
        )

    def handle(
        self, *args: Any, union: str, output: str, reveal: bool, all: bool, **options: Any
    ) -> None:
        organisation = Organisation.objects.filter(code=union).first()
        if organisation is None:
            raise CommandError(f"没有代码为 {union} 的组织")
        target = Path(output)
        if target.suffix.lower() not in {".xlsx", ".csv"}:
            raise CommandError("输出文件须为 .xlsx 或 .csv")
        memberships = Membership.objects.filter(subtree_q(organisation.path, "union__"))
        if not all:
            memberships = memberships.filter(status=MembershipStatus.ACTIVE)
        export = Export(memberships, reveal_within=Scope((organisation.path,)) if reveal else None)
        if target.suffix.lower() == ".xlsx":
            write_xlsx(export, EXPORT_HEADERS, target, title="会员名册")
        else:
            with target.open("wb") as handle:
                write_csv(export, EXPORT_HEADERS, handle)
        record_export(
            by=None,
            export=export,
            organisation=organisation,
            format=target.suffix.lstrip("."),
            filters={"cli": True, "union": union},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {export.rows:,} 名会员到 {target}"
                + ("（完整身份号码，已记入审计日志）" if reveal else "（已脱敏）")
            )
        )
