"""Past honourees' import, declared on the one import lifecycle (core.imports)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.imports.kinds import Checked, Context, ImportKind, Written
from gonghui.core.imports.models import ImportJob
from gonghui.core.tabular import open_table
from gonghui.honours.importer import (
    HONOUREE_SPEC,
    HonoureePlan,
    apply_honouree_import,
    plan_honouree_import,
)
from gonghui.orgs.models import Organisation, OrganisationQuerySet
from gonghui.orgs.permissions import orgs_for_action


def _allowed(by: User | None) -> OrganisationQuerySet:
    """The unions an importer may write to: those they may edit; all on the command line."""
    return orgs_for_action(by, "edit") if by is not None else Organisation.objects.all()


def check_honourees(path: Path, context: Context[User]) -> Checked:
    with open_table(path, spec=HONOUREE_SPEC) as table:
        plan = plan_honouree_import(table, allowed=_allowed(context.by), progress=context.progress)
    return Checked(
        rows=plan.rows_checked,
        ready=len(plan.rows),
        errors=plan.errors,
        counts={"added": len(plan.rows)},
        plan=plan,
    )


def write_honourees(checked: Checked, context: Context[User]) -> Written:
    """Write the good rows (all of them, unless the officer chose to leave the bad ones out)."""
    good = HonoureePlan(rows=checked.plan.rows, rows_checked=checked.rows)
    created = apply_honouree_import(plan=good, by=context.by, source=context.source)
    return Written(rows=created, counts={"added": created})


def _register(job: ImportJob) -> tuple[str, str]:
    return reverse("honours:register"), str(_("Register of honourees"))


HONOUREE_IMPORT: ImportKind[User] = ImportKind(
    code="honours.honourees",
    label=_("Import past honourees"),
    spec=HONOUREE_SPEC,
    check=check_honourees,
    write=write_honourees,
    may_import=lambda user: orgs_for_action(user, "edit").exists(),
    url_name="honours:register_import",
    back_url_name="honours:register",
    intro=_(
        "Honourees of past years, so that the register starts complete: one row per honour, "
        "for unions you may edit."
    ),
    skips_bad_rows=True,
    count_labels={"added": _("Added to the register")},
    done_link=_register,
)
