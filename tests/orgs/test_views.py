"""The organisation pages: a permission matrix over personas × pages × actions."""

from __future__ import annotations

import pytest

from gonghui.orgs.models import Organisation

pytestmark = pytest.mark.django_db


# persona -> {org code: expected status for GET detail}
VIEW = {
    "fed_officer": {"R": 200, "CA": 200, "CA-K-1": 200, "CB-1": 200},
    "city_officer": {"R": 404, "CA": 200, "CA-K-1": 200, "CB-1": 404},
    "city_viewer": {"R": 404, "CA": 200, "CA-K-1": 200, "CB-1": 404},
    "county_officer": {"R": 404, "CA": 404, "CA-K": 200, "CA-K-1": 200, "CA-3": 404},
    "grassroots_officer": {"CA-K": 404, "CA-K-1": 200, "CA-K-2": 404},
    "outsider": {"R": 404, "CA": 404, "CA-K-1": 404, "CB-1": 200},
    "auditor": {"R": 404, "CA": 404},
    "security": {"R": 404, "CA": 404},
}

# persona -> {org code: expected status for GET edit}
EDIT = {
    "fed_officer": {"CA": 200, "CB-1": 200},
    "city_officer": {"CA": 200, "CA-K-1": 200, "CB-1": 404},
    "city_viewer": {"CA": 403, "CA-K-1": 403, "CB-1": 404},
    "county_officer": {"CA": 404, "CA-K-2": 200},
    "outsider": {"CA": 404, "CB-1": 200},
    "auditor": {"CA": 404},
}


@pytest.mark.parametrize(("persona", "expected"), VIEW.items())
def test_detail_matrix(world, persona: str, expected: dict[str, int], client_for) -> None:
    client = client_for(getattr(world, persona))
    for code, status in expected.items():
        assert client.get(f"/orgs/{code}/").status_code == status, (persona, code)


@pytest.mark.parametrize(("persona", "expected"), EDIT.items())
def test_edit_matrix(world, persona: str, expected: dict[str, int], client_for) -> None:
    client = client_for(getattr(world, persona))
    for code, status in expected.items():
        assert client.get(f"/orgs/{code}/edit/").status_code == status, (persona, code)
        assert (
            client.get(f"/orgs/{code}/new/").status_code
            in ({200: (200,), 403: (403,), 404: (404,)}[status])
        ), (persona, code)


def test_missing_and_forbidden_look_the_same(world, client_for) -> None:
    client = client_for(world.city_officer)
    outside, missing = client.get("/orgs/CB/"), client.get("/orgs/NOPE/")
    assert outside.status_code == missing.status_code == 404

    def strip(body: bytes) -> bytes:  # the CSRF token is masked afresh on every response
        return b"\n".join(
            line
            for line in body.splitlines()
            if b"csrf" not in line.lower() and b'name="next"' not in line
        )

    assert strip(outside.content) == strip(missing.content)


def test_edit_saves_and_shows_errors_beside_fields(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post(
        "/orgs/CA-3/edit/",
        {
            "name": "甲市三厂工会（新）",
            "type": "grassroots",
            "division_code": "12",
            "credit_code": "",
        },
    )
    assert response.status_code == 200
    assert "six digits" in response.content.decode()
    assert Organisation.objects.get(code="CA-3").name == "甲市三厂工会"
    response = client.post(
        "/orgs/CA-3/edit/",
        {"name": "甲市三厂工会（新）", "type": "grassroots", "division_code": "650102"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="CA-3").name == "甲市三厂工会（新）"


def test_create_child(world, client_for) -> None:
    client = client_for(world.county_officer)
    response = client.post(
        "/orgs/CA-K/new/", {"code": "CA-K-3", "name": "甲县三厂工会", "type": "grassroots"}
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="CA-K-3").parent == world.county_a


def test_viewer_cannot_post_edits(world, client_for) -> None:
    client = client_for(world.city_viewer)
    response = client.post("/orgs/CA-3/edit/", {"name": "hacked", "type": "grassroots"})
    assert response.status_code == 403
    assert Organisation.objects.get(code="CA-3").name == "甲市三厂工会"


def test_move_needs_the_parents_officer(world, client_for) -> None:
    # the county officer acts on CA-K's subtree but not on CA, CA-K's parent
    county = client_for(world.county_officer)
    assert county.post("/orgs/CA-K/move/", {"new_parent": "CA-K"}).status_code == 403
    assert (
        county.post("/orgs/CA-K-1/move/", {"new_parent": "CA-K"}).status_code == 200
    )  # form error: same parent
    city = client_for(world.city_officer)
    response = city.post("/orgs/CA-3/move/", {"new_parent": "CA-K"})
    assert response.status_code == 302
    assert Organisation.objects.get(code="CA-3").parent == world.county_a
    assert county.get("/orgs/CA-3/").status_code == 200


def test_move_target_outside_scope_is_refused(world, client_for) -> None:
    city = client_for(world.city_officer)
    response = city.post("/orgs/CA-3/move/", {"new_parent": "CB"})
    assert response.status_code == 200
    assert "within your scope" in response.content.decode()
    assert Organisation.objects.get(code="CA-3").parent == world.city_a


def test_list_filters_and_htmx_partial(world, client_for) -> None:
    client = client_for(world.fed_officer)
    page = client.get("/orgs/?type=grassroots&q=甲").context["page"]
    assert {o.code for o in page} == {"CA-K-1", "CA-K-2", "CA-3"}
    partial = client.get("/orgs/?q=乙", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert "乙市一厂工会" in partial.content.decode()


def test_list_sorts_by_allowed_columns_only(world, client_for) -> None:
    client = client_for(world.fed_officer)
    names = [o.name for o in client.get("/orgs/?sort=-code").context["page"]]
    assert names[0] == "自治区总工会"  # "R" sorts last ascending, first descending
    assert client.get("/orgs/?sort=password").status_code == 200


def test_home_counts_are_the_subtree(world, client_for) -> None:
    response = client_for(world.city_officer).get("/")
    figures = {str(f.label): f.value for f in response.context["figures"]}
    assert figures["Organisations in your scope"] == 5
    assert figures["Grassroots union"] == 3 and figures["County federation"] == 1
    assert "Federation of trade unions" not in figures  # none in the city's subtree


def test_unit_pages(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post(
        "/units/new/",
        {
            "name": "新疆甲市建材有限公司",
            "credit_code": "91650102123456788R",
            "organisation": "CA-3",
        },
    )
    assert response.status_code == 302, response.content.decode()
    unit_url = response["Location"]
    assert client.get(unit_url).status_code == 200
    assert client_for(world.outsider).get(unit_url).status_code == 404
    assert client_for(world.city_viewer).get(unit_url + "edit/").status_code == 403
    bad = client.post(
        "/units/new/", {"name": "x", "credit_code": "91650102123456788A", "organisation": "CB-1"}
    )
    body = bad.content.decode()
    assert "within your scope" in body and "check character" in body
