"""Who sees an import job: its uploader, and those who may import into its organisation.

An upload held personal data, so a job is shown to nobody else; a job out of reach answers
404, as a missing one, and the refusal is recorded.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db.models import Q

from gonghui.core.access import deny
from gonghui.core.actor import Actor
from gonghui.core.imports.kinds import ImportKind
from gonghui.core.imports.models import ImportJob, ImportJobQuerySet


def refuse(
    user: Actor, *, kind: ImportKind[Any], action: str, object_id: str, not_found: bool
) -> NoReturn:
    """Record a refused access to an import, then refuse it (404 when out of reach)."""
    deny(
        user,
        action=f"{action} {kind.code}",
        object_type="core.importjob",
        object_id=object_id,
        not_found=not_found,
    )


def require_importer(user: Actor, kind: ImportKind[Any]) -> None:
    """The upload page is open to those the kind lets import (else 403, or 404 if it says so)."""
    if not kind.may_import(user):
        refuse(user, kind=kind, action="import", object_id="", not_found=kind.refuse_as_missing)


def visible_import_jobs(user: Actor, kind: ImportKind[Any]) -> ImportJobQuerySet:
    """The jobs of a kind the user started, and those of the organisations they import into."""
    mine = Q(created_by=user)
    if kind.organisations is not None:
        mine |= Q(organisation__in=kind.organisations(user))
    return ImportJob.objects.of_kind(kind.code).filter(mine)


def get_import_job_for_user(user: Actor, kind: ImportKind[Any], pk: int) -> ImportJob:
    found = visible_import_jobs(user, kind).select_related("organisation").filter(pk=pk).first()
    if found is None:
        refuse(user, kind=kind, action="view", object_id=str(pk), not_found=True)
    return found
