"""Every import through the API: the kinds one may run, upload, the job followed, confirm,
cancel, roll back, errors and template; the same permissions and audit as the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.core.imports.models import ImportJob
from gonghui.core.models import AuditEvent
from gonghui.people.models import Person
from tests.conftest import api_token, bearer
from tests.people.test_import import BAD, good_rows, write_csv

pytestmark = pytest.mark.django_db

ROSTER = "/api/v1/imports/people.roster"


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _upload(client: Client, path: Path, **fields: str):
    with path.open("rb") as handle:
        data = {"file": SimpleUploadedFile(path.name, handle.read()), **fields}
    return client.post(ROSTER, data)


def test_the_kinds_listed_are_those_one_may_run_with_their_columns(world) -> None:
    listed = bearer(api_token("dave")).get("/api/v1/imports").json()
    roster = next(kind for kind in listed if kind["code"] == "people.roster")
    headers = [column["header"] for column in roster["columns"]]
    assert "姓名" in headers and "公民身份号码" in headers
    assert any(option["name"] == "union" and option["required"] for option in roster["options"])
    assert roster["can_roll_back"] and ".xls" in roster["suffixes"]
    auditor = bearer(api_token("audrey")).get("/api/v1/imports").json()
    assert "people.roster" not in [kind["code"] for kind in auditor]


def test_a_roster_is_uploaded_checked_confirmed_and_rolled_back(world, tmp_path) -> None:
    client = bearer(api_token("dave"))
    answer = _upload(client, write_csv(tmp_path / "r.csv", good_rows(8)), union="CA-K-1")
    assert answer.status_code == 202, answer.content
    job = answer.json()
    assert job["kind"] == "people.roster" and job["organisation"] == "CA-K-1"
    followed = client.get(f"{ROSTER}/jobs/{job['id']}").json()
    assert followed["stage"] == "checked" and followed["rows_ready"] == 8 and followed["can_apply"]
    assert not Person.objects.exists()  # checked, not written

    confirmed = client.post(
        f"{ROSTER}/jobs/{job['id']}/confirm", {}, content_type="application/json"
    )
    assert confirmed.status_code == 202 and confirmed.json()["stage"] == "done"
    assert Person.objects.count() == 8
    again = client.post(f"{ROSTER}/jobs/{job['id']}/confirm", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]
    assert [j["id"] for j in client.get(f"{ROSTER}/jobs").json()] == [job["id"]]

    undone = client.post(f"{ROSTER}/jobs/{job['id']}/roll-back")
    assert undone.status_code == 200, undone.content
    assert undone.json()["job"]["stage"] == "rolled_back"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"import.upload", "import.confirm", "import.roll_back"} <= actions


def test_bad_rows_are_reported_and_the_good_ones_imported_when_chosen(world, tmp_path) -> None:
    client = bearer(api_token("dave"))
    rows = [*good_rows(3), BAD[0][0]]
    job = _upload(client, write_csv(tmp_path / "r.csv", rows), union="CA-K-1").json()
    assert job["error_count"] == 1 and job["errors"][0]["row"] == 5 and job["rows_ready"] == 3
    errors = client.get(f"{ROSTER}/jobs/{job['id']}/errors")
    assert errors.status_code == 200 and "%E9%94%99%E8%AF%AF" in errors["Content-Disposition"]
    refused = client.post(f"{ROSTER}/jobs/{job['id']}/confirm", {}, content_type="application/json")
    assert refused.status_code == 409 and not Person.objects.exists()
    chosen = client.post(
        f"{ROSTER}/jobs/{job['id']}/confirm",
        {"skip_bad_rows": True},
        content_type="application/json",
    )
    assert chosen.status_code == 202 and chosen.json()["stage"] == "done", chosen.content
    assert Person.objects.count() == 3


def test_bad_input_is_answered_clearly_and_nothing_is_kept(world, tmp_path) -> None:
    client = bearer(api_token("dave"))
    no_union = _upload(client, write_csv(tmp_path / "r.csv", good_rows(2)))
    assert no_union.status_code == 400 and "union" in no_union.json()["errors"]
    wps = client.post(ROSTER, {"file": SimpleUploadedFile("名册.et", b"x"), "union": "CA-K-1"})
    assert wps.status_code == 400 and ".xlsx" in wps.json()["detail"]
    assert client.get("/api/v1/imports/no.such/jobs").status_code == 404
    assert not ImportJob.objects.exists()


def test_an_outsider_sees_no_job_and_cannot_import_elsewhere(world, tmp_path) -> None:
    job = _upload(
        bearer(api_token("dave")), write_csv(tmp_path / "r.csv", good_rows(2)), union="CA-K-1"
    ).json()
    outsider = bearer(api_token("charlie"))
    assert outsider.get(f"{ROSTER}/jobs/{job['id']}").status_code == 404
    assert outsider.post(f"{ROSTER}/jobs/{job['id']}/cancel").status_code == 404
    assert outsider.get(f"{ROSTER}/jobs").json() == []
    elsewhere = _upload(outsider, write_csv(tmp_path / "s.csv", good_rows(2)), union="CA-K-1")
    assert elsewhere.status_code == 400  # a union outside their scope is not a choice
    assert ImportJob.objects.count() == 1


def test_cancel_and_template(world, tmp_path) -> None:
    client = bearer(api_token("dave"))
    job = _upload(client, write_csv(tmp_path / "r.csv", good_rows(2)), union="CA-K-1").json()
    cancelled = client.post(f"{ROSTER}/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["stage"] == "cancelled"
    template = client.get(f"{ROSTER}/template")
    assert template.status_code == 200 and template.content[:2] == b"PK"
