"""Who may organise a contest, which unions entrants belong to, which unit a credit code names."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.contests.permissions import (
    entrant_unions,
    get_organiser_for_user,
    get_organisers_for_user,
    organisers_for,
)
from gonghui.core.models import AuditEvent
from gonghui.orgs.permissions import get_unit_by_credit_code_for_user
from tests.conftest import make_user

from .factories import credit_code, make_unit


def test_an_officer_organises_contests_in_their_subtree(world) -> None:
    codes = set(get_organisers_for_user(world.county_officer).values_list("code", flat=True))
    assert codes == {"CA-K", "CA-K-1", "CA-K-2"}
    assert get_organiser_for_user(world.city_officer, "CA-K") == world.county_a


def test_a_viewer_may_not_organise_and_is_refused_with_403(world) -> None:
    assert not organisers_for(world.city_viewer).exists()
    with pytest.raises(PermissionDenied):
        get_organisers_for_user(world.city_viewer)
    with pytest.raises(PermissionDenied):
        get_organiser_for_user(world.city_viewer, "CA")
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_an_outsider_cannot_organise_for_a_union_they_cannot_see(world) -> None:
    with pytest.raises(Http404):
        get_organiser_for_user(world.outsider, "CA")
    nobody = make_user("nobody", None)
    assert not organisers_for(nobody).exists()
    with pytest.raises(PermissionDenied):
        get_organisers_for_user(nobody)


def test_entrants_belong_to_grassroots_unions_in_scope(world) -> None:
    assert set(entrant_unions(world.city_officer).values_list("code", flat=True)) == {
        "CA-K-1",
        "CA-K-2",
        "CA-3",
    }
    assert list(entrant_unions(world.outsider).values_list("code", flat=True)) == ["CB-1"]
    assert not entrant_unions(make_user("nobody", None)).exists()


def test_a_credit_code_names_a_unit_only_within_scope(world) -> None:
    unit = make_unit(1, world.gr_a1)
    code = credit_code(1)
    assert get_unit_by_credit_code_for_user(world.city_officer, code) == unit
    assert get_unit_by_credit_code_for_user(world.city_viewer, f" {code.lower()} ") == unit
    assert get_unit_by_credit_code_for_user(world.city_officer, "  ") is None
    # outside the scope, the unit is answered as one that does not exist
    assert get_unit_by_credit_code_for_user(world.outsider, code) is None
    assert get_unit_by_credit_code_for_user(make_user("nobody", None), code) is None
