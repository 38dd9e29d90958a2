"""Importing from the web: upload, background check, confirm, progress, errors, rollback."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.core.housekeeping import run_housekeeping
from gonghui.core.imports import files
from gonghui.core.imports.models import ImportJob
from gonghui.core.imports.models import ImportStage as JobStage
from gonghui.core.models import AuditHead
from gonghui.core.uploads import delete_expired_uploads
from gonghui.orgs.tabular import ORG_SPEC
from gonghui.people.models import ImportBatch, Person
from tests.people.test_import import BAD, good_rows, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _upload(client: Client, path: Path, union: str = "CA-K-1", **options: str):
    with path.open("rb") as handle:
        data = {"union": union, "file": SimpleUploadedFile(path.name, handle.read()), **options}
    return client.post("/members/import/", data)


def test_clean_upload_is_checked_then_applied_on_confirmation(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    response = _upload(client, write_csv(tmp_path / "r.csv", good_rows(12)))
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.stage == JobStage.CHECKED and job.counts["create"] == 12 and job.error_count == 0
    assert not Person.objects.exists()  # checked, not written
    page = client.get(job.get_absolute_url())
    assert 'data-testid="apply"' in page.content.decode()
    stored = Path(job.stored_path)
    client.post(f"/members/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.stage == JobStage.DONE and ImportBatch.objects.filter(pk=job.result["batch"])
    assert Person.objects.count() == 12
    assert not stored.exists() and not job.has_upload  # the upload is deleted once imported
    # a second click does nothing
    client.post(f"/members/import/{job.pk}/apply/")
    assert ImportBatch.objects.count() == 1


def test_bad_rows_are_listed_and_block_the_import(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", [*good_rows(2), BAD[0][0]]))
    job = ImportJob.objects.get()
    assert job.error_count == 1 and job.errors[0][0] == 4
    body = client.get(job.get_absolute_url()).content.decode()
    assert "should be 2" in body and 'data-testid="apply"' not in body
    client.post(f"/members/import/{job.pk}/apply/")
    assert not Person.objects.exists()
    download = client.get(f"/members/import/{job.pk}/errors/")
    assert download.status_code == 200
    assert "行号" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_the_good_rows_are_imported_when_chosen_after_the_check(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", [*good_rows(2), BAD[0][0]]))
    job = ImportJob.objects.get()
    assert job.can_apply and job.rows_ready == 2
    body = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="apply-good-rows"' in body
    client.post(f"/members/import/{job.pk}/apply/", {"skip_bad_rows": "1"})
    assert Person.objects.count() == 2


def test_unreadable_upload_fails_with_a_message(world, tmp_path, client_for) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet at all")
    client = client_for(world.grassroots_officer)
    _upload(client, junk)
    job = ImportJob.objects.get()
    assert job.stage == JobStage.FAILED and job.message


def test_scope_of_imports(world, tmp_path, client_for) -> None:
    path = write_csv(tmp_path / "r.csv", good_rows(1))
    outsider = client_for(world.outsider)
    response = _upload(outsider, path, union="CA-K-1")
    assert "within your scope" in response.content.decode()
    assert client_for(world.city_viewer).get("/members/import/").status_code == 403
    _upload(client_for(world.grassroots_officer), path)
    job = ImportJob.objects.get()
    assert outsider.get(job.get_absolute_url()).status_code == 404
    assert outsider.post(f"/members/import/{job.pk}/apply/").status_code == 404


def test_batch_page_and_rollback(world, tmp_path, client_for) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", good_rows(3)))
    job = ImportJob.objects.get()
    client.post(f"/members/import/{job.pk}/apply/")
    batch = ImportBatch.objects.get()
    assert client.get("/members/batches/").status_code == 200
    assert client_for(world.outsider).get(batch.get_absolute_url()).status_code == 404
    assert (
        client_for(world.city_viewer).post(f"/members/batches/{batch.pk}/roll-back/").status_code
        == 403
    )
    client.post(f"/members/batches/{batch.pk}/roll-back/")
    assert not Person.objects.exists()


def test_the_page_follows_the_write_of_a_confirmed_import_through_its_transaction(
    world, tmp_path, monkeypatch, client_for
) -> None:
    """The import's own updates of the job are hidden in its transaction until it ends: the
    page reads the count of rows written from a file beside the upload, gone once it is done."""
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", good_rows(12)))
    job = ImportJob.objects.get()
    seen: list[str] = []
    original = files.report_progress

    def watching(job_id: int, rows: int) -> None:
        original(job_id, rows)
        # what the page shows while the transaction is still open
        seen.append(client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode())

    monkeypatch.setattr(files, "report_progress", watching)
    client.post(f"/members/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.stage == JobStage.DONE
    assert seen and '<progress max="100" value="100">' in seen[-1]  # 12 of 12 rows
    assert not files.progress_path(job).exists()


def test_the_form_names_the_union_when_there_is_only_one_to_import_into(world, client_for) -> None:
    def union_value(user) -> str:
        form = client_for(user).get("/members/import/").context["form"]
        return str(form["union"].value() or "")

    assert union_value(world.grassroots_officer) == "CA-K-1"
    assert union_value(world.county_officer) == ""  # two grassroots unions below: the user chooses


# Uploads hold personal data: deleted once imported or cancelled, or after the retention period


def _bad_upload_checked(client: Client, tmp_path: Path) -> ImportJob:
    _upload(client, write_csv(tmp_path / "r.csv", [*good_rows(2), BAD[0][0]]))
    job = ImportJob.objects.get()
    assert job.stage == JobStage.CHECKED and Path(job.stored_path).exists()
    assert files.errors_path(job).exists()
    return job


def test_cancelled_import_deletes_its_upload_and_error_list_at_once(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    job = _bad_upload_checked(client, tmp_path)
    stored, errors = Path(job.stored_path), files.errors_path(job)
    client.post(f"/members/import/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.stage == JobStage.CANCELLED and not job.has_upload
    assert not stored.exists() and not errors.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="upload-gone"' in page and "/errors/" not in page


def test_finished_import_deletes_its_upload_and_error_list_at_once(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", [*good_rows(2), BAD[0][0]]))
    job = ImportJob.objects.get()
    stored, errors = Path(job.stored_path), files.errors_path(job)
    assert errors.exists()
    client.post(f"/members/import/{job.pk}/apply/", {"skip_bad_rows": "1"})
    job.refresh_from_db()
    assert job.stage == JobStage.DONE and Person.objects.count() == 2
    assert not stored.exists() and not errors.exists() and not job.has_upload


def test_checked_upload_left_waiting_is_deleted_after_the_retention_period(
    world, tmp_path, settings, client_for
) -> None:
    settings.UPLOAD_RETENTION_DAYS = 7
    client = client_for(world.grassroots_officer)
    job = _bad_upload_checked(client, tmp_path)
    stored, errors = Path(job.stored_path), files.errors_path(job)
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=6)) == 0
    assert stored.exists() and errors.exists()
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=8)) == 1
    assert not stored.exists() and not errors.exists()
    job.refresh_from_db()
    assert job.stage == JobStage.CHECKED and job.error_count == 1  # the row stays, as history
    assert not job.can_apply
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="upload-gone"' in page and 'data-testid="apply"' not in page
    assert client.get(f"/members/import/{job.pk}/errors/").status_code == 404
    client.post(f"/members/import/{job.pk}/apply/")
    assert not Person.objects.exists()


def test_the_worker_housekeeping_deletes_expired_uploads(
    world, tmp_path, settings, client_for
) -> None:
    settings.UPLOAD_RETENTION_DAYS = 0
    job = _bad_upload_checked(client_for(world.grassroots_officer), tmp_path)
    run_housekeeping()
    job.refresh_from_db()
    assert not job.has_upload


def test_an_import_being_written_keeps_its_upload(world, tmp_path, settings, client_for) -> None:
    settings.UPLOAD_RETENTION_DAYS = 0
    job = _bad_upload_checked(client_for(world.grassroots_officer), tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(stage=JobStage.APPLYING)
    assert delete_expired_uploads() == 0
    assert Path(job.stored_path).exists()


def test_an_organisations_upload_leaves_waiting_roster_uploads_alone(
    world, tmp_path, client_for
) -> None:
    client = client_for(world.grassroots_officer)
    job = _bad_upload_checked(client, tmp_path)
    two_days_ago = time.time() - 2 * 86400
    for path in (Path(job.stored_path), files.errors_path(job)):
        os.utime(path, (two_days_ago, two_days_ago))
    orgs = tmp_path / "orgs.csv"
    header = ",".join(ORG_SPEC.header(key) for key in ("code", "name", "parent_code", "type"))
    orgs.write_text(f"{header}\nNEW,新工会,CA-K,基层工会\n")
    with orgs.open("rb") as handle:
        client_for(world.city_officer).post("/orgs/import/", {"file": handle})
    assert Path(job.stored_path).exists() and files.errors_path(job).exists()


def test_a_large_web_import_writes_an_audit_checkpoint(
    world, tmp_path, settings, django_capture_on_commit_callbacks, client_for
) -> None:
    settings.CHECKPOINT_IMPORT_ROWS = 3
    client = client_for(world.grassroots_officer)
    _upload(client, write_csv(tmp_path / "r.csv", good_rows(3)))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/members/import/{job.pk}/apply/")
    line = json.loads(Path(settings.AUDIT_CHECKPOINTS).read_text().splitlines()[-1])
    assert line["seq"] == AuditHead.objects.get(pk=1).last_id
