"""The organisation tree's import, declared on the one import lifecycle (core.imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.imports.kinds import Checked, Context, ImportKind, Written, counted
from gonghui.core.tabular import open_table
from gonghui.orgs.permissions import orgs_for_action
from gonghui.orgs.tabular import ORG_SPEC, OrgImportPlan, apply_org_import, plan_org_import


def check_orgs(path: Path, context: Context[User]) -> Checked:
    """Every row against the file and the database, within the importer's scope (none on the
    command line)."""
    allowed = orgs_for_action(context.by, "import") if context.by is not None else None
    rows = [0]
    with open_table(path, spec=ORG_SPEC) as table:
        plan = plan_org_import(counted(table, context, rows), allowed_parents=allowed)
    return Checked(
        rows=rows[0],
        ready=len(plan.rows) if plan.is_clean else 0,
        errors=plan.errors,
        counts=_counts(plan),
        plan=plan,
    )


def _counts(found: Any) -> dict[str, int]:
    keys = ("created", "updated", "moved", "unchanged")
    return {key: getattr(found, key) for key in keys}


def write_orgs(checked: Checked, context: Context[User]) -> Written:
    plan: OrgImportPlan = checked.plan
    result = apply_org_import(plan=plan, by=context.by, source=context.source)
    return Written(rows=len(plan.rows), counts=_counts(result))


ORG_IMPORT: ImportKind[User] = ImportKind(
    code="orgs.organisations",
    label=_("Import organisations"),
    spec=ORG_SPEC,
    check=check_orgs,
    write=write_orgs,
    may_import=lambda user: orgs_for_action(user, "import").exists(),
    url_name="orgs:import",
    back_url_name="orgs:list",
    intro=_(
        "Parents may come after their children. An organisation already in the tree is "
        "updated, or moved with its whole subtree when its parent changes."
    ),
    refuse_as_missing=True,
    count_labels={
        "created": _("Created"),
        "updated": _("Updated"),
        "moved": _("Moved"),
        "unchanged": _("Unchanged"),
    },
    links=(("orgs:export_xlsx", _("Download your organisations as .xlsx")),),
)
