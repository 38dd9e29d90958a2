"""The organisation picker: the options are the user's scope in the form's roles, found by
the start of the code or part of the name; the roster's union filter takes the subtree."""

from __future__ import annotations

import pytest

from gonghui.accounts.forms import OrganisationCodeField
from tests.honours.conftest import member

pytestmark = pytest.mark.django_db


def _options(
    client, field: str, text: str, reach: str = "business", path: str = "/orgs/pick/"
) -> list[str]:
    response = client.get(path, {"field": field, field: text, "reach": reach})
    assert response.status_code == 200
    return [line.split('"')[1] for line in response.content.decode().split("<option")[1:]]


def test_the_options_are_the_scope_found_by_code_or_name(world, client_for) -> None:
    alice = client_for(world.city_officer)
    assert _options(alice, "to_union", "CA-K") == ["CA-K", "CA-K-1", "CA-K-2"]
    assert _options(alice, "to_union", "一厂") == ["CA-K-1"]  # 甲县一厂工会, not 乙市一厂工会
    assert _options(client_for(world.outsider), "to_union", "一厂") == ["CB-1"]
    assert _options(client_for(world.outsider), "to_union", "CA") == []
    # the security administrator searches the subtree they administer, not a business scope
    assert _options(client_for(world.security), "organisation", "CB", reach="security") == [
        "CB",
        "CB-1",
    ]
    assert _options(client_for(world.security), "organisation", "CB") == []


def test_a_form_field_is_a_picker_and_still_a_plain_field(world) -> None:
    field = OrganisationCodeField(label="x")
    rendered = field.widget.render("to_union", "", {"id": "id_to_union"})
    assert 'list="id_to_union-choices"' in rendered
    assert '<datalist id="id_to_union-choices"></datalist>' in rendered
    assert 'name="to_union"' in rendered


def test_the_roster_union_filter_takes_the_unions_beneath(world, client_for) -> None:
    for name, union in (("甲工", world.gr_a1), ("乙工", world.gr_a2), ("丙工", world.gr_a3)):
        member(union, name)
    alice = client_for(world.city_officer)
    names = lambda code: sorted(  # noqa: E731
        m.person.name for m in alice.get("/members/", {"union": code}).context["page"]
    )
    assert names("CA-K") == ["乙工", "甲工"]
    assert names("CA-K-1") == ["甲工"]
    assert names("CA") == ["丙工", "乙工", "甲工"]
    assert names("CB") == []  # outside alice's scope: nothing, not an error
    fed = client_for(world.fed_officer)
    assert sorted(
        m.person.name for m in fed.get("/members/", {"union": "CA-K"}).context["page"]
    ) == [
        "乙工",
        "甲工",
    ]


def test_units_and_accounts_are_picked_within_scope(world, client_for) -> None:
    from gonghui.orgs.models import EmployerUnit

    EmployerUnit.objects.create(
        name="甲县机械厂", credit_code="91650102123456788R", organisation=world.gr_a1
    )
    EmployerUnit.objects.create(
        name="乙市棉纺厂", credit_code="91650103MA7ABCDE1X", organisation=world.gr_b1
    )
    alice, charlie = client_for(world.city_officer), client_for(world.outsider)
    units = "/units/pick/"
    assert _options(alice, "unit_code", "9165", path=units) == ["91650102123456788R"]
    assert _options(alice, "unit_code", "厂", path=units) == ["91650102123456788R"]
    assert _options(charlie, "unit_code", "9165", path=units) == ["91650103MA7ABCDE1X"]

    def accounts(client, text: str) -> list[str]:
        response = client.get("/accounts/pick/", {"field": "j-account", "j-account": text})
        return [line.split('"')[1] for line in response.content.decode().split("<option")[1:]]

    assert "dave" in accounts(alice, "d") and "charlie" not in accounts(alice, "c")
    assert accounts(charlie, "") == ["charlie"]
