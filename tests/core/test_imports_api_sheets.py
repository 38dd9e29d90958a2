"""Choosing the sheet through the API: a job lists its workbook's sheets, and reads another
when asked (checked again, then imported exactly); a sheet that is not there is a 400 naming
it, a job no longer checked a 409, and outsiders see nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.models import AuditEvent
from gonghui.people.models import Person
from tests.conftest import api_token, bearer
from tests.people.test_import_sheet_choice import SECOND, workbook

pytestmark = pytest.mark.django_db

ROSTER = "/api/v1/imports/people.roster"


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _checked(tmp_path: Path) -> dict:
    path = workbook(tmp_path / "名册.xlsx")
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "union": "CA-K-1"}
    answer = bearer(api_token("dave")).post(ROSTER, data)
    assert answer.status_code == 202, answer.content
    return answer.json()


def _choose(username: str, job: dict, sheet: str):
    return bearer(api_token(username)).post(
        f"{ROSTER}/jobs/{job['id']}/sheet", {"sheet": sheet}, content_type="application/json"
    )


def test_the_job_lists_its_sheets_and_reads_another_when_asked(world, tmp_path) -> None:
    job = _checked(tmp_path)
    assert job["can_choose_sheet"] and job["sheet"] == ""
    assert [(s["name"], s["header_rows"], s["read"]) for s in job["sheets"]] == [
        ("填表说明", [], False),
        ("一车间", [2], True),
        ("二车间", [1], False),
    ]

    answer = _choose("dave", job, "二车间")

    assert answer.status_code == 202, answer.content
    chosen = answer.json()
    assert chosen["stage"] == "checked" and chosen["sheet"] == "二车间"
    assert chosen["rows_ready"] == 4 and chosen["readings"][0]["sheet"] == "二车间"
    client = bearer(api_token("dave"))
    confirm = client.post(f"{ROSTER}/jobs/{job['id']}/confirm", {}, content_type="application/json")
    assert confirm.json()["stage"] == "done"
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(r[0] for r in SECOND)
    assert AuditEvent.objects.filter(action="import.choose_sheet").count() == 1


def test_a_sheet_not_there_is_a_400_and_a_job_past_its_check_a_409(world, tmp_path) -> None:
    job = _checked(tmp_path)

    missing = _choose("dave", job, "名单")
    bearer(api_token("dave")).post(
        f"{ROSTER}/jobs/{job['id']}/cancel", {}, content_type="application/json"
    )
    late = _choose("dave", job, "二车间")

    assert missing.status_code == 400 and "名单" in missing.json()["errors"]["sheet"][0]
    assert late.status_code == 409
    assert not AuditEvent.objects.filter(action="import.choose_sheet").exists()


def test_an_outsider_cannot_choose_the_sheet_of_a_job(world, tmp_path) -> None:
    job = _checked(tmp_path)

    answer = _choose("charlie", job, "二车间")

    assert answer.status_code == 404
    followed = bearer(api_token("dave")).get(f"{ROSTER}/jobs/{job['id']}").json()
    assert followed["sheet"] == "" and followed["rows_ready"] == 3
