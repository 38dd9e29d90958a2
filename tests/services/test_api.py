"""The hardship files API: the same actions and scope as the pages."""

import pytest

from gonghui.services.models import FileStatus
from tests.contests.factories import identity_number

pytestmark = pytest.mark.django_db

FIGURES = {"dibao_line": "600", "income": "9000", "medical": "1800"}


def test_open_submit_approve_and_pay(world, client_for, worker):
    dave, carol = client_for(world.grassroots_officer), client_for(world.county_officer)
    created = dave.post(
        "/api/v1/services/files",
        {**FIGURES, "union_code": "CA-K-1", "identity_number": identity_number(1)},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["tier"] == "relative" and body["figure"] == "600.00"  # not below the line
    file_id = body["id"]
    assert dave.post(f"/api/v1/services/files/{file_id}/submit").status_code == 200
    assert (
        dave.post(
            f"/api/v1/services/files/{file_id}/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    approved = carol.post(
        f"/api/v1/services/files/{file_id}/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == FileStatus.APPROVED
    paid = dave.post(
        f"/api/v1/services/files/{file_id}/assistance",
        {"paid_on": "2026-01-10", "kind": "warmth", "amount": "3500", "fund_source": "送温暖"},
        content_type="application/json",
    )
    assert paid.status_code == 400 and "3000" in paid.json()["detail"]


def test_outsider_sees_nothing(world, client_for, draft):
    client = client_for(world.outsider)
    assert client.get(f"/api/v1/services/files/{draft.pk}").status_code == 404
    assert client.post(f"/api/v1/services/files/{draft.pk}/submit").status_code == 404
    assert client.get("/api/v1/services/files").json()["count"] == 0


def test_viewer_reads_but_cannot_act(world, client_for, draft):
    client = client_for(world.city_viewer)
    detail = client.get(f"/api/v1/services/files/{draft.pk}")
    assert detail.status_code == 200
    assert detail.json()["members"][0]["identity_number"] == draft.person.identity_masked
    assert client.post(f"/api/v1/services/files/{draft.pk}/submit").status_code == 403


def test_list_filters_by_tier(world, client_for, draft):
    client = client_for(world.city_officer)
    assert client.get("/api/v1/services/files?tier=deep").json()["count"] == 1
    assert client.get("/api/v1/services/files?tier=accident").json()["count"] == 0


def test_add_member_through_the_api(world, client_for, draft):
    response = client_for(world.grassroots_officer).post(
        f"/api/v1/services/files/{draft.pk}/members",
        {"relation": "parent", "name": "李大山", "birth_year": 1950, "is_ill": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["household_size"] == 4


def test_outsider_cannot_open_a_file_in_another_union(world, client_for, worker):
    response = client_for(world.outsider).post(
        "/api/v1/services/files",
        {**FIGURES, "union_code": "CA-K-1", "identity_number": identity_number(1)},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_second_open_file_is_refused_with_the_union(world, client_for, draft):
    response = client_for(world.county_officer).post(
        "/api/v1/services/files",
        {**FIGURES, "union_code": "CA-K-1", "identity_number": identity_number(1)},
        content_type="application/json",
    )
    assert response.status_code == 400 and "甲县一厂工会" in response.json()["detail"]


def test_close_needs_a_known_reason(world, client_for, approved):
    client = client_for(world.county_officer)
    bad = client.post(
        f"/api/v1/services/files/{approved.pk}/close",
        {"close_reason": "bored"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    closed = client.post(
        f"/api/v1/services/files/{approved.pk}/close",
        {"close_reason": "deceased"},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed" and closed.json()["close_reason"] == "deceased"
