"""A roster as union offices keep it (花名册): a merged title and a 填报 line above the header,
a 民族 column, a 合计 row and a 填表人 line below, or saved as Excel 97-2003 .xls; imported as
it is, through the command line and the web, and the 民族 column leaves no trace."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook

from gonghui.core.imports import files
from gonghui.core.imports.models import ImportJob
from gonghui.people.importing import pipeline
from gonghui.people.models import Person
from tests.people.test_import import HEADERS, good_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["here", "child"])
def reading(request, monkeypatch) -> str:
    """Every test twice: the file read in this process, and in a child process beside it."""
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0 if request.param == "child" else 1 << 40)
    return str(request.param)


# values of the 民族 column that must appear nowhere once imported
ETHNICITIES = ["柯尔克孜族", "塔塔尔族", "鄂温克族"]


def huamingce_rows(n: int, *, bad: bool = False) -> list[list[Any]]:
    """The sheet's rows: title, 填报 line, header (序号 and 民族 among the columns), n people
    (the last with a bad identity number if `bad`), a blank row, 合计, 填表人 and 审核人."""
    header = ["序号", *HEADERS[:2], "民族", *HEADERS[2:]]
    rows: list[list[Any]] = [
        ["新疆某某有限公司工会会员花名册"] + [None] * (len(header) - 1),
        ["填报单位：某某有限公司工会", None, None, None, "填报日期：2024年5月1日"],
        header,
    ]
    for i, person in enumerate(good_rows(n), start=1):
        if bad and i == n:
            person[1] = person[1][:-1]  # 17 characters: a bad identity number
        rows.append([i, *person[:2], ETHNICITIES[i % len(ETHNICITIES)], *person[2:]])
    rows += [
        [],
        [f"合计：{n}人"],
        ["填表人：李四", None, "审核人：王五", None, "联系电话：0991-1234567"],
    ]
    return rows


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[2]))
    sheet.merge_cells("A2:D2")
    workbook.save(path)
    return path


def write_xls(path: Path, rows: list[list[Any]]) -> Path:
    xlwt = pytest.importorskip("xlwt")  # dev only: Excel 97-2003 as Excel writes it
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def run(path: Path, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import_members", str(path), "--union", "CA-K-1", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.mark.parametrize("writer", [write_xlsx, write_xls], ids=["xlsx", "xls"])
def test_a_huamingce_imports_its_people_exactly_from_the_command_line(world, tmp_path, writer):
    path = writer(
        tmp_path / f"花名册{'.xlsx' if writer is write_xlsx else '.xls'}", huamingce_rows(10)
    )

    code, out = run(path)

    assert code == 0, out
    assert Person.objects.count() == 10
    assert set(Person.objects.values_list("name", flat=True)) == {r[0] for r in good_rows(10)}
    assert "row 3." in out or "第 3 行" in out  # where the header was found
    assert "15、16" in out  # the 合计 and 填表人 lines, skipped
    assert "序号" in out and "民族" in out  # the columns not imported


def test_a_person_with_a_bad_identity_number_is_still_an_error(world, tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", huamingce_rows(3, bad=True))

    code, out = run(path)

    assert code == 1
    assert "Row 6" in out or "第 6 行" in out
    assert not Person.objects.exists()


def _every_value_in_the_database() -> str:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(found)


def _assert_no_ethnicity(*texts: str) -> None:
    for text in texts:
        for value in ETHNICITIES:
            assert value not in text


def test_an_ethnicity_column_leaves_no_trace_from_the_command_line(world, tmp_path, caplog):
    path = write_xlsx(tmp_path / "花名册.xlsx", huamingce_rows(6, bad=True))
    errors = tmp_path / "errors.xlsx"

    code, out = run(path, "--errors", str(errors), "--skip-bad-rows")

    assert code == 1 and Person.objects.count() == 5
    from openpyxl import load_workbook

    error_text = repr([list(r) for r in load_workbook(errors).active.iter_rows(values_only=True)])
    assert "公民身份号码" in error_text  # the error file is there, and names the bad cell
    _assert_no_ethnicity(_every_value_in_the_database(), error_text, out, caplog.text)


@pytest.fixture
def web(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _upload(client: Any, path: Path) -> ImportJob:
    with path.open("rb") as handle:
        data = {"union": "CA-K-1", "file": SimpleUploadedFile(path.name, handle.read())}
    client.post("/members/import/", data)
    return ImportJob.objects.get()


@pytest.mark.parametrize("writer", [write_xlsx, write_xls], ids=["xlsx", "xls"])
def test_the_web_preview_shows_the_header_row_the_skipped_rows_and_the_ignored_columns(
    world, tmp_path, client_for, web, writer
):
    client = client_for(world.grassroots_officer)
    path = writer(tmp_path / f"r{'.xlsx' if writer is write_xlsx else '.xls'}", huamingce_rows(4))

    job = _upload(client, path)
    body = client.get(job.get_absolute_url()).content.decode()

    assert job.counts["create"] == 4 and job.error_count == 0
    reading = job.readings[0]
    assert reading["header_rows"] == [3]
    assert [n for n, _text in reading["skipped_above"]] == [1, 2]
    assert [n for n, _text in reading["skipped_below"]] == [9, 10]
    assert reading["ignored"] == ["序号"] and reading["dropped"][0][0] == "民族"
    assert 'data-testid="import-header-row"' in body
    assert "花名册" in body and "合计：4人" in body and "民族" in body
    client.post(f"/members/import/{job.pk}/apply/")
    assert Person.objects.count() == 4


def test_an_ethnicity_column_leaves_no_trace_from_the_web(world, tmp_path, client_for, web, caplog):
    client = client_for(world.grassroots_officer)
    job = _upload(client, write_xlsx(tmp_path / "r.xlsx", huamingce_rows(5, bad=True)))
    error_file = files.errors_path(job).read_bytes().decode("utf-8-sig")
    body = client.get(job.get_absolute_url()).content.decode()
    client.post(f"/members/import/{job.pk}/apply/", {"skip_bad_rows": "1"})

    assert Person.objects.count() == 4
    assert "公民身份号码" in error_file
    _assert_no_ethnicity(_every_value_in_the_database(), error_file, body, caplog.text)


def test_a_wps_file_is_answered_with_what_to_save_it_as(world, tmp_path, client_for, web):
    client = client_for(world.grassroots_officer)
    data = {"union": "CA-K-1", "file": SimpleUploadedFile("花名册.et", b"\xd0\xcf\x11\xe0" * 8)}

    response = client.post("/members/import/", data)

    assert not ImportJob.objects.exists()
    assert ".xls" in response.content.decode() and "WPS" in response.content.decode()


def test_joining_dates_are_read_as_people_type_them(world, tmp_path):
    typed = ["2019/5/1", "2019.05.01", "2019.5", "2019年5月1日", "20190501", "2019-05-01"]
    rows = huamingce_rows(len(typed))
    for row, text in zip(rows[3 : 3 + len(typed)], typed, strict=True):
        row[HEADERS.index("入会日期") + 2] = text  # after 序号 and 民族
    path = write_xlsx(tmp_path / "花名册.xlsx", rows)

    code, out = run(path)

    assert code == 0, out
    from gonghui.people.models import Membership

    assert {str(m.joined_on) for m in Membership.objects.all()} == {"2019-05-01"}


def test_the_demo_sample_in_the_shape_of_a_huamingce_imports_as_it_is(world, tmp_path):
    from gonghui.people.demo import write_office_sample

    path = write_office_sample(tmp_path, union=world.gr_a1)

    code, out = run(path)

    assert code == 0, out
    assert Person.objects.count() == 12


def _with_months_alone(n: int, typed: dict[int, str]) -> list[list[Any]]:
    """A 花名册 of n people whose joining dates are typed as given, by spreadsheet row."""
    rows = huamingce_rows(n)
    for number, text in typed.items():
        rows[number - 1][HEADERS.index("入会日期") + 2] = text  # after 序号 and 民族
    return rows


MONTHS_ALONE = {5: "2019.5", 9: "2019年5月", 12: "2020.11", 7: "2019年5月1日"}
SAID = "入会日期：3 行只写到月份，按当月 1 日计（第 5、9、12 行）。"


def test_the_command_line_says_once_which_dates_gave_only_a_month(world, tmp_path, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    path = write_xlsx(tmp_path / "花名册.xlsx", _with_months_alone(10, MONTHS_ALONE))

    code, out = run(path)

    assert code == 0, out
    assert out.count(SAID) == 1
    from gonghui.people.models import Membership

    joined = {str(m.joined_on) for m in Membership.objects.all()}
    assert {"2019-05-01", "2020-11-01"} <= joined


def test_the_web_preview_says_once_which_dates_gave_only_a_month(world, tmp_path, client_for, web):
    client = client_for(world.grassroots_officer)
    months = {number: "2018.3" for number in range(4, 12)}  # eight rows: the first five named
    path = write_xlsx(tmp_path / "r.xlsx", _with_months_alone(8, months))

    job = _upload(client, path)
    body = client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert job.readings[0]["months_alone"] == [["入会日期", 8, [4, 5, 6, 7, 8]]]
    said = "入会日期：8 行只写到月份，按当月 1 日计（第 4、5、6、7、8 行等）。"
    assert body.count(said) == 1 and 'data-testid="import-months-alone"' in body
