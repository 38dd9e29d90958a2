from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ID_A = "650102199003070072"


def test_register_list_get_and_transfer_through_the_api(world, client_for) -> None:
    client = client_for(world.city_officer)
    payload = {
        "identity_number": ID_A,
        "name": "阿依古丽·买买提",
        "union_code": "CA-K-1",
        "phone": "13812345678",
    }
    created = client.post("/api/v1/members", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["person"]["identity_number"] == "650102********0072"
    assert body["person"]["phone"] == "138****5678"
    listed = client.get("/api/v1/members?union=CA-K-1").json()
    assert len(listed["items"]) == 1 and ID_A not in str(listed)
    person_id = body["person"]["id"]
    moved = client.post(
        f"/api/v1/members/memberships/{body['membership_id']}/transfer",
        {"to_union_code": "CA-3"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["union_code"] == "CA-3"
    detail = client.get(f"/api/v1/members/{person_id}").json()
    assert [m["status"] for m in detail["memberships"]] == ["active", "transferred"]
    assert client_for(world.outsider).get(f"/api/v1/members/{person_id}").status_code == 404
    assert client_for(world.outsider).get("/api/v1/members").json()["items"] == []


def test_bad_member_is_400_with_reasons(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post(
        "/api/v1/members",
        {"identity_number": "650102199003070073", "name": "x", "union_code": "CA-K-1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "check character" in response.json()["detail"]
    outside = client.post(
        "/api/v1/members",
        {"identity_number": ID_A, "name": "x", "union_code": "CB-1"},
        content_type="application/json",
    )
    assert outside.status_code == 404
