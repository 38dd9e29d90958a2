"""Members counted a union at a time: the figures of a scope add up these rows.

Counting the active memberships of a federation of a million members reads a million index
entries on every home page; the tallies are refreshed instead where memberships change (a
join, a transfer, a membership ended, an import and its roll-back) and once an hour by the
worker, which also moves "joined this month" on when a month turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gonghui.orgs.models import Organisation
from gonghui.people.models import Membership, MembershipStatus, UnionTally

CHUNK = 500


def _months(today: date) -> tuple[date, date]:
    """The first day of this month and of the next."""
    first = today.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def refresh_tallies(union_ids: Iterable[int]) -> None:
    """Count again the members of these unions (inside the caller's transaction)."""
    ids = sorted(set(union_ids))
    month, following = _months(timezone.localdate())
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            counted = (
                Membership.objects.filter(union_id__in=chunk, status=MembershipStatus.ACTIVE)
                .values("union_id")
                .annotate(
                    members=Count("pk"),
                    joined=Count("pk", filter=Q(joined_on__gte=month, joined_on__lt=following)),
                )
                .order_by()
            )
            UnionTally.objects.filter(union_id__in=chunk).delete()
            UnionTally.objects.bulk_create(
                UnionTally(
                    union_id=row["union_id"],
                    members=row["members"],
                    month=month,
                    joined=row["joined"],
                )
                for row in counted
            )


def refresh_all_tallies() -> None:
    """Every union counted again (the worker's hourly round; `gonghui refresh_tallies`)."""
    refresh_tallies(Organisation.objects.values_list("pk", flat=True))


@dataclass(frozen=True)
class Counts:
    members: int
    joined_this_month: int


def counts(where: Q) -> Counts:
    """The members of the unions matching `where` (a condition on `union__…`)."""
    month, _ = _months(timezone.localdate())
    totals = UnionTally.objects.filter(where).aggregate(
        members=Sum("members"), joined=Sum("joined", filter=Q(month=month))
    )
    return Counts(totals["members"] or 0, totals["joined"] or 0)
