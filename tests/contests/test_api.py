"""The contests API drives a skill end to end, scoped like the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.contests.models import Mark
from tests.conftest import api_token, bearer

from .factories import identity_number

pytestmark = pytest.mark.django_db


def _api(username: str) -> Client:
    """A client sending the user's bearer token, as a script would."""
    return bearer(api_token(username))


def test_a_skill_end_to_end_through_the_api(world) -> None:
    alice = _api("alice")
    created = alice.post(
        "/api/v1/contests",
        {
            "code": "API1",
            "name": "接口竞赛",
            "organiser_code": "CA",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    skill = alice.post(
        "/api/v1/contests/API1/skills",
        {"code": "K", "name": "钳工"},
        content_type="application/json",
    ).json()
    url = f"/api/v1/contests/skills/{skill['id']}"
    patched = alice.patch(
        url,
        {"minimum_competitors": 2, "medal_policy": "worldskills"},
        content_type="application/json",
    )
    assert (
        patched.json()["minimum_competitors"] == 2
        and patched.json()["medal_policy"] == "worldskills"
    )
    bad = alice.put(
        f"{url}/scheme",
        {"aspects": [{"code": "A", "description": "a", "kind": "M", "max_mark": "50"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "50.00" in bad.json()["detail"]
    scheme = alice.put(
        f"{url}/scheme",
        {
            "aspects": [
                {"code": "A", "description": "尺寸", "kind": "M", "max_mark": "50"},
                {"code": "B", "description": "工艺", "kind": "J", "max_mark": "50"},
            ]
        },
        content_type="application/json",
    )
    assert [a["code"] for a in scheme.json()["aspects"]] == ["A", "B"]
    for n, union in ((1, "CA-K-1"), (2, "CA-K-2")):
        response = alice.post(
            f"{url}/competitors",
            {
                "number": f"C{n}",
                "name": "选手" + "一二"[n - 1],
                "identity_number": identity_number(n),
                "union_code": union,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert "*" in response.json()["identity_number"]
    for n in (1, 2, 3, 4):
        alice.post(
            f"{url}/judges",
            {
                "number": f"J{n}",
                "name": "裁判" + "一二三四"[n - 1],
                "identity_number": identity_number(900 + n),
                "union_code": "CA-K-1" if n == 4 else "",
                "is_chief": n == 1,
            },
            content_type="application/json",
        )
    judges = alice.get(f"{url}/judges").json()
    assert [j["must_not_mark"] for j in judges] == [[], [], [], ["C1"]]
    refused = alice.post(
        f"{url}/marks",
        {"marks": [{"competitor": "C1", "aspect": "B", "judge": "J4", "value": "2"}]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "J4 裁判四" in refused.json()["detail"]
    marks = [{"competitor": c, "aspect": "A", "value": v} for c, v in (("C1", "40"), ("C2", "30"))]
    marks += [
        {"competitor": "C1", "aspect": "B", "judge": j, "value": s}
        for j, s in (("J1", "3"), ("J2", "1"), ("J3", "2"))
    ]
    marks += [
        {"competitor": "C2", "aspect": "B", "judge": j, "value": "1"}
        for j in ("J1", "J2", "J3", "J4")
    ]
    entered = alice.post(f"{url}/marks", {"marks": marks}, content_type="application/json").json()
    assert entered["changed"] == 9 and entered["divergent"] == ["C1/B"]
    assert alice.get(f"{url}/results").json()["results"] == []
    assert alice.post(f"{url}/sign-off").status_code == 400
    fixed = alice.post(
        f"{url}/marks",
        {"marks": [{"competitor": "C1", "aspect": "B", "judge": "J1", "value": "2"}]},
        content_type="application/json",
    ).json()
    assert fixed["divergent"] == [] and fixed["problems"] == []
    assert alice.post(f"{url}/sign-off").json()["signed_off_at"]
    locked = alice.post(
        f"{url}/marks", {"marks": [marks[0] | {"value": "41"}]}, content_type="application/json"
    )
    assert locked.status_code == 400 and "chief judge" in locked.json()["detail"]
    results = alice.get("/api/v1/contests/API1/results").json()
    rows = results["skills"][0]["results"]
    # C1: 40 + 50*(2+1+2)/9 = 67.78; C2: 30 + 50*4/12 = 46.67
    assert [(r["number"], r["raw"], r["award"]) for r in rows] == [
        ("C1", "67.78", "gold"),
        ("C2", "46.67", "silver"),
    ]
    assert results["best"][0]["number"] == "C1"
    assert Mark.objects.count() == 9


def test_outsider_and_viewer_through_the_api(world, finished) -> None:
    charlie, bob = _api("charlie"), _api("bob")
    code, skill = finished.contest.code, finished.skill.pk
    assert charlie.get("/api/v1/contests").json()["count"] == 0
    for url in (
        f"/api/v1/contests/{code}",
        f"/api/v1/contests/{code}/results",
        f"/api/v1/contests/skills/{skill}",
        f"/api/v1/contests/skills/{skill}/results",
        f"/api/v1/contests/skills/{skill}/competitors",
    ):
        assert charlie.get(url).status_code == 404, url
        assert bob.get(url).status_code == 200, url
    assert (
        charlie.post(
            f"/api/v1/contests/skills/{skill}/reopen",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        bob.post(
            f"/api/v1/contests/skills/{skill}/reopen",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert bob.get(f"/api/v1/contests/skills/{skill}/marks").status_code == 403
    assert bob.get("/api/v1/contests").json()["count"] == 1
    refused = charlie.post(
        "/api/v1/contests",
        {
            "code": "X",
            "name": "x",
            "organiser_code": "CA",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
        },
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_contest_operations_are_in_the_openapi_schema(world, client_for) -> None:
    client = client_for(world.city_officer)
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/contests",
        "/api/v1/contests/{code}",
        "/api/v1/contests/{code}/skills",
        "/api/v1/contests/{code}/results",
        "/api/v1/contests/skills/{skill_id}",
        "/api/v1/contests/skills/{skill_id}/scheme",
        "/api/v1/contests/skills/{skill_id}/competitors",
        "/api/v1/contests/skills/{skill_id}/judges",
        "/api/v1/contests/skills/{skill_id}/marks",
        "/api/v1/contests/skills/{skill_id}/sign-off",
        "/api/v1/contests/skills/{skill_id}/reopen",
        "/api/v1/contests/skills/{skill_id}/results",
    } <= paths


def test_taking_off_through_the_api(world, running) -> None:
    alice, bob = _api("alice"), _api("bob")
    url = f"/api/v1/contests/skills/{running.skill.pk}/competitors/C003/remove"
    assert bob.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    response = alice.post(url, {"reason": "弃权"}, content_type="application/json")
    assert response.json() == {"marks_removed": 0}
    assert alice.post(url, {"reason": "弃权"}, content_type="application/json").status_code == 404
