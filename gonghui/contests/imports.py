"""The contest workbook's import, declared on the one import lifecycle (core.imports).

A workbook is checked whole (every sheet, the references between them, what the actions
would say) by `workbook.import_workbook`, which a dry run rolls back; it is written whole or
not at all, so the good rows of a bad workbook are never imported on their own.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.accounts.models import User
from gonghui.contests.models import Contest
from gonghui.contests.permissions import can_manage, organisers_for
from gonghui.contests.workbook import SHEETS, ImportReport, import_workbook
from gonghui.contests.workbook.sheets import CONTEST_SPEC
from gonghui.core.imports.kinds import Checked, Context, ImportKind, Written
from gonghui.core.imports.models import ImportJob
from gonghui.core.tabular import RowError, UnreadableFile

COUNTED = ("skills", "competitors", "judges", "marks")


def _run(path: Path, context: Context[User], *, dry_run: bool) -> ImportReport:
    by = context.by

    def may_manage(contest: Contest) -> bool:
        return by is None or can_manage(by, contest)

    return import_workbook(
        path, by=by, organiser=context.organisation, dry_run=dry_run, may_manage=may_manage
    )


def check_workbook(path: Path, context: Context[User]) -> Checked:
    """Every sheet checked as the import would write it, then rolled back."""
    report = _run(path, context, dry_run=True)
    if report.errors and all(error.row == 0 for error in report.errors):
        # a sheet missing or unreadable: the workbook as a whole cannot be imported
        raise UnreadableFile(" ".join(f"{e.sheet}: {e.message}" for e in report.errors))
    rows = sum(report.counts.get(key, 0) for key in COUNTED)
    context.progress(rows)
    return Checked(
        rows=rows,
        ready=0 if report.errors else rows,
        errors=[RowError(e.row, e.column, e.message, sheet=e.sheet) for e in report.errors],
        counts=dict(report.counts),
        plan=path,  # the writer reads the workbook again, as a whole
    )


def write_workbook(checked: Checked, context: Context[User]) -> Written:
    report = _run(checked.plan, context, dry_run=False)
    if not report.written or report.contest is None:
        # checked clean in this very transaction: a refusal now is a fault, not the officer's
        raise RuntimeError("a clean contest workbook was not written")
    contest = report.contest
    return Written(
        rows=checked.rows,
        counts=dict(report.counts),
        result={"url": contest.get_absolute_url(), "contest": contest.code, "name": contest.name},
    )


def _organiser_field(user: User) -> dict[str, forms.Field]:
    field = OrganisationCodeField(
        label=_("Organising union code"),
        required=False,
        help_text=_("For a new contest; an existing one keeps its organiser."),
    )
    field.allowed = organisers_for(user)
    return {"organiser": field}


def _contest_link(job: ImportJob) -> tuple[str, str]:
    return str(job.result.get("url", "")), str(job.result.get("name", ""))


CONTEST_IMPORT: ImportKind[User] = ImportKind(
    code="contests.workbook",
    label=_("Import a contest workbook"),
    spec=CONTEST_SPEC,
    check=check_workbook,
    write=write_workbook,
    may_import=lambda user: organisers_for(user).exists(),
    url_name="contests:import",
    back_url_name="contests:list",
    intro=_(
        "One .xlsx workbook with the sheets 竞赛, 赛项, 评分标准, 选手, 裁判 and 评分 (the "
        "template has them all). Every bad row of every sheet is listed; nothing is written "
        "unless the whole workbook is clean. Importing the same workbook again changes nothing. "
        "People not in the roster are recorded as non-members."
    ),
    organisations=organisers_for,
    form_fields=_organiser_field,
    organisation_field="organiser",
    count_labels={
        "skills": _("Skills"),
        "competitors": _("Competitors"),
        "judges": _("Judges"),
        "marks": _("Marks"),
        "marks_changed": _("Marks changed"),
    },
    done_link=_contest_link,
    suffixes=(".xlsx", ".xls", ".ods"),
    sheets=SHEETS,
)
