"""The honours API: the same actions and scope as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.honours.models import Honouree, NominationStatus
from tests.conftest import api_token, bearer
from tests.honours.conftest import member

pytestmark = pytest.mark.django_db


def _api(username: str) -> Client:
    """A client sending the user's bearer token, as a script would."""
    return bearer(api_token(username))


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(f"/api/v1{url}", body, content_type="application/json")


def test_a_nomination_goes_through_the_api(world, honours) -> None:
    fed, alice, carol, dave = (_api(u) for u in ("fed", "alice", "carol", "dave"))
    campaign = honours.campaign.pk
    assert fed.get("/api/v1/honours/kinds").json()[0]["name"] == "自治区劳动模范"
    rule = _post(
        fed,
        f"/honours/campaigns/{campaign}/rules",
        {"condition": "frontline", "direction": "at_least", "percent": "50"},
    )
    assert rule.status_code == 201
    quota = fed.put(
        f"/api/v1/honours/campaigns/{campaign}/quotas",
        {"organisation_code": "CA", "quota": 3},
        content_type="application/json",
    )
    assert quota.status_code == 200 and quota.json()["quota"] == 3
    over = fed.put(
        f"/api/v1/honours/campaigns/{campaign}/quotas",
        {"organisation_code": "CB", "quota": 8},
        content_type="application/json",
    )
    assert over.status_code == 400 and "at most 7" in over.json()["detail"]

    person = member(world.gr_a1, "王强", is_frontline=True)
    created = _post(
        dave,
        f"/honours/campaigns/{campaign}/nominations",
        {
            "organisation_code": "CA-K-1",
            "person_id": person.pk,
            "achievements": "创新成果五项。",
            "summary": "创新能手。",
            "democratic_record": "职工大会推荐。",
            "publication_consent": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["identity_number"] == person.identity_masked
    nomination = body["id"]
    url = f"/honours/nominations/{nomination}/transitions"
    assert _post(dave, url, {"step": "submit"}).json()["reviewer_code"] == "CA-K"
    refused = _post(alice, url, {"step": "approve"})
    assert refused.status_code == 400 and "role" in refused.json()["detail"]
    assert _post(carol, url, {"step": "approve"}).json()["reviewer_code"] == "CA"
    panel = alice.get(f"/api/v1/honours/campaigns/{campaign}/compliance/CA").json()
    assert panel["is_compliant"] and panel["figures"][0]["percent"] == "100.00"
    assert _post(alice, url, {"step": "approve"}).status_code == 200
    assert _post(fed, url, {"step": "approve"}).json()["status"] == "shortlisted"
    start = (timezone.localdate() - timedelta(days=20)).isoformat()
    assert (
        _post(fed, f"/honours/campaigns/{campaign}/notice", {"starts_on": start}).status_code == 200
    )
    members = _post(
        fed, f"/honours/campaigns/{campaign}/committee", {"names": ["甲", "乙", "丙"]}
    ).json()
    assert _post(fed, f"/honours/campaigns/{campaign}/vote", {}).status_code == 200
    ballots = {str(m["id"]): "yes" for m in members}
    voted = _post(
        fed, f"/honours/nominations/{nomination}/votes", {"ballots": ballots, "close": True}
    )
    assert voted.json()["status"] == NominationStatus.APPROVED
    honouree = Honouree.objects.get(nomination_id=nomination)
    added = _post(
        dave,
        f"/honours/honourees/{honouree.pk}/benefits",
        {"kind": "checkup", "on": "2026-06-01", "amount": "300"},
    )
    assert added.status_code == 201
    assert fed.get("/api/v1/honours/benefits/totals?by=year").json() == [
        {"key": "2026", "entries": 1, "amount": "300.00"}
    ]


def test_the_outsider_gets_nothing_through_the_api(world, honours) -> None:
    person = member(world.gr_a1, "李华")
    dave = _api("dave")
    nomination = _post(
        dave,
        f"/honours/campaigns/{honours.campaign.pk}/nominations",
        {
            "organisation_code": "CA-K-1",
            "person_id": person.pk,
            "achievements": "事迹",
            "summary": "摘要",
            "democratic_record": "记录",
        },
    ).json()["id"]
    charlie = _api("charlie")
    assert charlie.get("/api/v1/honours/nominations").json()["count"] == 0
    assert charlie.get(f"/api/v1/honours/nominations/{nomination}").status_code == 404
    assert (
        _post(
            charlie, f"/honours/nominations/{nomination}/transitions", {"step": "submit"}
        ).status_code
        == 404
    )
    assert charlie.get("/api/v1/honours/honourees").json()["count"] == 0
    assert _api("bob").get("/api/v1/honours/nominations").json()["count"] == 1
    forbidden = _post(
        _api("alice"),
        f"/honours/campaigns/{honours.campaign.pk}/rules",
        {"condition": "woman", "direction": "at_least", "percent": "10"},
    )
    assert forbidden.status_code == 403


def test_register_services_through_the_api(
    world, honours, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    honouree = Honouree.objects.create(
        name="甲",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
        campaign=honours.campaign,
        receives_allowance=True,
        is_frontline=True,
    )
    fed, dave, charlie = _api("fed"), _api("dave"), _api("charlie")
    session = _post(
        fed,
        "/honours/sessions",
        {
            "organisation_code": "R",
            "name": "疗休养",
            "starts_on": "2026-07-01",
            "ends_on": "2026-07-07",
            "places": 1,
        },
    )
    assert session.status_code == 201
    session_id = session.json()["id"]
    assert (
        _post(
            charlie, f"/honours/sessions/{session_id}/bookings", {"honouree_id": honouree.pk}
        ).status_code
        == 404
    )
    booked = _post(dave, f"/honours/sessions/{session_id}/bookings", {"honouree_id": honouree.pk})
    assert booked.status_code == 201 and booked.json()["booked"] == 1
    other = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2020
    )
    full = _post(dave, f"/honours/sessions/{session_id}/bookings", {"honouree_id": other.pk})
    assert full.status_code == 400 and "full" in full.json()["detail"]
    from gonghui.honours.actions import set_allowance_rate

    set_allowance_rate(
        by=world.fed_officer, organisation=world.region, level=honours.kind.level, amount=80
    )
    assert _post(
        dave, "/honours/allowances", {"organisation_code": "CA-K-1", "period": "2026-03"}
    ).json() == {"recorded": 1}
    assert (
        _post(
            dave, "/honours/allowances", {"organisation_code": "CA-K-1", "period": "March"}
        ).status_code
        == 422
    )
    revoked = _post(
        dave, f"/honours/honourees/{other.pk}/status", {"status": "revoked", "reason": "违纪"}
    )
    assert revoked.json()["status"] == "revoked"
    assert (
        _post(dave, f"/honours/campaigns/{honours.campaign.pk}/certificates", {}).status_code == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = _post(fed, f"/honours/campaigns/{honours.campaign.pk}/certificates", {})
    assert batch.status_code == 202
    status = fed.get(f"/api/v1/honours/certificates/{batch.json()['id']}").json()
    assert status["state"] == "done" and status["download"].endswith("?download=1")
    assert charlie.get(f"/api/v1/honours/certificates/{batch.json()['id']}").status_code == 403
