"""Choosing the sheet on the web: a workbook opens with its instructions (填表说明) and holds
two rosters; the job reads the first with the header, lists every sheet, and reads the other
when the officer picks it (checked again, then imported exactly); a sheet that is not there
is refused in plain Chinese, and nobody outside the job may choose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.models import AuditEvent
from gonghui.people.models import Person
from tests.people.test_import import HEADERS, good_rows

pytestmark = pytest.mark.django_db

FIRST, SECOND = good_rows(3), good_rows(4, start=11)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def workbook(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["1. 公民身份号码请填写 18 位。"])
    notes.append(["2. 入会日期格式如 2020-05-01。"])
    first = book.create_sheet("一车间")
    first.append(["一车间工会会员花名册"])  # a title above the header
    first.append(HEADERS)
    for row in FIRST:
        first.append(row)
    second = book.create_sheet("二车间")
    second.append(HEADERS)
    for row in SECOND:
        second.append(row)
    book.save(path)
    return path


def _upload(client: Any, path: Path) -> ImportJob:
    with path.open("rb") as handle:
        data = {"union": "CA-K-1", "file": SimpleUploadedFile(path.name, handle.read())}
    client.post("/members/import/", data)
    return ImportJob.objects.get()


def _choose(client: Any, job: ImportJob, sheet: str, **headers: str) -> Any:
    return client.post(f"/members/import/{job.pk}/sheet/", {"sheet": sheet}, **headers)


def _chosen_events(job: ImportJob) -> int:
    return AuditEvent.objects.filter(action="import.choose_sheet", object_id=str(job.pk)).count()


def test_the_job_reads_the_first_sheet_with_the_header_and_lists_them_all(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)

    job = _upload(client, workbook(tmp_path / "名册.xlsx"))
    body = client.get(job.get_absolute_url()).content.decode()

    assert job.stage == ImportStage.CHECKED and job.counts["create"] == 3
    assert job.readings[0]["header_rows"] == [2]
    assert [(s["name"], s["header_rows"], s["read"]) for s in job.sheets] == [
        ("填表说明", [], False),
        ("一车间", [2], True),
        ("二车间", [1], False),
    ]
    assert "姓名" in job.sheets[0]["problem"]  # why no header was found there
    assert 'data-testid="import-sheets"' in body and body.count('data-testid="choose-sheet"') == 1
    assert 'name="sheet" value="二车间"' in body


def test_choosing_the_other_sheet_checks_it_again_and_imports_its_people_exactly(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    job = _upload(client, workbook(tmp_path / "名册.xlsx"))

    response = _choose(client, job, "二车间")  # a plain form, without JavaScript
    _choose(client, job, "二车间")  # a double click

    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.stage, job.sheet, job.counts["create"]) == (ImportStage.CHECKED, "二车间", 4)
    assert job.readings[0]["sheet"] == "二车间" and _chosen_events(job) == 1
    assert [s["name"] for s in job.sheets if s["read"]] == ["二车间"]
    body = client.get(job.get_absolute_url()).content.decode()
    assert "二车间" in body and 'name="sheet" value="一车间"' in body
    client.post(f"/members/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.stage == ImportStage.DONE
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(r[0] for r in SECOND)


def test_choosing_with_htmx_answers_the_status_of_the_job(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    job = _upload(client, workbook(tmp_path / "名册.xlsx"))

    response = _choose(client, job, "二车间", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-testid="sheet-read"' in body and job.sheets  # the list, the sheet read marked
    job.refresh_from_db()
    assert job.sheet == "二车间" and job.counts["create"] == 4


def test_a_sheet_that_is_not_there_is_refused_in_plain_chinese(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    job = _upload(client, workbook(tmp_path / "名册.xlsx"))

    response = _choose(client, job, "名单", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
    instructions = _choose(
        client, job, "填表说明", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "工作簿中没有名为“名单”的工作表。" in response.content.decode()
    assert "填表说明" in instructions.content.decode() and "不能用于本次导入" in (
        instructions.content.decode()
    )
    job.refresh_from_db()
    assert (job.stage, job.sheet, job.counts["create"]) == (ImportStage.CHECKED, "", 3)
    assert _chosen_events(job) == 0


@pytest.mark.parametrize("persona", ["outsider", "city_viewer"])
def test_nobody_outside_the_job_may_choose_its_sheet(world, tmp_path, client_for, persona) -> None:
    job = _upload(client_for(world.grassroots_officer), workbook(tmp_path / "名册.xlsx"))
    client = client_for(getattr(world, persona), raise_request_exception=False)

    response = _choose(client, job, "二车间")

    assert response.status_code == 404
    job.refresh_from_db()
    assert (job.stage, job.sheet) == (ImportStage.CHECKED, "") and _chosen_events(job) == 0


def test_a_done_import_no_longer_offers_its_sheets(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    job = _upload(client, workbook(tmp_path / "名册.xlsx"))
    client.post(f"/members/import/{job.pk}/apply/")

    response = _choose(client, job, "二车间", HTTP_HX_REQUEST="true")

    job.refresh_from_db()
    assert job.stage == ImportStage.DONE and job.sheet == ""
    assert "can no longer" in response.content.decode()
    assert Person.objects.count() == 3
