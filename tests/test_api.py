"""The REST API: tokens, scope, errors as JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.models import ApiToken
from gonghui.core.models import AuditEvent
from tests.conftest import api_token, bearer

pytestmark = pytest.mark.django_db


def test_token_gives_scoped_access(world) -> None:
    client = bearer(api_token("alice"))
    body = client.get("/api/v1/orgs").json()
    assert body["count"] == 5
    assert {o["code"] for o in body["items"]} == {"CA", "CA-K", "CA-K-1", "CA-K-2", "CA-3"}
    assert client.get("/api/v1/me").json()["assignments"][0]["role"] == "officer"


def test_token_is_stored_only_as_a_hash(world) -> None:
    raw = api_token("alice")
    stored = ApiToken.objects.get(user=world.city_officer)
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.prefix == raw[:8]


def test_wrong_password_is_401_json(world) -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "alice", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_unauthenticated_call_is_401_json() -> None:
    response = Client().get("/api/v1/orgs")
    assert response.status_code == 401
    assert "authentication" in response.json()["detail"]


def test_bad_token_is_401(world) -> None:
    assert bearer("gh_not-a-token").get("/api/v1/orgs").status_code == 401


def test_revoked_token_stops_working(world) -> None:
    token = api_token("alice")
    client = bearer(token)
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/orgs").status_code == 401


def test_deactivated_user_token_stops_working(world) -> None:
    token = api_token("alice")
    world.city_officer.is_active = False
    world.city_officer.save()
    assert bearer(token).get("/api/v1/orgs").status_code == 401


def test_filters_by_type_and_parent(world) -> None:
    client = bearer(api_token("fed"))
    grassroots = client.get("/api/v1/orgs?type=grassroots").json()
    assert {o["code"] for o in grassroots["items"]} == {"CA-K-1", "CA-K-2", "CA-3", "CB-1"}
    children = client.get("/api/v1/orgs?parent=CA").json()
    assert {o["code"] for o in children["items"]} == {"CA-K", "CA-3"}
    page = client.get("/api/v1/orgs?limit=2&offset=0").json()
    assert page["count"] == 8 and len(page["items"]) == 2
    assert client.get("/api/v1/orgs?type=nonsense").status_code == 422


def test_outside_scope_is_404_like_missing(world) -> None:
    client = bearer(api_token("alice"))
    outside = client.get("/api/v1/orgs/CB")
    missing = client.get("/api/v1/orgs/NO-SUCH")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_officer_creates_and_viewer_is_refused(world) -> None:
    payload = {"code": "CA-9", "name": "甲市九厂工会", "type": "grassroots", "parent_code": "CA"}
    created = bearer(api_token("alice")).post(
        "/api/v1/orgs", payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["parent_code"] == "CA"
    payload["code"] = "CA-10"
    refused = bearer(api_token("bob")).post(
        "/api/v1/orgs", payload, content_type="application/json"
    )
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=world.city_viewer).exists()


def test_validation_error_is_400_with_a_message(world) -> None:
    payload = {
        "code": "CA-9",
        "name": "x",
        "type": "grassroots",
        "parent_code": "CA",
        "credit_code": "91350100M000100Y44",
    }
    response = bearer(api_token("alice")).post(
        "/api/v1/orgs", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert "check character" in response.json()["detail"]


def test_mass_assignment_is_refused(world) -> None:
    client = bearer(api_token("alice"))
    response = client.patch(
        "/api/v1/orgs/CA-3",
        {"name": "新名字", "path": "0", "depth": 9, "parent": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {problem["loc"][-1] for problem in response.json()["detail"]} == {
        "path",
        "depth",
        "parent",
    }
    unchanged = client.get("/api/v1/orgs/CA-3").json()
    assert unchanged["name"] != "新名字"
    assert unchanged["parent_code"] == "CA" and unchanged["depth"] == 2


def test_move_through_the_api(world) -> None:
    client = bearer(api_token("alice"))
    response = client.post(
        "/api/v1/orgs/CA-3/move", {"new_parent_code": "CA-K"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["organisation"]["parent_code"] == "CA-K"
    # the county officer now reaches the moved union, on the very next call
    assert bearer(api_token("carol")).get("/api/v1/orgs/CA-3").status_code == 200


def test_move_into_own_subtree_is_400(world) -> None:
    client = bearer(api_token("alice"))
    response = client.post(
        "/api/v1/orgs/CA-K/move", {"new_parent_code": "CA-K"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_session_auth_needs_csrf_for_writes(world, client_for) -> None:
    client = client_for(world.city_officer, enforce_csrf_checks=True)
    assert client.get("/api/v1/orgs").status_code == 200
    payload = {"code": "CA-9", "name": "x", "type": "grassroots", "parent_code": "CA"}
    assert client.post("/api/v1/orgs", payload, content_type="application/json").status_code == 403


def test_audit_events_for_auditor_only(world) -> None:
    assert bearer(api_token("alice")).get("/api/v1/audit/events").status_code == 404
    body = bearer(api_token("audrey")).get("/api/v1/audit/events?action=auth.login").json()
    assert body["count"] >= 1
    assert all(e["action"].startswith("auth.login") for e in body["items"])


def test_openapi_schema_lists_every_operation(world, client_for) -> None:
    client = client_for(world.city_officer)
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/orgs",
        "/api/v1/orgs/{code}",
        "/api/v1/auth/token",
        "/api/v1/units",
        "/api/v1/audit/events",
    } <= paths
    assert client.get("/api/v1/docs").status_code == 200
    assert Client().get("/api/v1/openapi.json").status_code == 401
