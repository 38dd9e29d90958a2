"""The API's boundary: numbers within their columns, strict bodies, errors always JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from gonghui.honours.models import BenefitEntry, Honouree, HonourKind, HonourLevel
from tests.conftest import api_token, bearer

pytestmark = pytest.mark.django_db


def _bearer(username: str) -> Client:
    return bearer(api_token(username), raise_request_exception=False)


def _honouree(world) -> Honouree:
    kind = HonourKind.objects.create(name="自治区劳动模范", level=HonourLevel.REGIONAL)
    return Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=kind, level=kind.level, year=2010
    )


def test_an_amount_too_large_for_its_column_is_422_and_never_stored(world) -> None:
    honouree = _honouree(world)
    url = f"/api/v1/honours/honourees/{honouree.pk}/benefits"
    dave = _bearer("dave")
    for amount in ("100000000", "1e20", "0.001", "-1", "NaN"):
        refused = dave.post(
            url, {"kind": "award", "on": "2026-05-01", "amount": amount}, "application/json"
        )
        assert refused.status_code == 422, (amount, refused.content)
        assert refused.json()["detail"][0]["loc"][-1] == "amount"
    assert not BenefitEntry.objects.exists()
    largest = dave.post(
        url, {"kind": "award", "on": "2026-05-01", "amount": "99999999.99"}, "application/json"
    )
    assert largest.status_code == 201, largest.content
    assert dave.get(url).json()[0]["amount"] == "99999999.99"


def test_an_allowance_rate_outside_its_column_is_422(world) -> None:
    fed = _bearer("fed")
    url = "/api/v1/honours/allowance-rates/national"
    for amount in ("123456789012", "-5"):
        refused = fed.put(url, {"monthly_amount": amount}, "application/json")
        assert refused.status_code == 422, (amount, refused.content)


def test_a_year_outside_the_sensible_range_is_422(world) -> None:
    fed = _bearer("fed")
    for year in (0, 1949, 2101, 10**12):
        assert fed.get(f"/api/v1/honours/calendar?year={year}").status_code == 422, year
        assert fed.get(f"/api/v1/honours/honourees?year={year}").status_code == 422, year


def test_a_limit_beyond_a_page_is_422(world) -> None:
    alice = _bearer("alice")
    refused = alice.get(f"/api/v1/orgs?limit={10**9}")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "limit"]
    assert alice.get("/api/v1/orgs?limit=200").status_code == 200


def test_an_offset_past_the_last_row_is_422(world) -> None:
    alice = _bearer("alice")
    assert alice.get("/api/v1/orgs?offset=5").json() == {"items": [], "count": 5}
    refused = alice.get("/api/v1/orgs?offset=6")
    assert refused.status_code == 422
    assert "5" in refused.json()["detail"][0]["msg"]
    assert alice.get(f"/api/v1/orgs?offset={10**30}").status_code == 422


def test_an_id_no_row_can_have_is_422(world) -> None:
    fed = _bearer("fed")
    assert fed.get(f"/api/v1/members/{10**30}").status_code == 422
    assert fed.get(f"/api/v1/honours/campaigns/{2**63}").status_code == 422
    assert fed.get(f"/api/v1/honours/nominations?campaign={10**30}").status_code == 422
    assert fed.get(f"/api/v1/honours/campaigns/{2**63 - 1}").status_code == 404


def test_an_unknown_key_in_a_body_is_422(world) -> None:
    fed = _bearer("fed")
    body = {"code": "CA-9", "name": "新厂工会", "type": "grassroots", "parent_code": "CA"}
    refused = fed.post("/api/v1/orgs", {**body, "is_staff": True}, "application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "is_staff"
    assert fed.post("/api/v1/orgs", body, "application/json").status_code == 201


def test_a_null_body_is_422(world) -> None:
    fed = _bearer("fed")
    assert fed.post("/api/v1/orgs", "null", "application/json").status_code == 422
    assert fed.patch("/api/v1/orgs/CA", "null", "application/json").status_code == 422
    assert fed.post("/api/v1/orgs", "[]", "application/json").status_code == 422


def test_a_server_fault_answers_json_500_and_is_logged(world, monkeypatch, caplog) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("gonghui.orgs.api.visible_orgs", broken)
    response = _bearer("alice").get("/api/v1/orgs", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "req-12345678" in response.json()["detail"]
    assert "database went away" not in response.content.decode()
    assert "database went away" in caplog.text


def test_the_openapi_document_answers_a_bearer_token(world) -> None:
    response = _bearer("dave").get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/members" in response.json()["paths"]


def test_the_openapi_document_refuses_strangers_with_json_401() -> None:
    stranger = Client().get("/api/v1/openapi.json")
    assert stranger.status_code == 401
    assert "authentication" in stranger.json()["detail"]
    spent = Client(headers={"Authorization": "Bearer gh_not-a-token"}).get("/api/v1/openapi.json")
    assert spent.status_code == 401


def test_every_operation_declares_its_errors(world) -> None:
    schema = _bearer("fed").get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"422", "500"} <= declared, (method, path, declared)
            if operation.get("security"):
                assert "401" in declared, (method, path, declared)


def test_money_is_kept_exactly(world) -> None:
    honouree = _honouree(world)
    url = f"/api/v1/honours/honourees/{honouree.pk}/benefits"
    dave = _bearer("dave")
    body = {"kind": "award", "on": "2026-05-01", "amount": "1234.5"}
    assert dave.post(url, body, "application/json").status_code == 201
    assert BenefitEntry.objects.get().amount == Decimal("1234.50")


def test_a_parameter_given_twice_is_422(world) -> None:
    alice = _bearer("alice")
    assert alice.get("/api/v1/orgs?q=甲&q=乙").status_code == 422
    assert alice.get("/api/v1/orgs?q=甲").status_code == 200


def test_an_allowance_recorded_twice_for_a_month_is_409_not_500(world) -> None:
    honouree = _honouree(world)
    url = f"/api/v1/honours/honourees/{honouree.pk}/benefits"
    dave = _bearer("dave")
    body = {"kind": "allowance", "on": "2026-05-01", "amount": "300"}
    first = dave.post(url, body, "application/json")
    assert first.status_code == 201 and first.json()["period"] == "2026-05"
    again = dave.post(url, {**body, "on": "2026-05-20"}, "application/json")
    assert again.status_code == 409
    assert "2026-05" in again.json()["errors"]["on"][0]
    assert dave.post(url, {**body, "on": "2026-06-01"}, "application/json").status_code == 201
    assert BenefitEntry.objects.count() == 2


def test_a_boolean_is_true_or_false_not_a_number(world) -> None:
    fed = _bearer("fed")
    body = {"is_workday": 0, "name": ""}
    assert (
        fed.put("/api/v1/honours/calendar/2026-10-08", body, "application/json").status_code == 422
    )


def client_for_web(world):
    from tests.conftest import signed_in

    return signed_in(world.city_officer, raise_request_exception=False)


def test_text_holding_the_nul_character_is_refused_not_a_server_error(world) -> None:
    """No text column takes NUL (PostgreSQL refuses it outright): 422 in a body, a query, a
    path, never a 500."""
    from tests.conftest import api_token, bearer

    client = bearer(api_token("alice"), raise_request_exception=False)
    body = client.patch(
        "/api/v1/orgs/CA", {"name": "甲市\x00总工会"}, content_type="application/json"
    )
    assert body.status_code == 422 and "NUL" in body.json()["detail"][0]["msg"], body.content
    assert client.get("/api/v1/members", {"q": "张\x00"}).status_code == 422
    path = client.get("/api/v1/orgs/C%00A")
    assert path.status_code == 422 and "NUL" in path.json()["detail"][0]["msg"]
    web = client_for_web(world)
    assert web.get("/members/", {"q": "张\x00"}).status_code == 400
    assert web.get("/orgs/C%00A/").status_code == 400
