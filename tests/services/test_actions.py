"""Hardship files: one household one file, the workflow, the ledger's rules, the trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gonghui.core.models import AuditEvent, Notification
from gonghui.core.workflow import TransitionRefused
from gonghui.services import actions
from gonghui.services.models import (
    Assistance,
    FileStatus,
    HardshipFile,
    HouseholdMember,
    Tier,
)
from tests.contests.factories import identity_number

from .conftest import figures, member, open_with_household

pytestmark = pytest.mark.django_db


def pay(world, file, kind="warmth", amount="1000", on=date(2026, 1, 20)):
    return actions.record_assistance(
        by=world.grassroots_officer,
        file=file,
        details=actions.AssistanceDetails(
            paid_on=on, kind=kind, amount=Decimal(amount), fund_source="送温暖资金"
        ),
    )


def test_draft_has_the_worker_as_first_member_and_a_tier(draft):
    assert draft.status == FileStatus.DRAFT
    assert draft.household_size == 3
    assert draft.tier == Tier.DEEP  # 12,000 ÷ 12 ÷ 3 = 333.33 < 600
    assert draft.members.filter(relation="self").get().name == draft.person.name


def test_household_figures_are_sealed_at_rest(draft):
    row = HardshipFile.objects.values("finances_sealed").get(pk=draft.pk)
    assert "12000" not in row["finances_sealed"]
    assert draft.finances().income == Decimal("12000")


def test_a_person_has_one_open_file(world, draft, worker):
    with pytest.raises(ValidationError, match="already has an open hardship file"):
        actions.open_file(
            by=world.grassroots_officer, union=world.gr_a1, person=worker, details=figures()
        )


def test_a_member_of_another_household_cannot_open_their_own(world, worker):
    spouse = member(2, world.gr_a1)
    file = actions.open_file(
        by=world.grassroots_officer, union=world.gr_a1, person=worker, details=figures()
    )
    actions.add_member(
        by=world.grassroots_officer,
        file=file,
        member=actions.MemberDetails(
            relation="spouse", name=spouse.name, birth_year=1990, identity_number=identity_number(2)
        ),
    )
    with pytest.raises(ValidationError) as refused:
        actions.open_file(
            by=world.grassroots_officer, union=world.gr_a1, person=spouse, details=figures()
        )
    assert "甲县一厂工会" in " ".join(refused.value.messages)


def test_the_database_holds_one_open_household(draft):
    worker_row = draft.members.get(relation="self")
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMember.objects.create(
            file=draft,
            relation="other",
            name="重复",
            birth_year=1990,
            identity_hash=worker_row.identity_hash,
        )


def test_an_ineligible_household_is_refused_with_its_figure(world, worker):
    file = open_with_household(world, worker, size=1, income="60000")
    assert file.tier == Tier.INELIGIBLE
    with pytest.raises(TransitionRefused, match=r"5000\.00"):
        actions.submit_file(by=world.grassroots_officer, file=file)


def test_submit_approve_and_the_union_is_told(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    approved = actions.approve_file(by=world.county_officer, file=draft, note="入户核实")
    assert approved.status == FileStatus.APPROVED and approved.approved_at
    assert Notification.objects.filter(recipient=world.grassroots_officer).exists()
    codes = list(
        AuditEvent.objects.filter(object_id=str(draft.pk), object_type="services.hardshipfile")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert codes[-2:] == ["hardship.submit", "hardship.approve"]


def test_a_double_click_does_nothing(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    actions.submit_file(by=world.grassroots_officer, file=draft)
    assert AuditEvent.objects.filter(action="hardship.submit").count() == 1


def test_the_grassroots_officer_cannot_approve(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    with pytest.raises(TransitionRefused):
        actions.approve_file(by=world.grassroots_officer, file=draft)


def test_return_needs_a_reason_and_tells_the_union(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    with pytest.raises(TransitionRefused):
        actions.return_file(by=world.county_officer, file=draft, reason=" ")
    returned = actions.return_file(by=world.county_officer, file=draft, reason="收入证明缺失")
    assert returned.status == FileStatus.RETURNED and returned.last_reason == "收入证明缺失"
    assert Notification.objects.filter(recipient=world.grassroots_officer).count() == 1


def test_outsider_cannot_open_a_file_in_another_union(world, worker):
    with pytest.raises(PermissionDenied):
        actions.open_file(by=world.outsider, union=world.gr_a1, person=worker, details=figures())


def test_closing_is_audited_and_frees_the_household(world, approved, worker):
    closed = actions.close_file(
        by=world.grassroots_officer, file=approved, reason="recovered", note="再就业"
    )
    assert closed.status == FileStatus.CLOSED and closed.close_reason == "recovered"
    event = AuditEvent.objects.filter(action="hardship.close").get()
    assert "再就业" in event.extra["reason"]
    again = actions.open_file(
        by=world.grassroots_officer, union=world.gr_a1, person=worker, details=figures()
    )
    assert again.status == FileStatus.DRAFT


def test_closing_needs_a_reason_code(world, approved):
    with pytest.raises(TransitionRefused):
        actions.close_file(by=world.grassroots_officer, file=approved, reason="")


def test_aid_only_on_an_approved_file(world, draft):
    with pytest.raises(ValidationError, match="approved"):
        pay(world, draft)


def test_no_second_aid_of_a_kind_in_the_year(world, approved):
    pay(world, approved, kind="schooling", on=date(2026, 8, 1))
    with pytest.raises(ValidationError, match="already received"):
        pay(world, approved, kind="schooling", on=date(2026, 9, 1))
    pay(world, approved, kind="schooling", on=date(2027, 8, 1))


def test_living_allowance_once_a_month(world, approved):
    pay(world, approved, kind="living", on=date(2026, 1, 5))
    pay(world, approved, kind="living", on=date(2026, 2, 5))
    with pytest.raises(ValidationError, match="2026-02"):
        pay(world, approved, kind="living", on=date(2026, 2, 25))
    assert Assistance.objects.count() == 2


def test_warmth_at_most_3000_an_occasion(world, approved):
    with pytest.raises(ValidationError, match="3000"):
        pay(world, approved, amount="3000.01")
    assert pay(world, approved, amount="3000").period == "2026-01"


def test_warmth_at_most_6000_a_year(world, approved, settings):
    settings.HARDSHIP_WARMTH_PER_OCCASION = 7000
    with pytest.raises(ValidationError, match="6000"):
        pay(world, approved, amount="6500")


def test_warmth_twice_a_year_on_two_occasions_within_the_yearly_cap(world, approved):
    pay(world, approved, amount="3000", on=date(2026, 1, 20))  # 春节
    with pytest.raises(ValidationError, match="No aid twice"):
        pay(world, approved, amount="500", on=date(2026, 1, 28))  # the same occasion
    pay(world, approved, amount="3000", on=date(2026, 9, 20))  # 中秋
    with pytest.raises(ValidationError, match="6000"):
        pay(world, approved, amount="100", on=date(2026, 12, 20))


def test_aid_is_audited(world, approved):
    pay(world, approved)
    event = AuditEvent.objects.filter(action="hardship.assist").get()
    assert event.extra["amount"] == "1000.00" or event.extra["amount"] == "1000"


def test_a_file_kept_beyond_the_officers_scope_is_not_named(world):
    """That a worker is in hardship is sensitive: an officer learns that another union keeps
    a file, and which one only when it is in their scope."""
    from gonghui.people.actions import transfer_member

    theirs = member(3, world.gr_b1)
    actions.open_file(by=world.fed_officer, union=world.gr_b1, person=theirs, details=figures())
    transfer_member(  # the worker moves to dave's union; the old file is still open
        by=world.fed_officer,
        membership=theirs.memberships.current().get(),
        to_union=world.gr_a1,
    )
    with pytest.raises(ValidationError) as refused:
        actions.open_file(
            by=world.grassroots_officer, union=world.gr_a1, person=theirs, details=figures()
        )
    said = " ".join(refused.value.messages)
    assert world.gr_b1.name not in said and "outside your scope" in said
