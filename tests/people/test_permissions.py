"""Registering members and revealing a person's numbers: who may, answered in one place."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.accounts.actions import grant_role
from gonghui.accounts.models import Role
from gonghui.people.actions import PersonDetails, register_member
from gonghui.people.permissions import (
    get_person_to_reveal_for_user,
    get_registering_unions_for_user,
)
from tests.conftest import make_user


def test_officers_register_members_in_their_subtree(world) -> None:
    assert list(get_registering_unions_for_user(world.grassroots_officer)) == [world.gr_a1]
    for user in (world.city_viewer, world.auditor, make_user("nobody", None)):
        with pytest.raises(PermissionDenied):
            get_registering_unions_for_user(user)


def test_revealing_needs_the_reveal_role_over_the_current_union(world) -> None:
    person = register_member(
        by=None,
        identity_number="650102199003070072",
        details=PersonDetails(name="张三", phone="13812345678"),
        union=world.gr_a1,
        joined_on=date(2020, 1, 1),
    ).person
    revealer = make_user("rita", world.city_a, Role.VIEWER)
    grant_role(by=None, user=revealer, organisation=world.city_a, role=Role.REVEAL)
    assert get_person_to_reveal_for_user(revealer, person.pk) == person
    with pytest.raises(PermissionDenied):
        get_person_to_reveal_for_user(world.city_officer, person.pk)  # sees, may not reveal
    for user in (world.outsider, make_user("nobody", None)):
        with pytest.raises(Http404):
            get_person_to_reveal_for_user(user, person.pk)
