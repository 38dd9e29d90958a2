"""Undoing a whole roster import, refused when anything done since depends on what it wrote."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.people.importing.writing import memberships_follow_people
from gonghui.people.models import BatchStatus, ImportBatch, Membership, MembershipStatus, Person
from gonghui.people.tallies import refresh_tallies


class RollbackRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@transaction.atomic
def roll_back_batch(*, batch: ImportBatch, by: Actor) -> dict[str, int]:
    """Undo a whole import, refused if anything done since depends on what it wrote."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.ROLLED_BACK:
        raise RollbackRefused([_("This import has already been rolled back.")])
    opened = Membership.objects.filter(batch=batch).select_related("person")
    if reasons := _refusals(batch, opened):
        raise RollbackRefused(reasons)
    closed = [
        r.closed_membership
        for r in batch.revisions.select_related("closed_membership")
        if r.closed_membership
    ]
    n_opened = opened.count()
    opened.delete()
    for membership in closed:
        membership.status, membership.ended_on, membership.transferred_to = (
            MembershipStatus.ACTIVE,
            None,
            None,
        )
    Membership.objects.bulk_update(closed, ["status", "ended_on", "transferred_to"])
    restored = 0
    renamed: list[int] = []
    for revision in batch.revisions.all():
        Person.objects.filter(pk=revision.person_id).update(**revision.before)
        restored += 1
        renamed.append(revision.person_id)
    memberships_follow_people(renamed)
    n_removed, _detail = Person.objects.filter(batch=batch, memberships__isnull=True).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.ROLLED_BACK,
        rolled_back_at=timezone.now(),
        rolled_back_by=by if getattr(by, "pk", None) else None,
    )
    summary = {
        "memberships_removed": n_opened,
        "people_removed": n_removed,
        "people_restored": restored,
        "memberships_reopened": len(closed),
    }
    audit.record(
        action="member.import.rollback", by=by, organisation=batch.union, obj=batch, extra=summary
    )
    refresh_tallies({batch.union_id, *(m.union_id for m in closed)})
    return summary


def _refusals(batch: ImportBatch, opened: models.QuerySet[Membership]) -> list[str]:
    """Why the batch cannot be rolled back: what it wrote has been moved on from since."""
    since = batch.finished_at or timezone.now()
    reasons: list[str] = []
    touched = set(opened.values_list("person", flat=True)) | set(
        batch.revisions.values_list("person", flat=True)
    )
    later_memberships = (
        Membership.objects.filter(person__in=touched)
        .exclude(batch=batch)
        .filter(pk__gt=opened.order_by("-pk").values_list("pk", flat=True).first() or 0)
    )
    if opened.exclude(status=MembershipStatus.ACTIVE).exists() or later_memberships.exists():
        reasons.append(_("Memberships it opened have since been transferred or ended."))
    if Person.objects.filter(pk__in=touched, updated_at__gt=since).exists():
        reasons.append(_("People it wrote have been changed since."))
    return reasons
