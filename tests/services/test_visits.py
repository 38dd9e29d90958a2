"""Visits to a household on the register (走访), every six months: recorded on an open file,
listed on its page, due on the workbench, through the API; the outsider sees and does nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.core.workbench import todos_for
from gonghui.services import actions
from gonghui.services.models import HardshipFile, months_after

pytestmark = pytest.mark.django_db


def visit(world: Any, file: HardshipFile, on: date, findings: str = "家中老人病情稳定") -> Any:
    details = actions.VisitDetails(visited_on=on, visitors="王主席、李干事", findings=findings)
    return actions.record_visit(by=world.grassroots_officer, file=file, details=details)


def approved_long_ago(file: HardshipFile, days: int) -> HardshipFile:
    HardshipFile.objects.filter(pk=file.pk).update(
        approved_at=timezone.now() - timedelta(days=days)
    )
    return file


def due(user: Any) -> list[str]:
    return [str(todo.text) for todo in todos_for(user) if "due a visit" in str(todo.text)]


def test_the_next_visit_is_due_six_months_on_and_the_visit_is_audited(world, approved) -> None:
    recorded = visit(world, approved, date(2026, 8, 31))
    assert recorded.next_due_on == date(2027, 2, 28)
    assert months_after(date(2026, 3, 15), 6) == date(2026, 9, 15)
    event = AuditEvent.objects.get(action="hardship.visit")
    assert event.extra["next_due_on"] == "2027-02-28"


def test_findings_may_not_hold_identity_or_phone_numbers(world, approved) -> None:
    with pytest.raises(ValidationError) as refused:
        visit(world, approved, timezone.localdate(), findings="联系电话13912345678，多次联系")
    assert "findings" in refused.value.message_dict
    with pytest.raises(ValidationError):
        visit(world, approved, timezone.localdate() + timedelta(days=1))
    assert not approved.visits.exists()


def test_a_closed_file_takes_no_visit_and_the_outsider_none(world, approved) -> None:
    details = actions.VisitDetails(visited_on=timezone.localdate(), visitors="王", findings="好")
    with pytest.raises(PermissionDenied):
        actions.record_visit(by=world.outsider, file=approved, details=details)
    actions.close_file(by=world.grassroots_officer, file=approved, reason="retired")
    with pytest.raises(ValidationError):
        visit(world, approved, timezone.localdate())


def test_files_due_a_visit_on_the_workbench_within_scope(world, approved, client_for) -> None:
    assert due(world.grassroots_officer) == []
    approved_long_ago(approved, 200)
    assert due(world.grassroots_officer) == ["1 hardship file is due a visit"]
    assert due(world.county_officer) == ["1 hardship file is due a visit"]
    assert due(world.outsider) == []
    listed = client_for(world.grassroots_officer).get("/services/?due=visit")
    assert "职工一" in listed.content.decode()
    assert "职工一" not in client_for(world.outsider).get("/services/?due=visit").content.decode()
    visit(world, approved, timezone.localdate() - timedelta(days=10))
    assert due(world.grassroots_officer) == []
    approved.visits.update(visited_on=timezone.localdate() - timedelta(days=190))
    assert due(world.grassroots_officer) == ["1 hardship file is due a visit"]


def test_a_visit_is_recorded_on_the_page_and_listed(world, approved, client_for) -> None:
    client = client_for(world.grassroots_officer)
    today = timezone.localdate().isoformat()
    answer = client.post(
        f"/services/{approved.pk}/visits/",
        {"visited_on": today, "visitors": "王主席", "findings": "孩子已复学"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and "孩子已复学" in answer.content.decode()
    page = client.get(f"/services/{approved.pk}/").content.decode()
    assert 'data-testid="visits"' in page and "孩子已复学" in page
    refused = client.post(
        f"/services/{approved.pk}/visits/",
        {"visited_on": today, "visitors": "王主席", "findings": "身份证650102199001010012"},
    )
    assert refused.status_code == 400 and approved.visits.count() == 1
    outsider = client_for(world.outsider)
    assert (
        outsider.post(
            f"/services/{approved.pk}/visits/",
            {"visited_on": today, "visitors": "x", "findings": "y"},
        ).status_code
        == 404
    )
    assert approved.visits.count() == 1


def test_visits_through_the_api(world, approved, client_for) -> None:
    url = f"/api/v1/services/files/{approved.pk}/visits"
    dave = client_for(world.grassroots_officer)
    today = timezone.localdate()
    added = dave.post(
        url,
        {"visited_on": today.isoformat(), "visitors": "王主席", "findings": "已就业"},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert added.json()["next_due_on"] == months_after(today, 6).isoformat()
    assert [v["findings"] for v in dave.get(url).json()] == ["已就业"]
    outsider = client_for(world.outsider)
    assert outsider.get(url).status_code == 404
    assert (
        outsider.post(
            url,
            {"visited_on": today.isoformat(), "visitors": "x", "findings": "y"},
            content_type="application/json",
        ).status_code
        == 404
    )
    viewer = client_for(world.city_viewer)
    assert viewer.get(url).status_code == 200
    assert (
        viewer.post(
            url,
            {"visited_on": today.isoformat(), "visitors": "x", "findings": "y"},
            content_type="application/json",
        ).status_code
        == 403
    )
    listed = dave.get("/api/v1/services/files?due=visit").json()
    assert listed["count"] == 0 if isinstance(listed, dict) else listed == []
