"""Moving an organisation: the parent's officer moves it, the root never moves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.orgs.permissions import get_org_to_move_for_user
from tests.conftest import make_user


def test_the_parents_officer_may_move_an_organisation(world) -> None:
    assert get_org_to_move_for_user(world.county_officer, "CA-K-1") == world.gr_a1
    assert get_org_to_move_for_user(world.fed_officer, "CA") == world.city_a


def test_an_officer_of_the_organisation_alone_may_not_move_it(world) -> None:
    with pytest.raises(PermissionDenied):
        get_org_to_move_for_user(world.county_officer, "CA-K")
    with pytest.raises(PermissionDenied):
        get_org_to_move_for_user(world.fed_officer, "R")  # the root stays


def test_an_outsider_cannot_move_what_they_cannot_see(world) -> None:
    for user in (world.outsider, make_user("nobody", None)):
        with pytest.raises(Http404):
            get_org_to_move_for_user(user, "CA-K-1")
