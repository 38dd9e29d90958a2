"""Choosing the sheet of a workbook in the import lifecycle: the check lists a workbook's
sheets; choosing another is one audited step that checks the file again on it, and taken
twice does nothing; a sheet that is not there, or holds no header, is refused."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gonghui.core.imports import actions, tasks
from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.models import AuditEvent
from tests.core.test_imports import KIND, WRITTEN, kind  # noqa: F401 - the kind, registered

pytestmark = pytest.mark.django_db


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOOK = {
    "填表说明": [["姓名一栏填写本人姓名。"]],
    "甲": [["姓名"], ["王建国"]],
    "乙": [["名单"], ["姓名", "数量"], ["李秀英", "1"], ["张伟", "2"]],
}


def _checked(world, content: bytes, name: str = "名单.xlsx") -> ImportJob:
    upload = SimpleUploadedFile(name, content)
    job = actions.start_import(kind=KIND, upload=upload, by=world.grassroots_officer)
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    return job


def test_choosing_another_sheet_checks_it_again_in_one_audited_step(world) -> None:
    job = _checked(world, _workbook(BOOK))
    assert job.rows_ready == 1 and job.can_choose_sheet
    assert [(s["name"], s["header_rows"], s["read"]) for s in job.sheets] == [
        ("填表说明", [], False),
        ("甲", [1], True),
        ("乙", [2], False),
    ]

    assert actions.choose_sheet(job=job, sheet="乙", by=world.grassroots_officer) is True
    stale = ImportJob.objects.get(pk=job.pk)
    assert actions.choose_sheet(job=stale, sheet="乙", by=world.grassroots_officer) is False
    assert (job.stage, job.rows_ready, job.readings) == (ImportStage.QUEUED, 0, [])
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    assert (job.stage, job.sheet, job.rows_ready) == (ImportStage.CHECKED, "乙", 2)
    assert job.readings[0]["sheet"] == "乙" and job.readings[0]["header_rows"] == [2]
    # once the second sheet is read, choosing it again does nothing either
    assert actions.choose_sheet(job=job, sheet="乙", by=world.grassroots_officer) is False

    actions.confirm_import(job=job, by=world.grassroots_officer)
    tasks.apply_job.call(job.pk)
    assert WRITTEN == ["李秀英", "张伟"]
    chosen = AuditEvent.objects.filter(action="import.choose_sheet", object_id=str(job.pk))
    assert [(e.extra["sheet"], e.extra["previous"]) for e in chosen] == [("乙", "甲")]


def test_a_sheet_not_in_the_workbook_without_the_header_or_without_rows_is_refused(world) -> None:
    job = _checked(world, _workbook({**BOOK, "空表": [["姓名", "数量"]]}))
    assert job.sheets[-1] == {
        "name": "空表",
        "header_rows": [1],
        "problem": "The file has no rows beneath its header row.",
        "read": False,
    }

    with pytest.raises(actions.StageRefused, match="no sheet named 丙"):
        actions.choose_sheet(job=job, sheet="丙", by=world.grassroots_officer)
    with pytest.raises(actions.StageRefused, match="填表说明"):
        actions.choose_sheet(job=job, sheet="填表说明", by=world.grassroots_officer)
    with pytest.raises(actions.StageRefused, match="no rows beneath"):
        actions.choose_sheet(job=job, sheet="空表", by=world.grassroots_officer)

    job.refresh_from_db()
    assert (job.stage, job.sheet, job.rows_ready) == (ImportStage.CHECKED, "", 1)
    assert not AuditEvent.objects.filter(action="import.choose_sheet").exists()


def test_a_cancelled_import_no_longer_takes_another_sheet(world) -> None:
    job = _checked(world, _workbook(BOOK))
    actions.cancel_import(job=job, by=world.grassroots_officer)

    with pytest.raises(actions.StageRefused, match="no longer"):
        actions.choose_sheet(job=job, sheet="乙", by=world.grassroots_officer)


def test_a_csv_or_a_workbook_of_one_sheet_offers_no_sheets(world) -> None:
    assert _checked(world, "姓名\n王建国\n".encode(), "名单.csv").sheets == []
    assert _checked(world, _workbook({"甲": [["姓名"], ["王建国"]]})).sheets == []
