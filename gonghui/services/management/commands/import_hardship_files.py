"""`gonghui import_hardship_files FILE --union CODE [--stage approved]`: import the hardship
files a grassroots union keeps on paper or in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation

from gonghui.accounts.models import User
from gonghui.core.imports.command import TableImportCommand
from gonghui.core.imports.kinds import Context
from gonghui.orgs.models import Organisation
from gonghui.services.models import FileStatus


class Command(TableImportCommand):
    help = (
        "Import hardship files (.xlsx, .xls, .ods or .csv), one row per household, into a "
        "grassroots union. Exit 0: clean and written; 1: rows rejected (nothing written, unless "
        "--skip-bad-rows); 2: the file cannot be read."
    )
    kind = "services.hardship_files"
    requires_system_checks: list[str] = []

    def add_kind_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--union", help="code of the grassroots union keeping the files")
        parser.add_argument(
            "--stage",
            choices=[FileStatus.DRAFT.value, FileStatus.APPROVED.value],
            default=FileStatus.DRAFT.value,
            help="draft (the default), or approved for files already approved on paper",
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        translation.activate(settings.LANGUAGE_CODE)
        return super().execute(*args, **options)

    def context(self, options: dict[str, Any], path: Path) -> Context[User]:
        context: Context[User] = super().context(options, path)
        code = options.get("union")
        if not code:
            raise CommandError("请用 --union 指定建档的基层工会代码", returncode=2)
        context.organisation = Organisation.objects.filter(code=code).first()
        if context.organisation is None:
            raise CommandError(f"没有代码为 {code} 的组织", returncode=2)
        context.options = {"stage": options.get("stage") or FileStatus.DRAFT.value}
        return context
