"""`TableImportCommand`: the command line of every import, from the kind it names.

    gonghui import_x FILE [--dry-run] [--errors OUT] [--skip-bad-rows]
    gonghui import_x --template OUT

Every row is checked first; nothing is written if any row is bad (unless the kind allows
`--skip-bad-rows` and it is given). Exit status: 0 all good (and written unless a dry run),
1 bad rows found and nothing written, 2 a usage or file error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import metrics
from gonghui.core.housekeeping import checkpoint_after_import
from gonghui.core.imports import files
from gonghui.core.imports.kinds import (
    Checked,
    Context,
    ImportKind,
    Written,
    apply_file,
    check_file,
    get_kind,
)
from gonghui.core.tabular import UnreadableFile
from gonghui.core.tabular.reading import describe_months_alone

ERROR_SUFFIXES = {".csv", ".xlsx"}
PROGRESS_LINE = 10_000  # rows between two reports of progress


class TableImportCommand(BaseCommand):
    """Set `kind` (the code an app registered); override `add_kind_arguments` and `context`
    for options of the kind's own, `describe_check` and `describe_written` for its wording."""

    kind: str = ""
    verbosity = 1

    @property
    def import_kind(self) -> ImportKind[Any]:
        return get_kind(self.kind)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="the .xlsx, .xls, .ods or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="OUT",
            help="also write the bad rows to OUT (.csv or .xlsx)",
        )
        parser.add_argument(
            "--template", type=Path, metavar="OUT", help="write an empty .xlsx to fill in, and stop"
        )
        parser.add_argument(
            "--sheet",
            metavar="NAME",
            help="read this sheet of the workbook (default: the first whose top rows hold the header)",
        )
        if self.import_kind.skips_bad_rows:
            parser.add_argument(
                "--skip-bad-rows",
                action="store_true",
                help="write the good rows even if some are bad",
            )
        self.add_kind_arguments(parser)

    def add_kind_arguments(self, parser: CommandParser) -> None:
        """Arguments of the kind's own (an organisation, an option)."""

    def context(self, options: dict[str, Any], path: Path) -> Context[Any]:
        """What the check and the writer are told; raise CommandError(returncode=2) for a bad
        argument."""
        return Context(by=None, source=str(path), skip_bad_rows=bool(options.get("skip_bad_rows")))

    def _progress(self, label: str) -> Callable[[int], None]:
        """A counter of the rows done: one line rewritten on a terminal; with -v 2, a line
        every PROGRESS_LINE rows, for logs; nothing otherwise."""
        live = self.stderr.isatty()
        if not live and self.verbosity < 2:
            return lambda rows: None
        shown = [0]

        def progress(rows: int) -> None:
            if rows - shown[0] >= PROGRESS_LINE:
                shown[0] = rows
                line = label % {"n": f"{rows:,}"}
                self.stderr.write(f"\r{line}" if live else line, ending="" if live else "\n")
                self.stderr.flush()

        return progress

    def describe_check(self, checked: Checked) -> str:
        return _("Checked: %(rows)d rows, %(ready)d ready to import.") % {
            "rows": checked.rows,
            "ready": checked.ready,
        }

    def describe_written(self, written: Written) -> str:
        return _("Done: %(n)d rows imported.") % {"n": written.rows}

    def describe_problems(self, checked: Checked, written: Written | None) -> str:
        """The message of exit status 1."""
        if written is None:
            return _("%(n)d problems found; nothing was written.") % {"n": len(checked.errors)}
        return _("%(n)d problems found; the other rows were written.") % {"n": len(checked.errors)}

    def describe_readings(self, checked: Checked) -> list[str]:
        """Where each sheet's header was, what was skipped, which columns were not imported."""
        lines = []
        for reading in checked.readings:
            where = f"{reading['sheet']}: " if reading["sheet"] else ""
            rows = reading["header_rows"]
            said = _("The header is on row %(row)s.") % {"row": "–".join(map(str, rows))}
            if reading["skipped_above"]:
                numbers = "、".join(str(number) for number, _text in reading["skipped_above"])
                said += " " + _("Rows skipped above it: %(rows)s.") % {"rows": numbers}
            if reading["skipped_below"]:
                numbers = "、".join(str(number) for number, _text in reading["skipped_below"])
                said += " " + _("Total and signature lines skipped: rows %(rows)s.") % {
                    "rows": numbers
                }
            lines.append(where + said)
            unused = [*reading["ignored"], *(f"{h}：{why}" for h, why in reading["dropped"])]
            if unused:
                lines.append(
                    where + _("Columns not imported: %(columns)s.") % {"columns": "；".join(unused)}
                )
            lines += [where + said for said in describe_months_alone(reading)]
        return lines

    def show_problems(self, checked: Checked) -> None:
        """Every bad row, on the standard error."""
        for problem in checked.errors:
            where = f"{problem.sheet} " if problem.sheet else ""
            self.stderr.write(f"{where}{problem}")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = self.import_kind
        self.verbosity = int(options.get("verbosity", 1))
        if options["template"] is not None:
            files.write_template(kind, options["template"])
            self.stdout.write(str(options["template"]))
            return
        path: Path | None = options["path"]
        if path is None:
            raise CommandError(_("Name the file to import."), returncode=2)
        report: Path | None = options["errors"]
        if report is not None and report.suffix.lower() not in ERROR_SUFFIXES:
            raise CommandError(_("The error report must be a .csv or .xlsx file."), returncode=2)
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path}, returncode=2)
        context = self.context(options, path)
        context.sheet = options.get("sheet")
        try:
            checked, written = self._run(path, context, dry_run=options["dry_run"], report=report)
        except UnreadableFile as error:
            raise CommandError(f"{path}: {error.message}", returncode=2) from None
        except ValidationError as error:  # the import itself refused (a union of the wrong type)
            raise CommandError("；".join(error.messages), returncode=2) from None
        finally:
            if self.stderr.isatty():
                self.stderr.write("")  # ends the counter's line
        if written is not None:
            metrics.count_import_written(kind=kind.code, rows=written.rows)
            checkpoint_after_import(rows=written.rows)
            self.stdout.write(self.style.SUCCESS(self.describe_written(written)))
        elif options["dry_run"] and not checked.errors:
            self.stdout.write(_("Dry run: nothing was written."))
        elif not checked.errors:
            self.stdout.write(_("The file has no rows to import."))
        if checked.errors:
            raise CommandError(self.describe_problems(checked, written), returncode=1)

    def _run(
        self, path: Path, context: Context[Any], *, dry_run: bool, report: Path | None
    ) -> tuple[Checked, Written | None]:
        """Check, then write unless a dry run or a bad row stops it, in one transaction (so
        that nothing changes between the two); a kind that checks as it writes, in one pass."""
        kind = self.import_kind
        if kind.apply is not None and not dry_run:
            context.progress = self._progress(_("Written %(n)s rows"))
            checked, written = apply_file(kind, path, context)
            self._report(checked, report)
            if written is None:
                self.stdout.write(self.describe_check(checked))
            return checked, written
        with transaction.atomic():
            context.progress = self._progress(_("Checked %(n)s rows"))
            checked = check_file(kind, path, context)
            self._report(checked, report)
            self.stdout.write(self.describe_check(checked))
            if dry_run or not checked.ready or (checked.errors and not context.skip_bad_rows):
                return checked, None
            assert kind.write is not None  # a kind has a writer, or `apply` (ImportKind)
            context.progress = self._progress(_("Written %(n)s rows"))
            return checked, kind.write(checked, context)

    def _report(self, checked: Checked, report: Path | None) -> None:
        for line in self.describe_readings(checked):
            self.stdout.write(line)
        if report is not None:
            suffix = report.suffix.lower()
            files.write_error_file(self.import_kind, checked.errors, report, suffix=suffix)
        self.show_problems(checked)
