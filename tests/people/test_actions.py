"""The roster's actions: one person per identity number, one union at a time, history kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.accounts.actions import grant_role
from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.people.actions import (
    PersonDetails,
    end_membership,
    identity_digest,
    register_member,
    reveal,
    transfer_member,
    update_person,
)
from gonghui.people.identity import normalise_name, normalise_phone, pinyin_key
from gonghui.people.models import Membership, MembershipStatus, Person, SkillLevel
from gonghui.people.permissions import (
    can_reveal,
    get_person_for_user,
    visible_memberships,
    visible_people,
)

pytestmark = pytest.mark.django_db

ID_MALE = "650102199003070072"  # sum 241 -> check 2; 17th digit 7: male
ID_FEMALE = "11010519491231002X"  # 17th digit 2: female


def _register(world, number=ID_MALE, union=None, name="阿依古丽·买买提", **details):
    return register_member(
        by=world.grassroots_officer,
        identity_number=number,
        details=PersonDetails(name=name, **details),
        union=union or world.gr_a1,
        joined_on=date(2020, 5, 1),
    )


def test_register_derives_gender_and_birth_date_and_masks(world) -> None:
    membership = _register(world, phone="+86 138-1234-5678", skill_level=SkillLevel.TECHNICIAN)
    person = membership.person
    assert person.gender == "M" and person.birth_year == 1990
    assert person.identity_masked == "650102********0072"
    assert person.phone_masked == "138****5678"
    assert person.reveal_phone() == "13812345678"
    assert membership.status == MembershipStatus.ACTIVE
    female = _register(world, number=ID_FEMALE.lower(), name="李娜").person
    assert female.gender == "F" and female.birth_year == 1949


def test_identity_and_phone_are_not_stored_in_clear(world) -> None:
    _register(world, phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        dump = repr(cursor.fetchall())
    assert "199003070072" not in dump and "13812345678" not in dump
    assert Person.objects.with_identity_hash(identity_digest(ID_MALE)).count() == 1


def test_same_identity_number_is_one_person(world) -> None:
    first = _register(world).person
    again = _register(world, post="钳工").person
    assert first.pk == again.pk
    assert Person.objects.count() == 1
    assert Person.objects.get().post == "钳工"


def test_member_of_another_union_must_transfer(world) -> None:
    _register(world)
    with pytest.raises(ValidationError, match="transfer"):
        _register(world, union=world.gr_a2)


def test_only_grassroots_or_joint_unions_take_members(world) -> None:
    with pytest.raises(ValidationError):
        _register(world, union=world.county_a)


@pytest.mark.parametrize(
    ("number", "reason"),
    [("650102199003070073", "check character"), ("650102199002300072", "does not exist")],
)
def test_bad_identity_numbers_are_refused(world, number: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        _register(world, number=number)
    assert not Person.objects.exists()


def test_transfer_keeps_history_and_both_unions_see_it(world) -> None:
    first = _register(world)
    new = transfer_member(
        by=world.city_officer, membership=first, to_union=world.gr_a3, on=date(2024, 1, 2)
    )
    first.refresh_from_db()
    assert first.status == MembershipStatus.TRANSFERRED and first.ended_on == date(2024, 1, 2)
    assert first.transferred_to == world.gr_a3
    assert new.status == MembershipStatus.ACTIVE and new.union == world.gr_a3
    # the grassroots officer of the old union still sees the person and the history
    assert visible_people(world.grassroots_officer).filter(pk=new.person_id).exists()
    assert set(visible_memberships(world.grassroots_officer).values_list("status", flat=True)) == {
        "transferred"
    }
    assert AuditEvent.objects.filter(action="membership.transfer").count() == 2


def test_end_membership_needs_a_reason_and_is_final(world) -> None:
    membership = _register(world)
    with pytest.raises(ValidationError):
        end_membership(by=world.grassroots_officer, membership=membership, reason=" ")
    end_membership(
        by=world.grassroots_officer, membership=membership, reason="退休", on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        end_membership(by=world.grassroots_officer, membership=membership, reason="again")
    with pytest.raises(ValidationError):
        transfer_member(by=world.grassroots_officer, membership=membership, to_union=world.gr_a2)
    # after leaving, the person may join again: a new stretch, the old one untouched
    again = _register(world, union=world.gr_a2)
    assert Membership.objects.filter(person=again.person).count() == 2


def test_one_current_membership_is_a_database_constraint(world) -> None:
    from django.db import IntegrityError, transaction

    membership = _register(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=membership.person, union=world.gr_a2, joined_on=date(2021, 1, 1)
        )


def test_update_person_is_audited_with_masked_values(world) -> None:
    person = _register(world, phone="13812345678").person
    update_person(
        by=world.grassroots_officer,
        person=person,
        details=PersonDetails(name="阿依古丽·买买提", phone="13987654321"),
    )
    event = AuditEvent.objects.filter(action="person.update").latest("id")
    assert event.changes["phone"] == ["138****5678", "139****4321"]


def test_reveal_needs_the_role_and_is_audited(world) -> None:
    person = _register(world).person
    assert not can_reveal(world.city_officer, person)
    grant_role(
        by=world.security, user=world.city_officer, organisation=world.city_a, role=Role.REVEAL
    )
    fresh = type(world.city_officer).objects.get(pk=world.city_officer.pk)
    assert can_reveal(fresh, person)
    assert reveal(by=fresh, person=person, field="identity_number") == ID_MALE
    event = AuditEvent.objects.filter(action="person.reveal").latest("id")
    assert event.actor_id == fresh.pk and event.extra == {"field": "identity_number"}
    assert ID_MALE not in repr(event.changes) + repr(event.extra)


def test_outsider_sees_no_one(world) -> None:
    person = _register(world).person
    assert not visible_people(world.outsider).exists()
    with pytest.raises(Exception) as refused:
        get_person_for_user(world.outsider, person.pk)
    assert refused.type.__name__ == "Http404"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
    ],
)
def test_phone_normalisation(raw: str, clean: str) -> None:
    assert normalise_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "phone"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_names_accept_interpunct_and_refuse_digits() -> None:
    assert normalise_name(" 阿依古丽•买买提 ") == "阿依古丽·买买提"
    for bad in ("", "张三3", "x" * 65):
        with pytest.raises(ValidationError):
            normalise_name(bad)


def test_pinyin_sort_key_orders_chinese_names() -> None:
    names = ["赵六", "阿依古丽·买买提", "张三", "李四", "王五"]
    assert sorted(names, key=pinyin_key) == ["阿依古丽·买买提", "李四", "王五", "张三", "赵六"]
