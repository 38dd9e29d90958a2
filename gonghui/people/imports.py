"""The roster's import, declared on the one import lifecycle (core.imports).

The roster import checks as it writes, in one pass over the file (`people.importing`): a
confirmed job is read once more, not twice. Each import writes one batch, which rolls back.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.accounts.models import User
from gonghui.core.imports.actions import StageRefused
from gonghui.core.imports.kinds import Checked, Context, ImportKind, Written
from gonghui.core.imports.models import ImportJob
from gonghui.orgs.models import OrganisationQuerySet
from gonghui.orgs.permissions import orgs_for_action
from gonghui.people.actions import MEMBER_UNION_TYPES
from gonghui.people.importing.pipeline import ImportReport, import_members
from gonghui.people.importing.rollback import RollbackRefused, roll_back_batch
from gonghui.people.models import ImportBatch
from gonghui.people.permissions import get_batch_for_user
from gonghui.people.tabular import MEMBER_SPEC


def _checked(report: ImportReport) -> Checked:
    bad = len({error.row for error in report.errors})
    return Checked(
        rows=report.rows,
        ready=report.rows - bad,
        errors=report.errors,
        warnings=report.warnings,
        counts=dict(report.counts),
    )


def check_roster(path: Path, context: Context[User]) -> Checked:
    """Every row checked and planned against the roster, then rolled back."""
    report = import_members(
        path=path,
        union=context.organisation,
        by=context.by,
        dry_run=True,
        transfer=bool(context.options.get("transfer")),
        progress=lambda stage, rows: context.progress(rows),
    )
    return _checked(report)


def apply_roster(path: Path, context: Context[User]) -> tuple[Checked, Written | None]:
    """Check and write in one pass and one transaction: all of it, or the good rows if chosen."""

    def progress(stage: str, rows: int) -> None:
        if stage == "apply":  # the rows written, not those read ahead
            context.progress(rows)

    report = import_members(
        path=path,
        union=context.organisation,
        by=context.by,
        skip_invalid=context.skip_bad_rows,
        transfer=bool(context.options.get("transfer")),
        file_name=Path(context.source).name,
        progress=progress,
    )
    if not report.written or report.batch is None:
        return _checked(report), None
    written = Written(
        rows=report.rows, counts=dict(report.counts), result={"batch": report.batch.pk}
    )
    return _checked(report), written


def roll_back_roster(job: ImportJob, by: User | None) -> str:
    """Undo the job's batch, if nothing since depends on it."""
    pk = int(job.result["batch"])
    if by is None:
        batch = ImportBatch.objects.get(pk=pk)
    else:
        batch = get_batch_for_user(by, pk, action="roll_back")
    try:
        summary = roll_back_batch(batch=batch, by=by)
    except RollbackRefused as refused:
        raise StageRefused(
            _("This import cannot be rolled back: %(reasons)s")
            % {"reasons": " ".join(refused.reasons)}
        ) from None
    return _(
        "Rolled back: %(removed)d people and %(memberships)d memberships removed, %(restored)d people restored."
    ) % {
        "removed": summary["people_removed"],
        "memberships": summary["memberships_removed"],
        "restored": summary["people_restored"],
    }


def importable(user: User) -> OrganisationQuerySet:
    """The unions whose roster the user keeps."""
    return orgs_for_action(user, "import").filter(type__in=MEMBER_UNION_TYPES)


def _form_fields(user: User) -> dict[str, forms.Field]:
    union = OrganisationCodeField(label=gettext_lazy("Union code"))
    union.allowed = importable(user)
    transfer = forms.BooleanField(
        label=gettext_lazy("Move members of other unions into this one"), required=False
    )
    return {"union": union, "transfer": transfer}


def _only_code(user: User) -> dict[str, str]:
    """The code of the one union an officer may import into (a grassroots officer's own);
    none when there are several to choose from."""
    codes = list(importable(user).values_list("code", flat=True)[:2])
    return {"union": codes[0]} if len(codes) == 1 else {}


def _batch_link(job: ImportJob) -> tuple[str, str]:
    from django.urls import reverse

    batch = int(job.result.get("batch", 0))
    return reverse("people:batch", args=[batch]), _("Batch #%(n)s") % {"n": batch}


ROSTER_IMPORT: ImportKind[User] = ImportKind(
    code="people.roster",
    label=gettext_lazy("Import a roster"),
    spec=MEMBER_SPEC,
    check=check_roster,
    apply=apply_roster,
    may_import=lambda user: orgs_for_action(user, "import").exists(),
    url_name="people:import",
    back_url_name="people:list",
    intro=gettext_lazy(
        "The members of one union. Someone already registered in another union joins only "
        "if you ask to move members of other unions into this one."
    ),
    organisations=lambda user: orgs_for_action(user, "import"),
    form_fields=_form_fields,
    form_initial=_only_code,
    organisation_field="union",
    skips_bad_rows=True,
    roll_back=roll_back_roster,
    count_labels={
        "create": gettext_lazy("New people"),
        "join": gettext_lazy("Joining (already registered)"),
        "update": gettext_lazy("Updated"),
        "transfer": gettext_lazy("Transferred in"),
        "unchanged": gettext_lazy("Unchanged"),
    },
    done_link=_batch_link,
    links=(("people:batches", gettext_lazy("All import batches")),),
    errors_suffix=".csv",
)
