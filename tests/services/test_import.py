"""Importing the hardship files a union keeps on paper or in Excel: the command line, the page,
the API; a realistic file imports exactly its good rows; scope and the approved stage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.timezone import localtime

from gonghui.core.imports.models import ImportJob
from gonghui.core.models import AuditEvent
from gonghui.services import actions
from gonghui.services.imports import FILE_SPEC
from gonghui.services.models import FileStatus, Finances, HardshipFile, Tier
from tests.conftest import api_token, bearer
from tests.services.conftest import member, open_with_household

pytestmark = pytest.mark.django_db

COLUMNS = (
    "identity_number",
    "name",
    "household_size",
    "income",
    "medical",
    "schooling",
    "cause",
    "dibao_line",
    "filed_on",
)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def realistic_file(world: Any, path: Path) -> Path:
    """As an office keeps it: a title row, identity numbers in no order, a 合计 row; among
    the households a member of another union, a worker twice, an amount that is no amount."""
    workers = {n: member(n, world.gr_a1) for n in (21, 5, 13, 8)}
    stranger = member(40, world.gr_b1)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["甲县一厂工会困难职工档案登记表"])
    sheet.append([FILE_SPEC.header(key) for key in COLUMNS])
    rows = [
        (workers[21], "3", "12000", "0", "0", "", "600", "2024.3.15"),  # row 3
        (workers[5], "2", "20000", "3000", "0", "", "600", ""),  # 4
        (stranger, "3", "10000", "0", "0", "", "600", ""),  # 5: another union's member
        (workers[13], "4", "9000", "", "2000", "疾病", "600", "2023年6月1日"),  # 6
        (workers[21], "3", "12000", "0", "0", "", "600", ""),  # 7: the same household again
        (workers[8], "3", "一万二", "0", "0", "", "600", ""),  # 8: not an amount
    ]
    for person, *figures in rows:
        sheet.append([person.reveal_identity_number(), person.name, *figures])
    sheet.append(["合计", None, "18"])
    book.save(path)
    return path


def test_a_realistic_file_imports_exactly_its_good_rows_by_the_command(world, tmp_path) -> None:
    path = realistic_file(world, tmp_path / "困难职工档案.xlsx")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as refused:
        call_command(
            "import_hardship_files",
            str(path),
            "--union",
            "CA-K-1",
            "--skip-bad-rows",
            stdout=out,
            stderr=err,
        )

    assert refused.value.returncode == 1
    files = HardshipFile.objects.order_by("pk")
    assert files.count() == 3
    assert {f.status for f in files} == {FileStatus.DRAFT}
    first = files[0]
    assert first.household_size == 3 and first.tier == Tier.DEEP
    assert str(first.filed_on) == "2024-03-15"
    assert files[2].tier == Tier.ACCIDENT and files[2].household_size == 4
    problems = err.getvalue().splitlines()
    assert [line.split(" [")[0][-1] for line in problems] == ["5", "7", "8"]
    assert "甲县一厂工会" in problems[0] and "乙市" not in err.getvalue()
    assert "9" in out.getvalue()  # the 合计 row, skipped
    assert AuditEvent.objects.filter(action="hardship.import").count() == 3


def test_a_dry_run_writes_nothing_and_the_template_has_the_columns(world, tmp_path) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    with pytest.raises(CommandError):
        call_command(
            "import_hardship_files", str(path), "--union", "CA-K-1", "--dry-run", stdout=StringIO()
        )
    assert not HardshipFile.objects.exists()
    template = tmp_path / "template.xlsx"
    call_command("import_hardship_files", "--template", str(template), stdout=StringIO())
    header = [cell.value for cell in openpyxl.load_workbook(template).active[1]]
    assert "公民身份号码" in header and "低保标准" in header


def test_the_web_import_checks_then_writes_the_good_rows(world, tmp_path, client_for) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    client = client_for(world.grassroots_officer)
    upload = SimpleUploadedFile(path.name, path.read_bytes())

    response = client.post(
        "/services/import/", {"union": "CA-K-1", "stage": "draft", "file": upload}
    )

    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.rows_ready == 3 and sorted({e[0] for e in job.errors}) == [5, 7, 8]
    assert not HardshipFile.objects.exists()
    client.post(f"/services/import/{job.pk}/apply/", {"skip_bad_rows": "1"})
    assert HardshipFile.objects.filter(union=world.gr_a1, status="draft").count() == 3


def test_an_existing_open_file_is_one_household_one_file(world, tmp_path) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    open_with_household(world, member(5, world.gr_a1))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_hardship_files", str(path), "--union", "CA-K-1", stdout=StringIO(), stderr=err
        )
    assert [line.split(" [")[0][-1] for line in err.getvalue().splitlines()] == ["4", "5", "7", "8"]
    assert HardshipFile.objects.count() == 1  # nothing written while a row is bad


def test_approved_files_are_imported_only_by_one_who_may_approve(
    world, tmp_path, client_for
) -> None:
    path = tmp_path / "approved.csv"
    worker = member(3, world.gr_a1)
    header = ",".join(FILE_SPEC.header(key) for key in COLUMNS)
    path.write_text(
        f"{header}\n{worker.reveal_identity_number()},{worker.name},3,12000,0,0,,600,2025-01-10\n",
        encoding="utf-8-sig",
    )
    grassroots = client_for(world.grassroots_officer)
    refused = grassroots.post(
        "/services/import/",
        {
            "union": "CA-K-1",
            "stage": "approved",
            "file": SimpleUploadedFile("a.csv", path.read_bytes()),
        },
    )
    assert refused.status_code == 200 and not ImportJob.objects.exists()
    assert "county-level union or above" in refused.content.decode()
    county = client_for(world.county_officer)
    county.post(
        "/services/import/",
        {
            "union": "CA-K-1",
            "stage": "approved",
            "file": SimpleUploadedFile("a.csv", path.read_bytes()),
        },
    )
    job = ImportJob.objects.get()
    county.post(f"/services/import/{job.pk}/apply/")
    file = HardshipFile.objects.get()
    assert file.status == FileStatus.APPROVED
    assert localtime(file.approved_at).date().isoformat() == "2025-01-10"
    # approved on paper long ago and never visited since: due a visit
    assert HardshipFile.objects.due_visit(date(2026, 12, 3)).get() == file


def test_an_outsider_cannot_import_into_a_union_outside_scope(world, tmp_path, client_for) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    outsider = client_for(world.outsider)
    response = outsider.post(
        "/services/import/",
        {
            "union": "CA-K-1",
            "stage": "draft",
            "file": SimpleUploadedFile("f.xlsx", path.read_bytes()),
        },
    )
    assert response.status_code == 200 and not ImportJob.objects.exists()
    api = bearer(api_token("charlie"))
    answer = api.post(
        "/api/v1/imports/services.hardship_files",
        {"union": "CA-K-1", "file": SimpleUploadedFile("f.xlsx", path.read_bytes())},
    )
    assert answer.status_code == 400 and not ImportJob.objects.exists()
    assert not HardshipFile.objects.exists()


def test_the_api_runs_the_import_as_every_kind(world, tmp_path) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    api = bearer(api_token("dave"))
    kinds = api.get("/api/v1/imports").json()
    assert any(kind["code"] == "services.hardship_files" for kind in kinds)
    job = api.post(
        "/api/v1/imports/services.hardship_files",
        {
            "union": "CA-K-1",
            "stage": "draft",
            "file": SimpleUploadedFile("f.xlsx", path.read_bytes()),
        },
    ).json()
    assert job["rows_ready"] == 3
    confirmed = api.post(
        f"/api/v1/imports/services.hardship_files/jobs/{job['id']}/confirm",
        {"skip_bad_rows": True},
        content_type="application/json",
    )
    assert confirmed.status_code == 202
    assert HardshipFile.objects.count() == 3


def test_an_imported_household_keeps_its_size_when_its_figures_change(world, tmp_path) -> None:
    path = realistic_file(world, tmp_path / "files.xlsx")
    with pytest.raises(CommandError):
        call_command(
            "import_hardship_files",
            str(path),
            "--union",
            "CA-K-1",
            "--skip-bad-rows",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    file = HardshipFile.objects.order_by("pk").first()
    assert file is not None
    changed = actions.update_file(
        by=world.grassroots_officer,
        file=file,
        details=actions.FileDetails(
            dibao_line=Decimal("600"), finances=Finances(income=Decimal("15000"))
        ),
    )
    assert changed.household_size == 3 and changed.tier == Tier.DEEP


def _imported_on_the_page(world: Any, tmp_path: Path, client: Any) -> ImportJob:
    path = realistic_file(world, tmp_path / "files.xlsx")
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    client.post("/services/import/", {"union": "CA-K-1", "stage": "draft", "file": upload})
    job = ImportJob.objects.get()
    client.post(f"/services/import/{job.pk}/apply/", {"skip_bad_rows": "1"})
    return job


def test_an_import_rolls_back_by_its_own_officers(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    job = _imported_on_the_page(world, tmp_path, client)
    outsider = client_for(world.outsider).post(f"/services/import/{job.pk}/roll-back/")
    assert outsider.status_code in (403, 404) and HardshipFile.objects.count() == 3
    client.post(f"/services/import/{job.pk}/roll-back/")
    assert not HardshipFile.objects.exists()
    assert AuditEvent.objects.filter(action="hardship.import_undo").count() == 3


def test_no_roll_back_once_a_file_is_worked_on(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    job = _imported_on_the_page(world, tmp_path, client)
    first = HardshipFile.objects.order_by("pk").first()
    assert first is not None
    actions.submit_file(by=world.grassroots_officer, file=first)
    client.post(f"/services/import/{job.pk}/roll-back/")
    job.refresh_from_db()
    assert job.stage == "done" and HardshipFile.objects.count() == 3


def test_an_xls_with_numbers_and_a_real_date_cell_imports(world, tmp_path) -> None:
    """Excel 97-2003, as offices still save it: amounts and sizes as numbers, a date cell."""
    xlwt = pytest.importorskip("xlwt")
    worker = member(7, world.gr_a1)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("困难职工")
    sheet.write(0, 0, "困难职工档案")
    for column, key in enumerate(COLUMNS):
        sheet.write(1, column, FILE_SPEC.header(key))
    values = [worker.reveal_identity_number(), worker.name, 3, 12000.0, 1500.5, 0, "", 600]
    for column, value in enumerate(values):
        sheet.write(2, column, value)
    sheet.write(2, len(values), date(2024, 3, 15), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    path = tmp_path / "files.xls"
    book.save(str(path))

    call_command("import_hardship_files", str(path), "--union", "CA-K-1", stdout=StringIO())

    file = HardshipFile.objects.get()
    assert file.household_size == 3 and str(file.filed_on) == "2024-03-15"
    assert file.finances().medical == Decimal("1500.5")
