"""The members counted a union at a time agree with the memberships, whatever changed them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count

from gonghui.orgs.models import subtree_q
from gonghui.people import actions
from gonghui.people.models import Membership, MembershipStatus, UnionTally
from gonghui.people.tallies import counts, refresh_all_tallies
from tests.honours.conftest import member

pytestmark = pytest.mark.django_db


def _truth() -> dict[int, int]:
    return dict(
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .values_list("union_id")
        .annotate(n=Count("pk"))
        .values_list("union_id", "n")
    )


def _tallied() -> dict[int, int]:
    return {t.union_id: t.members for t in UnionTally.objects.exclude(members=0)}


def test_joins_transfers_and_leaving_keep_the_tallies_true(world) -> None:
    people = [member(world.gr_a1, name) for name in ("甲工", "乙工", "丙工")]
    member(world.gr_b1, "丁工")
    assert _tallied() == _truth() == {world.gr_a1.pk: 3, world.gr_b1.pk: 1}
    actions.transfer_member(
        by=world.city_officer,
        membership=people[0].memberships.get(status="active"),
        to_union=world.gr_a3,
    )
    actions.end_membership(
        by=world.grassroots_officer,
        membership=people[1].memberships.get(status="active"),
        reason="退休",
    )
    assert _tallied() == _truth() == {world.gr_a1.pk: 1, world.gr_a3.pk: 1, world.gr_b1.pk: 1}
    # a subtree adds up its unions' rows
    assert counts(subtree_q(world.city_a.path, "union__")).members == 2
    assert counts(subtree_q(world.region.path, "union__")).members == 3


def test_the_command_and_the_worker_count_every_union_again(world) -> None:
    member(world.gr_a1, "甲工")
    UnionTally.objects.all().delete()  # memberships written past the actions, say
    call_command("refresh_tallies", stdout=io.StringIO())
    assert _tallied() == _truth()
    UnionTally.objects.update(members=99)
    refresh_all_tallies()
    assert _tallied() == _truth()


def test_joined_this_month_counts_only_this_months_joiners(world, monkeypatch) -> None:
    from gonghui.people import tallies

    monkeypatch.setattr(tallies.timezone, "localdate", lambda: date(2026, 12, 15))
    member(world.gr_a1, "甲工")  # joined today by the factory's default, or earlier
    membership = Membership.objects.get()
    Membership.objects.filter(pk=membership.pk).update(joined_on=date(2026, 12, 1))
    refresh_all_tallies()
    assert counts(subtree_q(world.region.path, "union__")).joined_this_month == 1
    Membership.objects.filter(pk=membership.pk).update(joined_on=date(2026, 11, 30))
    refresh_all_tallies()
    assert counts(subtree_q(world.region.path, "union__")).joined_this_month == 0
    # when the month turns, last month's joiners are no longer "this month"
    Membership.objects.filter(pk=membership.pk).update(joined_on=date(2026, 12, 1))
    refresh_all_tallies()
    monkeypatch.setattr(tallies.timezone, "localdate", lambda: date(2027, 1, 2))
    assert counts(subtree_q(world.region.path, "union__")).joined_this_month == 0


def test_an_import_a_transfer_by_import_and_a_roll_back_keep_the_tallies_true(
    world, tmp_path
) -> None:
    from gonghui.people.importing.rollback import roll_back_batch
    from gonghui.people.models import ImportBatch
    from tests.people.test_import import good_rows, run, write_csv

    path = write_csv(tmp_path / "roster.csv", good_rows(12))
    assert run(path, "--union", "CA-K-1")[0] == 0
    assert _tallied() == _truth() == {world.gr_a1.pk: 12}
    assert run(path, "--union", "CA-3", "--transfer")[0] == 0  # the same people move
    assert _tallied() == _truth() == {world.gr_a3.pk: 12}
    roll_back_batch(batch=ImportBatch.objects.latest("pk"), by=world.city_officer)
    assert _tallied() == _truth() == {world.gr_a1.pk: 12}
