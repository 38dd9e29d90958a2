"""/metrics: the Prometheus text format behind a token; requests by route (never the path),
background tasks, imports, the audit trail and failed sign-ins, with no personal data."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from gonghui.core import audit, metrics
from gonghui.core.checks import check_metrics_token
from gonghui.core.imports import tasks as import_tasks
from gonghui.core.imports.models import ImportJob
from gonghui.core.models import AuditHead, Outcome
from gonghui.people.actions import PersonDetails, register_member
from tests.people.test_import import good_rows, write_csv
from tests.people.test_web_import import _upload

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-token-for-the-data-centre-prometheus"
ID_NUMBER = "650102199003070072"


@pytest.fixture(autouse=True)
def _token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape() -> Samples:
    """Every sample of /metrics, keyed by name and labels."""
    response = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return float(samples.get((name, tuple(sorted(labels.items()))), 0.0))


def test_without_a_configured_token_there_is_no_metrics_page(settings) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client(headers={"Authorization": "Bearer "}).get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"],
)
def test_a_missing_or_wrong_token_is_refused_and_shows_nothing(authorization) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = Client(headers=headers).get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"gonghui_" not in response.content


def test_the_right_token_gets_the_text_format_each_metric_named_and_explained() -> None:
    response = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = list(text_string_to_metric_families(response.content.decode()))
    names = {family.name for family in families}
    assert {
        "gonghui_http_requests",
        "gonghui_http_request_duration_seconds",
        "gonghui_sign_in_failures",
        "gonghui_audit_events",
        "gonghui_audit_events_recorded",
        "gonghui_import_rows_checked",
        "gonghui_import_rows_written",
        "gonghui_tasks_waiting",
        "gonghui_tasks_failed",
        "gonghui_imports_running",
        "gonghui_database_up",
    } <= names
    assert all(family.name.startswith("gonghui_") and family.documentation for family in families)


def test_the_page_is_open_without_a_session_and_past_the_password_change(world) -> None:
    world.city_officer.must_change_password = True
    world.city_officer.save(update_fields=["must_change_password"])
    client = Client(headers={"Authorization": f"Bearer {TOKEN}"})
    client.force_login(world.city_officer)
    assert client.get("/metrics").status_code == 200
    assert client.get("/").status_code == 302  # the rest of the site waits for the new password


def test_only_get_is_answered() -> None:
    client = Client(headers={"Authorization": f"Bearer {TOKEN}"})
    assert client.post("/metrics").status_code == 405


def test_a_request_is_counted_and_timed_by_its_route_never_its_path(world, client_for) -> None:
    person = register_member(
        by=None, identity_number=ID_NUMBER, details=PersonDetails(name="张三"), union=world.gr_a1
    ).person
    labels = {"route": "/members/<int:pk>/", "method": "GET"}
    before = scrape()
    page = client_for(world.fed_officer).get(f"/members/{person.pk}/?q={ID_NUMBER}&id={ID_NUMBER}")
    assert page.status_code == 200
    client_for(world.fed_officer).get(f"/members/?q={ID_NUMBER}")
    after = scrape()
    assert value(after, "gonghui_http_requests_total", **labels, status="200") == (
        value(before, "gonghui_http_requests_total", **labels, status="200") + 1
    )
    assert value(after, "gonghui_http_request_duration_seconds_count", **labels) == (
        value(before, "gonghui_http_request_duration_seconds_count", **labels) + 1
    )
    assert value(after, "gonghui_http_request_duration_seconds_bucket", **labels, le="+Inf") == (
        value(before, "gonghui_http_request_duration_seconds_bucket", **labels, le="+Inf") + 1
    )
    body = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics").content.decode()
    assert ID_NUMBER not in body and ID_NUMBER[:6] + "1990" not in body
    assert f"/members/{person.pk}/" not in body and 'route="/members/"' in body


def test_a_path_that_matches_no_page_is_one_label(client_for, world) -> None:
    before = scrape()
    client_for(world.fed_officer).get(f"/no-such-page/{ID_NUMBER}/")
    labels = {"route": "unmatched", "method": "GET", "status": "404"}
    after = scrape()
    assert value(after, "gonghui_http_requests_total", **labels) == (
        value(before, "gonghui_http_requests_total", **labels) + 1
    )
    assert (
        ID_NUMBER
        not in Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics").content.decode()
    )


def test_the_task_gauges_count_waiting_and_failed_tasks_in_the_database() -> None:
    task = "gonghui.core.imports.tasks.check_job"
    DBTaskResult.objects.all().delete()
    import_tasks.check_job.enqueue(1)
    import_tasks.check_job.enqueue(2)
    failed = import_tasks.check_job.enqueue(3)
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED)
    samples = scrape()
    assert value(samples, "gonghui_tasks_waiting", task=task) == 2
    assert value(samples, "gonghui_tasks_failed", task=task) == 1
    assert (("gonghui_tasks_running", (("task", task),)) in samples) and value(
        samples, "gonghui_tasks_running", task=task
    ) == 0
    assert value(samples, "gonghui_tasks_oldest_waiting_seconds") >= 0
    DBTaskResult.objects.all().delete()
    assert value(scrape(), "gonghui_tasks_oldest_waiting_seconds") == 0


def test_an_import_moves_the_row_counters_of_its_kind(
    world, tmp_path, client_for, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    kind = {"kind": "people.roster"}
    before = scrape()
    client = client_for(world.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, write_csv(tmp_path / "r.csv", good_rows(12)))
        client.post(f"/members/import/{ImportJob.objects.get().pk}/apply/")
    after = scrape()
    # checked twice (the check, then the pass that writes), written once it committed
    assert value(after, "gonghui_import_rows_checked_total", **kind) == (
        value(before, "gonghui_import_rows_checked_total", **kind) + 24
    )
    assert value(after, "gonghui_import_rows_written_total", **kind) == (
        value(before, "gonghui_import_rows_written_total", **kind) + 12
    )
    assert value(after, "gonghui_imports_written_total", **kind) == (
        value(before, "gonghui_imports_written_total", **kind) + 1
    )
    assert value(after, "gonghui_imports_running", **kind, stage="queued") == 0


def test_the_audit_figures_come_from_the_chain_head_and_the_committed_events(
    django_capture_on_commit_callbacks,
) -> None:
    before = scrape()
    assert value(before, "gonghui_audit_events_total") == AuditHead.objects.get().last_id
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="test.event")
        audit.record(action="test.event", outcome=Outcome.DENIED)
    after = scrape()
    assert (
        value(after, "gonghui_audit_events_total")
        == value(before, "gonghui_audit_events_total") + 2
    )
    for outcome in ("success", "denied"):
        assert value(after, "gonghui_audit_events_recorded_total", outcome=outcome) == (
            value(before, "gonghui_audit_events_recorded_total", outcome=outcome) + 1
        )


def test_events_rolled_back_are_not_counted(django_capture_on_commit_callbacks) -> None:
    before = value(scrape(), "gonghui_audit_events_recorded_total", outcome="failure")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit.record(action="test.event", outcome=Outcome.FAILURE)
        raise RuntimeError
    assert callbacks == []
    assert value(scrape(), "gonghui_audit_events_recorded_total", outcome="failure") == before


def test_a_failed_sign_in_is_counted(world) -> None:
    reason = {"reason": "password"}
    before = value(scrape(), "gonghui_sign_in_failures_total", **reason)
    Client().post("/accounts/login/", {"username": "alice", "password": "nope"})
    Client().post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "nope"},
        content_type="application/json",
    )
    after = scrape()
    assert value(after, "gonghui_sign_in_failures_total", **reason) == before + 2
    assert ("gonghui_sign_in_failures_total", (("reason", "second_factor"),)) in after


def test_a_database_that_does_not_answer_leaves_the_counters_served(monkeypatch) -> None:
    def broken() -> None:
        raise DatabaseError("gone")

    monkeypatch.setattr(metrics, "_task_figures", broken)
    samples = scrape()
    assert value(samples, "gonghui_database_up") == 0
    assert ("gonghui_sign_in_failures_total", (("reason", "password"),)) in samples
    assert not any(name == "gonghui_tasks_waiting" for name, _labels in samples)


def test_the_database_figures_say_the_database_answered() -> None:
    assert value(scrape(), "gonghui_database_up") == 1


def test_a_short_token_is_warned_of_by_the_deployment_check(settings) -> None:
    settings.METRICS_TOKEN = "short"
    assert [warning.id for warning in check_metrics_token(None)] == ["gonghui.W003"]
    settings.METRICS_TOKEN = TOKEN
    assert check_metrics_token(None) == []
