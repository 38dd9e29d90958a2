"""The register: benefits ledger, allowances, sanatorium places, and who sees which honouree."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from gonghui.honours import actions, lists
from gonghui.honours.models import (
    BenefitEntry,
    BenefitKind,
    Booking,
    Honouree,
    HonoureeStatus,
    HonourKind,
    HonourLevel,
    SanatoriumSession,
)
from gonghui.honours.permissions import (
    get_honouree_for_user,
    visible_campaigns,
    visible_honourees,
    visible_nominations,
    visible_objections,
    visible_sessions,
)
from tests.honours.conftest import member, nominate


def _honouree(world, union, name, *, level=HonourLevel.REGIONAL, frontline=False) -> Honouree:
    kind, _ = HonourKind.objects.get_or_create(name=f"{level}劳模", defaults={"level": level})
    return Honouree.objects.create(
        name=name,
        organisation=union,
        kind=kind,
        level=level,
        year=2015,
        is_frontline=frontline,
        receives_allowance=True,
    )


@pytest.mark.django_db
def test_benefits_are_recorded_by_the_honourees_union_side_only(world) -> None:
    honouree = _honouree(world, world.gr_a1, "王师傅")
    entry = actions.record_benefit(
        by=world.grassroots_officer,
        honouree=honouree,
        kind=BenefitKind.HARDSHIP,
        on=date(2026, 1, 20),
        amount=Decimal(2000),
        note="春节送温暖",
    )
    assert entry.amount == Decimal(2000)
    with pytest.raises(PermissionDenied):
        actions.record_benefit(
            by=world.outsider,
            honouree=honouree,
            kind=BenefitKind.VISIT,
            on=date(2026, 1, 1),
            amount=Decimal(0),
        )
    with pytest.raises(ValidationError):
        actions.record_benefit(
            by=world.grassroots_officer,
            honouree=honouree,
            kind="bonus",
            on=date(2026, 1, 1),
            amount=Decimal(1),
        )


@pytest.mark.django_db
def test_monthly_allowances_follow_the_level_schedule_once_a_month(world) -> None:
    actions.set_allowance_rate(
        by=world.fed_officer,
        organisation=world.region,
        level=HonourLevel.NATIONAL,
        amount=Decimal(100),
    )
    actions.set_allowance_rate(
        by=world.fed_officer,
        organisation=world.region,
        level=HonourLevel.REGIONAL,
        amount=Decimal(80),
    )
    national = _honouree(world, world.gr_a1, "甲", level=HonourLevel.NATIONAL)
    regional = _honouree(world, world.gr_a2, "乙")
    deceased = _honouree(world, world.gr_a2, "丙")
    actions.set_honouree_status(
        by=world.county_officer,
        honouree=deceased,
        status=HonoureeStatus.DECEASED,
        reason="2025年病故",
    )
    _honouree(world, world.gr_b1, "丁")  # outside the city: not paid by it
    assert (
        actions.pay_allowances(by=world.city_officer, organisation=world.city_a, period="2026-03")
        == 2
    )
    assert (
        actions.pay_allowances(by=world.city_officer, organisation=world.city_a, period="2026-03")
        == 0
    )
    paid = dict(
        BenefitEntry.objects.filter(kind=BenefitKind.ALLOWANCE).values_list("honouree", "amount")
    )
    assert paid == {national.pk: Decimal(100), regional.pk: Decimal(80)}
    with pytest.raises(PermissionDenied):
        actions.set_allowance_rate(
            by=world.city_officer,
            organisation=world.city_a,
            level=HonourLevel.COUNTY,
            amount=Decimal(1),
        )


@pytest.mark.django_db
def test_a_session_is_never_booked_beyond_its_places(world) -> None:
    session = actions.create_session(
        by=world.fed_officer,
        organisation=world.region,
        name="2026年劳模疗休养第一期",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 7),
        places=2,
    )
    first, second, third = (_honouree(world, world.gr_a1, n) for n in "甲乙丙")
    actions.book_stay(by=world.grassroots_officer, session=session, honouree=first)
    with pytest.raises(ValidationError, match="already booked"):
        actions.book_stay(by=world.grassroots_officer, session=session, honouree=first)
    actions.book_stay(by=world.grassroots_officer, session=session, honouree=second)
    with pytest.raises(ValidationError, match="full"):
        actions.book_stay(by=world.grassroots_officer, session=session, honouree=third)
    assert Booking.objects.filter(session=session).count() == 2
    assert BenefitEntry.objects.filter(kind=BenefitKind.SANATORIUM).count() == 2


@pytest.mark.django_db
def test_front_line_honourees_not_sent_recently_come_first(world) -> None:
    old = actions.create_session(
        by=world.fed_officer,
        organisation=world.region,
        name="2024年",
        starts_on=date(2024, 6, 1),
        ends_on=date(2024, 6, 7),
        places=5,
    )
    office = _honouree(world, world.gr_a1, "科员")
    sent = _honouree(world, world.gr_a1, "去过", frontline=True)
    waiting = _honouree(world, world.gr_a1, "没去过", frontline=True)
    actions.book_stay(by=world.fed_officer, session=old, honouree=sent)
    order = lists.sanatorium_priority(Honouree.objects.all(), date(2026, 6, 1))
    assert [h.pk for h in order] == [waiting.pk, sent.pk, office.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (run by .ci/run)"
)
def test_concurrent_bookings_never_overbook(world) -> None:
    session = SanatoriumSession.objects.create(
        name="并发",
        organisation=world.region,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 7),
        places=3,
    )
    honourees = [_honouree(world, world.gr_a1, "工" + "一二三四五六七八九十"[i]) for i in range(10)]
    barrier = threading.Barrier(len(honourees))
    outcomes: list[str] = []

    def book(honouree: Honouree) -> None:
        try:
            barrier.wait()
            actions.book_stay(by=world.fed_officer, session=session, honouree=honouree)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(h,)) for h in honourees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] * 3 + ["full"] * 7
    assert Booking.objects.filter(session=session).count() == 3


@pytest.mark.django_db
def test_the_outsider_sees_nothing_of_city_a(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    _honouree(world, world.gr_a1, "乙")
    actions.create_session(
        by=world.city_officer,
        organisation=world.city_a,
        name="甲市疗养",
        starts_on=date(2026, 8, 1),
        ends_on=date(2026, 8, 7),
        places=2,
    )
    outsider = world.outsider
    assert not visible_nominations(outsider).exists()
    assert not visible_honourees(outsider).exists()
    assert not visible_objections(outsider).exists()
    assert not visible_sessions(outsider).filter(organisation=world.city_a).exists()
    # the region's campaign is visible to every union under the region, including city B's
    assert list(visible_campaigns(outsider)) == [honours.campaign]
    assert not visible_campaigns(world.auditor).exists()
    assert visible_nominations(world.city_viewer).count() == 1
    with pytest.raises(Exception) as missing:
        get_honouree_for_user(outsider, Honouree.objects.get().pk)
    assert type(missing.value).__name__ == "Http404"
