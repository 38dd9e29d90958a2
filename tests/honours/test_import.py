"""Importing past honourees: every bad row reported, nothing written unless all are good."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from gonghui.core.imports.models import ImportJob
from gonghui.core.imports.models import ImportStage as JobStage
from gonghui.core.models import AuditEvent
from gonghui.core.tabular import open_table
from gonghui.core.uploads import delete_expired_uploads
from gonghui.honours.importer import HONOUREE_SPEC, plan_honouree_import
from gonghui.honours.models import Honouree
from gonghui.orgs.models import Organisation
from tests.honours.conftest import member

pytestmark = pytest.mark.django_db

# the columns the rows below fill, in their order (no unit or trade)
COLUMNS = (
    "name",
    "kind",
    "level",
    "year",
    "union",
    "identity_number",
    "status",
    "reason",
    "consent",
    "allowance",
    "story",
    "retired_on",
)
HEADER = ",".join(HONOUREE_SPEC.header(key) for key in COLUMNS) + "\n"


def _file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "honourees.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_a_clean_file_fills_the_register(world, honours, tmp_path) -> None:
    person = member(world.gr_a1, "王建国", is_frontline=True)
    path = _file(
        tmp_path,
        f"王建国,自治区劳动模范,自治区,2015,CA-K-1,{person.reveal_identity_number()},保持,,是,是,三十年扎根一线,2024/6/30\n"
        "李秀英,自治区劳动模范,自治区级,2010年,CA-3,,已故,2024年病故,否,否,\n",
    )
    out = StringIO()
    call_command("import_honourees", str(path), stdout=out)
    assert "2" in out.getvalue()
    first = Honouree.objects.get(name="王建国")
    assert first.person == person and first.is_frontline and first.prefecture == world.city_a
    assert first.publication_consent and first.receives_allowance
    assert str(first.retired_on) == "2024-06-30"
    second = Honouree.objects.get(name="李秀英")
    assert (second.status, second.status_reason, second.year) == ("deceased", "2024年病故", 2010)
    assert AuditEvent.objects.filter(action="honouree.import").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_written(world, honours, tmp_path) -> None:
    path = _file(
        tmp_path,
        "好人,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"
        ",不存在的荣誉,省部级,15,NOPE,650102199003070071,撤销,,也许,否,,去年\n"
        "重复,自治区劳动模范,自治区,2015,CA-K-1,,,,是,否,\n"
        "重复,自治区劳动模范,自治区,2015,CA-K-1,,,,是,否,\n",
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as failed:
        call_command("import_honourees", str(path), "--errors", str(errors), stderr=StringIO())
    assert failed.value.returncode == 1
    assert Honouree.objects.count() == 0
    report = errors.read_text(encoding="utf-8-sig")
    for column in (
        "姓名",
        "荣誉名称",
        "荣誉级别",
        "年度",
        "工会代码",
        "公民身份号码",
        "原因",
        "同意公开",
    ):
        assert column in report
    assert "5,姓名,This honour appears twice in the file." in report  # the second copy


def test_dry_run_writes_nothing(world, honours, tmp_path) -> None:
    path = _file(tmp_path, "好人,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n")
    out = StringIO()
    call_command("import_honourees", str(path), "--dry-run", stdout=out)
    assert "1" in out.getvalue() and Honouree.objects.count() == 0


def _upload(client: Client, path: Path):
    with path.open("rb") as upload:
        return client.post("/honours/register/import/", {"file": upload})


@pytest.fixture
def tasks_inline(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_web_import_is_checked_in_the_background_then_applied_on_confirmation(
    world, honours, tmp_path, tasks_inline, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    response = _upload(
        client, _file(tmp_path, "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n")
    )
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.stage, job.rows_checked, job.rows_ready, job.error_count) == (
        JobStage.CHECKED,
        1,
        1,
        0,
    )
    assert not Honouree.objects.exists()  # checked, not written
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-ready"' in page and 'data-testid="apply"' in page
    status = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in status and 'data-testid="apply"' in status  # the polled fragment
    client.post(f"/honours/register/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.stage == JobStage.DONE and job.rows_written == 1
    assert Honouree.objects.get().organisation == world.gr_a1
    assert AuditEvent.objects.filter(action="honouree.import", actor=world.grassroots_officer)
    assert not job.has_upload and _no_upload_kept()  # the upload is deleted once imported
    client.post(f"/honours/register/import/{job.pk}/apply/")  # a second click does nothing
    assert Honouree.objects.count() == 1


def test_web_import_lists_every_bad_row_and_writes_nothing(
    world, honours, tmp_path, tasks_inline, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    _upload(
        client,
        _file(
            tmp_path,
            "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"
            "乙,自治区劳动模范,自治区,2015,CA-3,,保持,,是,否,\n"
            ",自治区劳动模范,自治区,20,CA-K-1,,保持,,是,否,\n",
        ),
    )
    job = ImportJob.objects.get()
    assert job.stage == JobStage.CHECKED and job.error_count == 2 and job.rows_ready == 1
    assert [e[0] for e in job.errors] == [3, 4, 4]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "No union with this code within your scope" in page  # CA-3 is not under dave
    assert 'data-testid="apply"' not in page and 'data-testid="apply-good-rows"' in page
    assert client.post(f"/honours/register/import/{job.pk}/apply/").status_code == 302
    job.refresh_from_db()
    assert job.stage == JobStage.CHECKED and not Honouree.objects.exists()
    errors = client.get(f"/honours/register/import/{job.pk}/errors/")
    assert errors.filename == "honourees-错误清单.xlsx"
    # chosen after the check: the good row only
    client.post(f"/honours/register/import/{job.pk}/apply/", {"skip_bad_rows": "1"})
    job.refresh_from_db()
    assert job.stage == JobStage.DONE and list(Honouree.objects.values_list("name", flat=True)) == [
        "甲"
    ]
    assert not job.has_upload and _no_upload_kept()


def test_web_import_is_rechecked_when_confirmed(
    world, honours, tmp_path, tasks_inline, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, _file(tmp_path, "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"))
    job = ImportJob.objects.get()
    # someone enters the same honour before the officer confirms
    Honouree.objects.create(
        name="甲", organisation=world.gr_a1, kind=honours.kind, level="regional", year=2015
    )
    client.post(f"/honours/register/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.stage == JobStage.CHECKED and job.error_count == 1 and "changed" in job.message
    assert Honouree.objects.count() == 1


def _no_upload_kept() -> bool:
    folder = Path(django_settings.MEDIA_ROOT) / "imports" / "uploads"
    return not folder.exists() or not any(folder.iterdir())


def test_an_unreadable_file_fails_with_a_reason(
    world, honours, tmp_path, tasks_inline, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    broken = tmp_path / "名单.xlsx"
    broken.write_bytes(b"not a workbook")
    _upload(client, broken)
    job = ImportJob.objects.get()
    assert job.stage == JobStage.FAILED and job.message
    assert not job.has_upload and _no_upload_kept()


def test_a_web_import_is_seen_and_used_by_its_uploader_only(
    world, honours, tmp_path, tasks_inline, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, _file(tmp_path, "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"))
    job = ImportJob.objects.get()
    for persona in (world.outsider, world.county_officer):
        other = client_for(persona)
        assert other.get(job.get_absolute_url()).status_code == 404
        assert other.post(f"/honours/register/import/{job.pk}/apply/").status_code == 404
        assert other.post(f"/honours/register/import/{job.pk}/cancel/").status_code == 404
    assert not Honouree.objects.exists()
    viewer = client_for(world.city_viewer)
    assert viewer.get("/honours/register/import/").status_code == 403
    # the uploader cancels: the file is deleted, and the import can no longer be applied
    client.post(f"/honours/register/import/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.stage == JobStage.CANCELLED and not job.has_upload and _no_upload_kept()
    client.post(f"/honours/register/import/{job.pk}/apply/")
    assert not Honouree.objects.exists()


def test_the_check_reports_its_progress(world, honours, tmp_path) -> None:
    rows = "".join(f"人{i},自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n" for i in range(450))
    heard: list[int] = []
    with open_table(_file(tmp_path, rows), spec=HONOUREE_SPEC) as table:
        plan = plan_honouree_import(
            table, allowed=Organisation.objects.all(), progress=heard.append
        )
    assert heard == [200, 400, 450] and plan.rows_checked == 450 and len(plan.rows) == 450


def test_checked_upload_left_waiting_is_deleted_after_the_retention_period(
    world, honours, tmp_path, tasks_inline, settings, client_for
) -> None:
    settings.UPLOAD_RETENTION_DAYS = 7
    client = client_for(world.grassroots_officer)
    _upload(client, _file(tmp_path, "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"))
    job = ImportJob.objects.get()
    assert job.can_apply and not _no_upload_kept()
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=6)) == 0
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.stage == JobStage.CHECKED and not job.can_apply and _no_upload_kept()
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="upload-gone"' in page and 'data-testid="apply"' not in page
    client.post(f"/honours/register/import/{job.pk}/apply/")
    assert not Honouree.objects.exists()
