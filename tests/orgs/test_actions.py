"""Writes to the tree: create, update, move; each audited, each refusing what makes no sense."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from gonghui.orgs.actions import (
    create_organisation,
    create_unit,
    move_organisation,
    update_organisation,
)
from gonghui.orgs.models import Organisation, OrgType, path_segment

pytestmark = pytest.mark.django_db


def test_path_is_the_chain_of_ancestors(world) -> None:
    gr = Organisation.objects.get(code="CA-K-1")
    assert gr.path == "".join(
        path_segment(o.pk) for o in (world.region, world.city_a, world.county_a, gr)
    )
    assert gr.depth == 3
    assert [o.code for o in Organisation.objects.ancestors(gr)] == ["R", "CA", "CA-K"]


def test_subtree_is_one_indexed_range_query(world, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        codes = set(Organisation.objects.subtree(world.city_a).values_list("code", flat=True))
    assert codes == {"CA", "CA-K", "CA-K-1", "CA-K-2", "CA-3"}


def test_create_is_audited(world) -> None:
    org = create_organisation(
        by=world.city_officer,
        code="CA-9",
        name="九厂工会",
        org_type=OrgType.GRASSROOTS,
        parent=world.city_a,
    )
    event = AuditEvent.objects.filter(action="org.create").latest("id")
    assert event.object_id == str(org.pk)
    assert event.changes["name"] == [None, "九厂工会"]
    assert event.actor_id == world.city_officer.pk
    assert verify_chain().intact


def test_duplicate_code_is_refused(world) -> None:
    with pytest.raises(ValidationError) as error:
        create_organisation(
            by=None, code="CA", name="x", org_type=OrgType.GRASSROOTS, parent=world.city_a
        )
    assert "code" in error.value.error_dict


@pytest.mark.parametrize("code", ["import", "export.csv", "export.xlsx"])
def test_codes_that_name_pages_are_refused(world, code) -> None:
    with pytest.raises(ValidationError) as error:
        create_organisation(
            by=None, code=code, name="x", org_type=OrgType.GRASSROOTS, parent=world.city_a
        )
    assert "names a page" in str(error.value.error_dict["code"])


def test_bad_credit_code_is_refused_with_the_right_character(world) -> None:
    with pytest.raises(ValidationError) as error:
        create_organisation(
            by=None,
            code="CA-9",
            name="x",
            org_type=OrgType.GRASSROOTS,
            parent=world.city_a,
            credit_code="81650100MB12345625",
        )
    assert "should be 4" in str(error.value)


def test_grassroots_cannot_have_children(world) -> None:
    with pytest.raises(ValidationError):
        create_organisation(
            by=None, code="X", name="x", org_type=OrgType.GRASSROOTS, parent=world.gr_a1
        )


def test_only_a_federation_at_the_top(world) -> None:
    with pytest.raises(ValidationError):
        create_organisation(by=None, code="X", name="x", org_type=OrgType.COUNTY, parent=None)


def test_update_records_only_what_changed(world) -> None:
    update_organisation(
        by=world.city_officer, org=world.gr_a3, name="甲市新三厂工会", org_type=OrgType.GRASSROOTS
    )
    event = AuditEvent.objects.filter(action="org.update").latest("id")
    assert event.changes == {"name": ["甲市三厂工会", "甲市新三厂工会"]}
    count = AuditEvent.objects.count()
    update_organisation(
        by=world.city_officer, org=world.gr_a3, name="甲市新三厂工会", org_type=OrgType.GRASSROOTS
    )
    assert AuditEvent.objects.count() == count


def test_move_rewrites_the_whole_subtree(world) -> None:
    moved = move_organisation(by=world.fed_officer, org=world.county_a, new_parent=world.city_b)
    assert moved == 3
    gr = Organisation.objects.get(code="CA-K-1")
    assert [o.code for o in Organisation.objects.ancestors(gr)] == ["R", "CB", "CA-K"]
    assert set(Organisation.objects.subtree(world.city_a).values_list("code", flat=True)) == {
        "CA",
        "CA-3",
    }
    event = AuditEvent.objects.filter(action="org.move").latest("id")
    assert event.changes == {"parent": ["CA", "CB"]}
    assert event.extra["subtree_size"] == 3


def test_move_beneath_own_descendant_is_refused(world) -> None:
    with pytest.raises(ValidationError):
        move_organisation(by=None, org=world.city_a, new_parent=world.county_a)
    with pytest.raises(ValidationError):
        move_organisation(by=None, org=world.region, new_parent=world.city_a)


def test_unit_credit_code_is_validated(world) -> None:
    unit = create_unit(
        by=None, name="某公司", credit_code="91650102123456788r", organisation=world.gr_a1
    )
    assert unit.credit_code == "91650102123456788R"
    with pytest.raises(ValidationError):
        create_unit(
            by=None, name="另一公司", credit_code="91650102123456788R", organisation=world.gr_a1
        )
    with pytest.raises(ValidationError):
        create_unit(
            by=None, name="坏代码", credit_code="91650102I23456788R", organisation=world.gr_a1
        )
