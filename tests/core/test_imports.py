"""The one import lifecycle, driven by a kind declared here: stages only move forward through
the actions, each audited; a bad file loses nothing and writes nothing; the good rows are
imported only when chosen after the check; the command's exit codes; the template."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from openpyxl import load_workbook

from gonghui.core.imports import actions, files, tasks
from gonghui.core.imports.command import TableImportCommand
from gonghui.core.imports.kinds import (
    Checked,
    Context,
    ImportKind,
    Written,
    get_kind,
    register,
    unregister,
)
from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.models import AuditEvent
from gonghui.core.tabular import Column, RowError, Spec, open_table
from gonghui.core.uploads import delete_expired_uploads

pytestmark = pytest.mark.django_db

SPEC = Spec(
    (
        Column("name", "姓名", ("name",), help="本人姓名，不超过 64 字"),
        Column("count", "数量", ("count",), required=False, help="整数"),
    )
)
WRITTEN: list[str] = []


def _check(path: Path, context: Context) -> Checked:
    checked = Checked()
    with open_table(path, spec=SPEC) as table:
        for row in table:
            checked.rows += 1
            context.progress(checked.rows)
            if not row.values.get("name"):
                checked.errors.append(RowError(row.number, "姓名", "姓名不能为空"))
                continue
            checked.plan = [*(checked.plan or []), row.values["name"]]
    checked.ready = len(checked.plan or [])
    checked.counts = {"create": checked.ready}
    return checked


def _write(checked: Checked, context: Context) -> Written:
    WRITTEN.extend(checked.plan)
    context.progress(len(checked.plan))
    return Written(rows=len(checked.plan), counts={"create": len(checked.plan)}, result={"n": 1})


def _roll_back(job: ImportJob, by: Any) -> str:
    WRITTEN.clear()
    return "undone"


KIND = ImportKind(
    code="tests.names",
    label="Import names",
    spec=SPEC,
    check=_check,
    write=_write,
    may_import=lambda user: user is not None and user.username != "outsider",
    url_name="tests:import",
    skips_bad_rows=True,
    roll_back=_roll_back,
)


@pytest.fixture(autouse=True)
def kind(settings: Any, tmp_path: Path) -> Iterator[ImportKind]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    WRITTEN.clear()
    register(KIND)
    yield KIND
    unregister(KIND.code)


def _upload(world: Any, text: str, name: str = "名单.csv") -> ImportJob:
    upload = SimpleUploadedFile(name, text.encode("utf-8"))
    return actions.start_import(kind=KIND, upload=upload, by=world.grassroots_officer)


def _stage(job: ImportJob) -> str:
    job.refresh_from_db()
    return job.stage


def test_a_clean_file_goes_from_upload_to_done_each_step_audited(world) -> None:
    job = _upload(world, "姓名\n王建国\n李秀英\n")
    assert job.stage == ImportStage.QUEUED and Path(job.stored_path).exists()
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    assert (job.stage, job.rows_checked, job.rows_ready, job.error_count) == ("checked", 2, 2, 0)
    assert job.can_apply and WRITTEN == []  # nothing is written before the confirmation
    actions.confirm_import(job=job, by=world.grassroots_officer)
    tasks.apply_job.call(job.pk)
    job.refresh_from_db()
    assert job.stage == ImportStage.DONE and job.rows_written == 2 and job.result == {"n": 1}
    assert WRITTEN == ["王建国", "李秀英"]
    assert not job.stored_path  # the upload is deleted once imported
    recorded = list(
        AuditEvent.objects.filter(object_id=str(job.pk), action__startswith="import.").values_list(
            "action", flat=True
        )
    )
    assert sorted(recorded) == sorted(
        ["import.upload", "import.check", "import.confirm", "import.done"]
    )


def test_a_bad_row_is_listed_and_nothing_is_written_unless_the_good_rows_are_chosen(
    world,
) -> None:
    job = _upload(world, "姓名,数量\n王建国,1\n\n李秀英,2\n,3\n")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    assert job.error_count == 1 and job.errors == [[5, "姓名", "姓名不能为空", ""]]
    assert files.errors_path(job).exists()
    with pytest.raises(actions.StageRefused):
        actions.confirm_import(job=job, by=world.grassroots_officer)  # not all of it
    assert _stage(job) == ImportStage.CHECKED and WRITTEN == []
    actions.confirm_import(job=job, by=world.grassroots_officer, skip_bad_rows=True)
    tasks.apply_job.call(job.pk)
    assert _stage(job) == ImportStage.DONE and WRITTEN == ["王建国", "李秀英"]


def test_a_kind_that_cannot_skip_bad_rows_offers_no_import_of_a_bad_file(world) -> None:
    strict = ImportKind(**{**KIND.__dict__, "code": "tests.strict", "skips_bad_rows": False})
    register(strict)
    try:
        upload = SimpleUploadedFile("a.csv", "姓名,数量\n,1\n".encode())
        job = actions.start_import(kind=strict, upload=upload, by=world.grassroots_officer)
        tasks.check_job.call(job.pk)
        job.refresh_from_db()
        assert job.stage == ImportStage.CHECKED and not job.can_apply
        with pytest.raises(actions.StageRefused):
            actions.confirm_import(job=job, by=world.grassroots_officer, skip_bad_rows=True)
    finally:
        unregister(strict.code)


def test_an_unreadable_file_fails_with_a_message_and_is_not_kept(world) -> None:
    job = _upload(world, "这不是表格", name="a.xlsx")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    assert job.stage == ImportStage.FAILED and job.message and not job.stored_path


def test_a_double_confirmation_writes_once(world) -> None:
    job = _upload(world, "姓名\n王建国\n")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    actions.confirm_import(job=job, by=world.grassroots_officer)
    stale = ImportJob.objects.get(pk=job.pk)
    stale.stage = ImportStage.CHECKED  # as a second tab still shows it
    with pytest.raises(actions.StageRefused):
        actions.confirm_import(job=stale, by=world.grassroots_officer)
    tasks.apply_job.call(job.pk)
    tasks.apply_job.call(job.pk)  # a task delivered twice
    assert WRITTEN == ["王建国"]


def test_a_file_that_no_longer_passes_at_import_time_writes_nothing(world) -> None:
    job = _upload(world, "姓名\n王建国\n")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    actions.confirm_import(job=job, by=world.grassroots_officer)
    Path(job.stored_path).write_text(
        "姓名,数量\n,1\n", encoding="utf-8"
    )  # the data changed meanwhile
    tasks.apply_job.call(job.pk)
    job.refresh_from_db()
    assert job.stage == ImportStage.CHECKED and job.message and WRITTEN == []


def test_cancelling_deletes_the_upload_and_cannot_be_undone(world) -> None:
    job = _upload(world, "姓名\n王建国\n")
    stored = Path(job.stored_path)
    actions.cancel_import(job=job, by=world.grassroots_officer)
    assert _stage(job) == ImportStage.CANCELLED and not stored.exists()
    tasks.check_job.call(job.pk)  # the queued check finds it cancelled
    assert _stage(job) == ImportStage.CANCELLED
    with pytest.raises(actions.StageRefused):
        actions.cancel_import(job=job, by=world.grassroots_officer)


def test_a_done_import_rolls_back_once_through_its_kind(world) -> None:
    job = _upload(world, "姓名\n王建国\n")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    actions.confirm_import(job=job, by=world.grassroots_officer)
    tasks.apply_job.call(job.pk)
    job.refresh_from_db()
    assert actions.roll_back_import(job=job, by=world.grassroots_officer) == "undone"
    assert _stage(job) == ImportStage.ROLLED_BACK and WRITTEN == []
    assert AuditEvent.objects.filter(action="import.roll_back", object_id=str(job.pk)).exists()
    with pytest.raises(actions.StageRefused):
        actions.roll_back_import(job=job, by=world.grassroots_officer)


def test_uploads_left_waiting_are_deleted_by_housekeeping(world, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = _upload(world, "姓名\n王建国\n")
    tasks.check_job.call(job.pk)
    stored = Path(ImportJob.objects.get(pk=job.pk).stored_path)
    later = timezone.now() + timedelta(days=settings.UPLOAD_RETENTION_DAYS + 1)
    assert delete_expired_uploads(now=later) >= 1
    assert not stored.exists() and not ImportJob.objects.get(pk=job.pk).stored_path


def test_the_template_has_the_chinese_headers_and_a_note_on_each(tmp_path) -> None:
    target = tmp_path / "template.xlsx"
    files.write_template(KIND, target)
    sheet = load_workbook(target).active
    assert [cell.value for cell in sheet[1]] == ["姓名", "数量"]
    assert "64" in sheet["A1"].comment.text and sheet.max_row == 1  # a note, never a data row
    with open_table(target, spec=SPEC, allow_empty=True) as table:  # its header row is read
        assert table.headers == {"name": "姓名", "count": "数量"} and list(table) == []


class Command(TableImportCommand):
    kind = "tests.names"


def _call(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    command = Command(stdout=out, stderr=err)
    parser = command.create_parser("gonghui", "import_names")
    options = vars(parser.parse_args(args))
    try:
        command.execute(**options)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_the_command_exits_0_when_clean_1_for_bad_rows_2_for_a_bad_file(world, tmp_path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("姓名\n王建国\n", encoding="utf-8")
    bad.write_text("姓名,数量\n王建国,1\n\n李秀英,2\n,1\n", encoding="utf-8")
    code, _out, _err = _call(str(good), "--dry-run")
    assert code == 0 and WRITTEN == []
    code, _out, err = _call(str(bad), "--errors", str(tmp_path / "errors.xlsx"))
    assert code == 1 and "Row 5" in err and WRITTEN == []
    assert load_workbook(tmp_path / "errors.xlsx").active["A2"].value == 5
    assert _call(str(tmp_path / "missing.csv"))[0] == 2
    assert _call(str(good), "--errors", str(tmp_path / "errors.txt"))[0] == 2
    assert _call()[0] == 2
    code, _, err = _call(str(bad), "--skip-bad-rows")  # the bad row is still reported
    assert code == 1 and "other rows were written" in err and WRITTEN == ["王建国", "李秀英"]


def test_the_command_writes_the_template(tmp_path) -> None:
    target = tmp_path / "t.xlsx"
    assert _call("--template", str(target))[0] == 0
    assert load_workbook(target).active["A1"].value == "姓名"


def test_kinds_are_registered_once() -> None:
    assert get_kind("tests.names") is KIND
    other = ImportKind(**{**KIND.__dict__, "label": "Another"})
    with pytest.raises(ValueError, match="twice"):
        register(other)


def _one_pass(path: Path, context: Context) -> tuple[Checked, Written | None]:
    checked = _check(path, context)
    if checked.errors and not context.skip_bad_rows:
        return checked, None
    return checked, _write(checked, context)


def test_a_kind_that_checks_as_it_writes_is_read_once_when_confirmed(world, tmp_path) -> None:
    reads: list[Path] = []

    def check(path: Path, context: Context) -> Checked:
        reads.append(path)
        return _check(path, context)

    one_pass = ImportKind(
        **{
            **KIND.__dict__,
            "code": "tests.one_pass",
            "check": check,
            "write": None,
            "apply": _one_pass,
        }
    )
    register(one_pass)
    try:
        upload = SimpleUploadedFile("a.csv", "姓名\n王建国\n".encode())
        job = actions.start_import(kind=one_pass, upload=upload, by=world.grassroots_officer)
        tasks.check_job.call(job.pk)
        job.refresh_from_db()
        actions.confirm_import(job=job, by=world.grassroots_officer)
        tasks.apply_job.call(job.pk)
        assert _stage(job) == ImportStage.DONE and WRITTEN == ["王建国"] and len(reads) == 1
    finally:
        unregister(one_pass.code)


def test_the_command_reports_its_progress_with_verbosity_2(world, tmp_path, monkeypatch) -> None:
    from gonghui.core.imports import command

    monkeypatch.setattr(command, "PROGRESS_LINE", 2)
    rows = tmp_path / "rows.csv"
    rows.write_text("姓名\n" + "".join(f"人{n}\n" for n in range(5)), encoding="utf-8")
    code, _out, err = _call(str(rows), "--dry-run", "-v", "2")
    assert code == 0 and err.count("rows") >= 2
