"""A roster imported in a real browser: upload, the background check followed live (htmx
polling), the bad rows listed and downloadable, the import confirmed, its batch rolled back."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gonghui.core.imports import tasks
from gonghui.core.imports.models import ImportJob
from gonghui.core.imports.models import ImportStage as JobStage
from gonghui.people.models import ImportBatch, Person
from tests.people.test_import import BAD, good_rows, write_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def _upload(page: Any, path: Path) -> ImportJob:
    page.goto("/members/import/")
    # a grassroots officer may import into their own union only: it is filled in
    expect(page.locator('[name="union"]')).to_have_value("CA-K-1")
    page.locator('input[name="file"]').set_input_files(str(path))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("等待校验")
    job = ImportJob.objects.latest("pk")
    tasks.check_job.call(job.pk)  # the task worker's turn; the page keeps asking meanwhile
    return job


def test_an_officer_imports_a_roster_fixes_its_bad_row_and_rolls_it_back(
    world: Any, session: Any, sign_in: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page = session.new_page()
    sign_in(page, "dave")

    bad = _upload(page, write_csv(tmp_path / "名册.csv", [*good_rows(3), BAD[0][0]]))
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("公民身份号码")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("td.num")).to_have_text("5")  # the row as the spreadsheet shows it
    expect(page.get_by_test_id("apply")).to_have_count(0)  # nothing is written while a row is bad
    with page.expect_download() as download:
        page.get_by_role("link", name="下载全部错误").click()
    assert download.value.suggested_filename == "名册-错误清单.csv"
    saved = tmp_path / "errors.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["行号", "列", "错误"] and table[1][:2] == ["5", "公民身份号码"]
    assert not Person.objects.exists()

    job = _upload(page, write_csv(tmp_path / "名册-改.csv", good_rows(4)))
    assert job.pk != bad.pk
    expect(page.get_by_test_id("apply")).to_be_visible()
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("导入中")
    assert not Person.objects.exists()  # written only when the import task runs
    tasks.apply_job.call(job.pk)
    expect(page.get_by_test_id("import-status")).to_contain_text("已导入")
    job.refresh_from_db()
    assert job.stage == JobStage.DONE and Person.objects.count() == 4

    page.get_by_test_id("import-status").get_by_role(
        "link", name=f"第 {job.result['batch']} 批"
    ).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("roll-back").click()
    expect(page.get_by_test_id("roll-back")).to_have_count(0)
    assert not Person.objects.exists()
    assert ImportBatch.objects.get().status == "rolled_back"
    assert session.foreign_requests() == [] and session.console_errors == []
