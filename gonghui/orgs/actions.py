"""Writes to the organisation tree and the employer units: each atomic and audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.validators import normalise_credit_code
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType, path_segment


def placeholder_path() -> str:
    # unique and never a real path (real paths are digits only), replaced in the same transaction
    return f"new-{uuid.uuid4().hex}"


def _check_parent(*, org_type: str, parent: Organisation | None) -> None:
    if parent is None and org_type != OrgType.FEDERATION:
        raise ValidationError({"parent": _("Only a federation can be at the top of the tree.")})
    if parent is not None and org_type == OrgType.FEDERATION:
        raise ValidationError(
            {
                "type": _(
                    "A federation is the top of its tree; the unions beneath it are prefecture, county, industry, grassroots or joint unions."
                )
            }
        )
    if parent is not None and parent.type == OrgType.GRASSROOTS:
        raise ValidationError(
            {"parent": _("A grassroots union cannot have organisations beneath it.")}
        )


@transaction.atomic
def create_organisation(
    *,
    by: Actor,
    code: str,
    name: str,
    org_type: str,
    parent: Organisation | None,
    division_code: str = "",
    credit_code: str = "",
) -> Organisation:
    """Add an organisation beneath `parent` (or a new root federation)."""
    _check_parent(org_type=org_type, parent=parent)
    org = Organisation(
        code=code.strip(),
        name=name.strip(),
        type=org_type,
        parent=parent,
        division_code=division_code.strip(),
        credit_code=normalise_credit_code(credit_code),
        path=placeholder_path(),
        depth=parent.depth + 1 if parent else 0,
    )
    org.full_clean(exclude=["path"])
    org.save()
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.save(update_fields=["path"])
    audit.record(action="org.create", by=by, obj=org, changes=audit.diff({}, org.snapshot()))
    return org


@transaction.atomic
def update_organisation(
    *,
    by: Actor,
    org: Organisation,
    name: str,
    org_type: str,
    division_code: str = "",
    credit_code: str = "",
) -> Organisation:
    """Change an organisation's name, type or codes (its place in the tree: `move_organisation`)."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = org.snapshot()
    org.name, org.type = name.strip(), org_type
    org.division_code, org.credit_code = division_code.strip(), normalise_credit_code(credit_code)
    _check_parent(org_type=org.type, parent=org.parent)
    if org.type == OrgType.GRASSROOTS and org.children.exists():
        raise ValidationError(
            {
                "type": _(
                    "This organisation has organisations beneath it, so it cannot be a grassroots union."
                )
            }
        )
    org.full_clean(exclude=["path"])
    changes = audit.diff(before, org.snapshot())
    if changes:
        org.save(update_fields=["name", "type", "division_code", "credit_code", "updated_at"])
        audit.record(action="org.update", by=by, obj=org, changes=changes)
    return org


@transaction.atomic
def move_organisation(*, by: Actor, org: Organisation, new_parent: Organisation) -> int:
    """Re-parent a whole subtree; returns how many organisations moved.

    Every path in the subtree is rewritten in one UPDATE, so access follows at once.
    """
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise ValidationError(_("The top of the tree cannot be moved."))
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            _("%(org)s cannot be moved beneath itself or one of its own sub-organisations.")
            % {"org": org.name}
        )
    if new_parent.pk == org.parent_id:
        raise ValidationError(
            _("%(org)s is already directly beneath %(parent)s.")
            % {"org": org.name, "parent": new_parent.name}
        )
    _check_parent(org_type=org.type, parent=new_parent)
    old_path, old_parent = org.path, org.parent
    new_path = new_parent.path + path_segment(org.pk)
    delta = new_parent.depth + 1 - org.depth
    moved = Organisation.objects.subtree(org).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit.record(
        action="org.move",
        by=by,
        obj=org,
        changes={"parent": (old_parent.code if old_parent else None, new_parent.code)},
        extra={"subtree_size": moved, "old_path": old_path, "new_path": new_path},
    )
    return moved


@dataclass(frozen=True)
class OrgRow:
    """One organisation as an import file describes it."""

    code: str
    name: str
    org_type: str
    parent_code: str
    division_code: str = ""
    credit_code: str = ""


@dataclass(frozen=True)
class TreeImportResult:
    created: int
    updated: int
    unchanged: int
    moved: int


@transaction.atomic
def apply_org_rows(*, by: Actor, rows: Sequence[OrgRow], source: str = "") -> TreeImportResult:
    """Create or update organisations from rows already checked by `orgs.tabular`.

    Rows must come parents first. Creations are inserted level by level in bulk; each
    created, changed or moved organisation gets its own audit event, written in bulk.
    """
    existing = {o.code: o for o in Organisation.objects.filter(code__in=[r.code for r in rows])}
    parents = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in={r.parent_code for r in rows if r.parent_code}
        )
    }
    entries: list[audit.Entry] = []
    created = updated = unchanged = moved = 0
    for row in rows:
        parent = parents.get(row.parent_code) if row.parent_code else None
        org = existing.get(row.code)
        if org is None:
            if moved and parent is not None:
                # a move earlier in this import may have rewritten the parent's path
                parent.refresh_from_db(fields=["path", "depth"])
            org = create_organisation_quietly(row=row, parent=parent)
            entries.append(
                audit.Entry(
                    action="org.create", by=by, obj=org, changes=audit.diff({}, org.snapshot())
                )
            )
            created += 1
        else:
            before = org.snapshot()
            org.name, org.type = row.name, row.org_type
            org.division_code, org.credit_code = row.division_code, row.credit_code
            changes = audit.diff(before, {**org.snapshot(), "parent": before["parent"]})
            if changes:
                org.save(
                    update_fields=["name", "type", "division_code", "credit_code", "updated_at"]
                )
                entries.append(audit.Entry(action="org.update", by=by, obj=org, changes=changes))
                updated += 1
            if (parent.pk if parent else None) != org.parent_id and parent is not None:
                audit.record_many(entries)
                entries = []
                move_organisation(by=by, org=org, new_parent=parent)
                org.refresh_from_db()
                moved += 1
            elif not changes:
                unchanged += 1
        parents[org.code] = org
    entries.append(
        audit.Entry(
            action="org.import",
            by=by,
            object_type="file",
            object_repr=source[:200],
            extra={"created": created, "updated": updated, "unchanged": unchanged, "moved": moved},
        )
    )
    audit.record_many(entries)
    return TreeImportResult(created, updated, unchanged, moved)


def create_organisation_quietly(*, row: OrgRow, parent: Organisation | None) -> Organisation:
    """Insert one checked row; the caller writes the audit event (in bulk)."""
    org = Organisation.objects.create(
        code=row.code,
        name=row.name,
        type=row.org_type,
        parent=parent,
        division_code=row.division_code,
        credit_code=row.credit_code,
        path=placeholder_path(),
        depth=parent.depth + 1 if parent else 0,
    )
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    Organisation.objects.filter(pk=org.pk).update(path=org.path)
    return org


@transaction.atomic
def create_unit(
    *, by: Actor, name: str, credit_code: str, organisation: Organisation, division_code: str = ""
) -> EmployerUnit:
    """Register an employer unit under a union."""
    unit = EmployerUnit(
        name=name.strip(),
        credit_code=normalise_credit_code(credit_code),
        organisation=organisation,
        division_code=division_code.strip(),
    )
    unit.full_clean()
    unit.save()
    audit.record(action="unit.create", by=by, obj=unit, changes=audit.diff({}, unit.snapshot()))
    return unit


@transaction.atomic
def update_unit(
    *, by: Actor, unit: EmployerUnit, name: str, organisation: Organisation, division_code: str = ""
) -> EmployerUnit:
    """Rename an employer unit or attach it to another union. Its credit code never changes."""
    unit = EmployerUnit.objects.select_for_update().get(pk=unit.pk)
    before = unit.snapshot()
    unit.name, unit.organisation, unit.division_code = (
        name.strip(),
        organisation,
        division_code.strip(),
    )
    unit.full_clean()
    changes = audit.diff(before, unit.snapshot())
    if changes:
        unit.save(update_fields=["name", "organisation", "division_code", "updated_at"])
        audit.record(action="unit.update", by=by, obj=unit, changes=changes)
    return unit
